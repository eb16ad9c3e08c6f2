"""plan waits: what an entity the planner could not plan yet waits for, so it is taken up again
when that is over instead of being re-planned every cycle

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Spelled out here, not imported from core: a migration must not change when the app code does.
TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_waits",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("subject_version", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_plan_waits_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_waits")),
    )
    with op.batch_alter_table("plan_waits", schema=None) as batch_op:
        batch_op.create_index("ix_plan_waits_entity_id", ["entity_id"], unique=False)
        batch_op.create_index("ix_plan_waits_reason", ["reason", "subject_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_waits", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_waits_reason")
        batch_op.drop_index("ix_plan_waits_entity_id")
    op.drop_table("plan_waits")
