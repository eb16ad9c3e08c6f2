"""outbox.sent_at: when a create was first pushed, so a repeated push (its first answer lost
to a crash or a timeout) looks for the record before creating it again

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 11:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Spelled out here, not imported from core: a migration must not change when the app code does.
TIMESTAMP = sa.DateTime(timezone=True)
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (no batch mode): SQLite adds a nullable column without copying the table
    op.add_column("outbox", sa.Column("sent_at", TIMESTAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
