"""assignment: team rotation state, and whether an owner's user is enabled in each CRM

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:48:17.981381
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Spelled out here, not imported from core: a migration must not change when the app code does.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignment_turns",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("last_owner_id", sa.Uuid(), nullable=True),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("turns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_assignment_turns")),
    )
    with op.batch_alter_table("owner_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("owner_accounts", schema=None) as batch_op:
        batch_op.drop_column("active")
    op.drop_table("assignment_turns")
