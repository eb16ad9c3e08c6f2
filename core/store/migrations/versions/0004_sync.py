"""sync: planned version of entities, link tombstones, outbox targets, retries and what a write sets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 21:25:55.615531
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Spelled out here, not imported from core: a migration must not change when the app code does.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_version", sa.Integer(), nullable=True))

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status", sa.String(length=20), server_default=sa.text("'active'"), nullable=False
            )
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("canonical", JSON, nullable=True))
        batch_op.add_column(sa.Column("entity_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("base_fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("not_before", TIMESTAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("not_before")
        batch_op.drop_column("base_fingerprint")
        batch_op.drop_column("entity_version")
        batch_op.drop_column("canonical")
        batch_op.drop_column("remote_id")

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_column("status")

    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_column("planned_version")
