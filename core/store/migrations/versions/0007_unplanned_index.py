"""entities waiting for the planner: a partial index, so finding them costs what waits, not the
size of the table (an incremental sync's planner asks every cycle)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# the planner's own condition, word for word: SQLite uses a partial index only when the query
# states the index's condition itself
UNPLANNED = "planned_version IS NULL OR planned_version != version"


def upgrade() -> None:
    op.create_index(
        "ix_entities_unplanned",
        "entities",
        ["kind"],
        sqlite_where=sa.text(UNPLANNED),
        postgresql_where=sa.text(UNPLANNED),
    )


def downgrade() -> None:
    op.drop_index("ix_entities_unplanned", table_name="entities")
