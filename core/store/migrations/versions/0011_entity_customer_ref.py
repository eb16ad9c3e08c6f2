"""entities: an index on the golden record's customer reference, so a created customer's
contacts and opportunities are found without reading the whole table (per batch of results)

The expression is spelled as `core.sync.snapshots.customer_ref` spells it: a database uses an
expression index only for that very expression. Not declared on the model (Alembic cannot
compare expression indexes); the migration test names it as expected.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 12:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EXPRESSION = {
    "postgresql": "(data #>> '{customer,entity_id}')",
    "sqlite": "json_extract(data, '$.customer.entity_id')",
}


def upgrade() -> None:
    expression = EXPRESSION[op.get_bind().dialect.name]
    op.execute(f"CREATE INDEX ix_entities_customer_ref ON entities ({expression})")


def downgrade() -> None:
    op.execute("DROP INDEX ix_entities_customer_ref")
