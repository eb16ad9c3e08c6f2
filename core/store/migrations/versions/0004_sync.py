"""sync: outbox items wait until `not_before` and name their target record

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00

(Interim copy of the sync engine's contract columns so the workers branch can build on them;
the sync branch's own 0004 replaces this file when the branches meet.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

TIMESTAMP = sa.DateTime(timezone=True)
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_before", TIMESTAMP, nullable=True))
        batch_op.add_column(sa.Column("remote_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("remote_id")
        batch_op.drop_column("not_before")
