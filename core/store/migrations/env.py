"""Alembic environment: the engine comes from core.store.migrate, never from a .ini file."""

from __future__ import annotations

from alembic import context

from core.store.schema import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    context.run_migrations()
