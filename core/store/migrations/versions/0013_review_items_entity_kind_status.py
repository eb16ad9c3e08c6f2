"""review_items (entity_id, kind, status) in place of (entity_id): "is an open match review on
this entity?" is asked for every entity waiting on a review, and SQLite, with an index on
(kind, status) beside one on entity_id alone, walked every open match review for each (100k
e2e run: 17,083 waits x 38,525 open reviews, 86 s a planning pass)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 18:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_review_items_entity_id", table_name="review_items")
    op.create_index(
        "ix_review_items_entity_kind_status", "review_items", ["entity_id", "kind", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_review_items_entity_kind_status", table_name="review_items")
    op.create_index("ix_review_items_entity_id", "review_items", ["entity_id"])
