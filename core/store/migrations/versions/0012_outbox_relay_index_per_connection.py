"""outbox (status, connection, priority, id) in place of (status, priority, id): the relay reads
each connection's pending items on their own, so a slow CRM's backlog does not fill the pass
and keep a fast one's writes waiting

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 18:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbox_status_priority_id", table_name="outbox")
    op.create_index(
        "ix_outbox_status_connection_priority_id",
        "outbox",
        ["status", "connection", "priority", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_status_connection_priority_id", table_name="outbox")
    op.create_index("ix_outbox_status_priority_id", "outbox", ["status", "priority", "id"])
