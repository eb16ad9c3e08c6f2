"""outbox (status, priority, id): the relay reads pending items one priority at a time, oldest
first, and stops at its limit instead of sorting every pending row of a first sync's outbox

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 12:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_status_priority_id", "outbox", ["status", "priority", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_status_priority_id", table_name="outbox")
