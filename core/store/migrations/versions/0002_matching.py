"""matching: reversible entity merges and keep-apart pairs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:53:52.327629
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Spelled out here, not imported from core: a migration must not change when the app code does.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_merges",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("survivor_id", sa.Uuid(), nullable=False),
        sa.Column("merged_id", sa.Uuid(), nullable=False),
        sa.Column("snapshot", JSON, nullable=False),
        sa.Column("survivor_version", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("undone_at", TIMESTAMP, nullable=True),
        sa.Column("undone_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["entities.id"], name=op.f("fk_entity_merges_merged_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["entities.id"], name=op.f("fk_entity_merges_survivor_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_merges")),
    )
    with op.batch_alter_table("entity_merges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entity_merges_merged_id", ["merged_id", "undone_at"], unique=False
        )
        batch_op.create_index("ix_entity_merges_survivor_id", ["survivor_id"], unique=False)

    op.create_table(
        "keep_apart",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entity_a", sa.Uuid(), nullable=False),
        sa.Column("entity_b", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_a"], ["entities.id"], name=op.f("fk_keep_apart_entity_a_entities")
        ),
        sa.ForeignKeyConstraint(
            ["entity_b"], ["entities.id"], name=op.f("fk_keep_apart_entity_b_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_keep_apart")),
        sa.UniqueConstraint("entity_a", "entity_b", name=op.f("uq_keep_apart_entity_a_entity_b")),
    )
    with op.batch_alter_table("keep_apart", schema=None) as batch_op:
        batch_op.create_index("ix_keep_apart_entity_b", ["entity_b"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("keep_apart", schema=None) as batch_op:
        batch_op.drop_index("ix_keep_apart_entity_b")
    op.drop_table("keep_apart")
    with op.batch_alter_table("entity_merges", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_merges_survivor_id")
        batch_op.drop_index("ix_entity_merges_merged_id")
    op.drop_table("entity_merges")
