"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:21:05.434853
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Spelled out here, not imported from core: a migration must not change when the app code does.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cursors",
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("stream", sa.String(length=20), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("connection", "kind", "stream", name=op.f("pk_cursors")),
    )
    op.create_table(
        "owners",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("regions", JSON, nullable=False),
        sa.Column("industries", JSON, nullable=False),
        sa.Column("capacity", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owners")),
    )
    with op.batch_alter_table("owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_owners_email"), ["email"], unique=False)

    op.create_table(
        "runs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_runs_connection_started", ["connection", "started_at"], unique=False
        )

    op.create_table(
        "source_records",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column("remote_modified_at", TIMESTAMP, nullable=True),
        sa.Column("raw", JSON, nullable=False),
        sa.Column("mapped", JSON, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fetched_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_records")),
        sa.UniqueConstraint(
            "connection",
            "kind",
            "remote_id",
            name=op.f("uq_source_records_connection_kind_remote_id"),
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("entity_kind", sa.String(length=20), nullable=True),
        sa.Column("field", sa.String(length=200), nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("run_id", BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_audit_log_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_actor", ["actor", "at"], unique=False)
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_log_entity_at", ["entity_id", "at"], unique=False)

    op.create_table(
        "entities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["entities.id"], name=op.f("fk_entities_merged_into_entities")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owners.id"], name=op.f("fk_entities_owner_id_owners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index("ix_entities_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index("ix_entities_owner_id", ["owner_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("run_id", BIG_ID, nullable=True),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("published_at", TIMESTAMP, nullable=True),
        sa.Column("done_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_outbox_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_connection_status", ["connection", "status"], unique=False)
        batch_op.create_index("ix_outbox_entity_id", ["entity_id"], unique=False)
        batch_op.create_index("ix_outbox_status_id", ["status", "id"], unique=False)

    op.create_table(
        "owner_accounts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("remote_user_id", sa.String(length=100), nullable=False),
        sa.Column("remote_name", sa.String(length=255), nullable=True),
        sa.Column("remote_email", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_owner_accounts_owner_id_owners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_accounts")),
        sa.UniqueConstraint(
            "connection", "remote_user_id", name=op.f("uq_owner_accounts_connection_remote_user_id")
        ),
    )
    with op.batch_alter_table("owner_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_owner_accounts_owner_id", ["owner_id"], unique=False)

    op.create_table(
        "quarantine",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=True),
        sa.Column("field", sa.String(length=200), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", JSON, nullable=False),
        sa.Column("run_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_quarantine_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quarantine_lookup", ["connection", "kind", "status"], unique=False
        )

    op.create_table(
        "assignment_decisions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("previous_owner_id", sa.Uuid(), nullable=True),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("strategy", sa.String(length=40), nullable=False),
        sa.Column("criteria", JSON, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_assignment_decisions_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owners.id"], name=op.f("fk_assignment_decisions_owner_id_owners")
        ),
        sa.ForeignKeyConstraint(
            ["previous_owner_id"],
            ["owners.id"],
            name=op.f("fk_assignment_decisions_previous_owner_id_owners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_decisions")),
    )
    with op.batch_alter_table("assignment_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_decisions_entity", ["entity_id", "created_at"], unique=False
        )

    op.create_table(
        "blocking_keys",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key_type", sa.String(length=30), nullable=False),
        sa.Column("key_value", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_blocking_keys_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocking_keys")),
    )
    with op.batch_alter_table("blocking_keys", schema=None) as batch_op:
        batch_op.create_index("ix_blocking_keys_entity_id", ["entity_id"], unique=False)
        batch_op.create_index(
            "ix_blocking_keys_lookup", ["kind", "key_type", "key_value"], unique=False
        )

    op.create_table(
        "dead_letters",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("outbox_id", BIG_ID, nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("error_code", sa.String(length=100), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_dead_letters_outbox_id_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.create_index("ix_dead_letters_status", ["status", "id"], unique=False)

    op.create_table(
        "links",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_links_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint(
            "connection", "kind", "remote_id", name=op.f("uq_links_connection_kind_remote_id")
        ),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index("ix_links_entity_id", ["entity_id"], unique=False)

    op.create_table(
        "match_decisions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("candidate_id", sa.Uuid(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["entities.id"], name=op.f("fk_match_decisions_candidate_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_match_decisions_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_decisions")),
    )
    with op.batch_alter_table("match_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_match_decisions_entity_id", ["entity_id"], unique=False)
        batch_op.create_index(
            "ix_match_decisions_source", ["connection", "kind", "remote_id"], unique=False
        )

    op.create_table(
        "review_items",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("entity_kind", sa.String(length=20), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_review_items_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index("ix_review_items_entity_id", ["entity_id"], unique=False)
        batch_op.create_index("ix_review_items_kind_status", ["kind", "status"], unique=False)

    op.create_table(
        "base_snapshots",
        sa.Column("link_id", BIG_ID, nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("remote_modified_at", TIMESTAMP, nullable=True),
        sa.Column("write_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("synced_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["links.id"],
            name=op.f("fk_base_snapshots_link_id_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_base_snapshots")),
    )
    op.create_table(
        "conflicts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("base", JSON, nullable=True),
        sa.Column("sides", JSON, nullable=False),
        sa.Column("golden", JSON, nullable=True),
        sa.Column("policy", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("review_item_id", BIG_ID, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_conflicts_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["review_item_id"],
            ["review_items.id"],
            name=op.f("fk_conflicts_review_item_id_review_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
    )
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conflicts_entity_field", ["entity_id", "field", "status"], unique=False
        )
        batch_op.create_index("ix_conflicts_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.drop_index("ix_conflicts_status")
        batch_op.drop_index("ix_conflicts_entity_field")

    op.drop_table("conflicts")
    op.drop_table("base_snapshots")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_review_items_kind_status")
        batch_op.drop_index("ix_review_items_entity_id")

    op.drop_table("review_items")
    with op.batch_alter_table("match_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_match_decisions_source")
        batch_op.drop_index("ix_match_decisions_entity_id")

    op.drop_table("match_decisions")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_entity_id")

    op.drop_table("links")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index("ix_dead_letters_status")

    op.drop_table("dead_letters")
    with op.batch_alter_table("blocking_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_blocking_keys_lookup")
        batch_op.drop_index("ix_blocking_keys_entity_id")

    op.drop_table("blocking_keys")
    with op.batch_alter_table("assignment_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_decisions_entity")

    op.drop_table("assignment_decisions")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantine_lookup")

    op.drop_table("quarantine")
    with op.batch_alter_table("owner_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_owner_accounts_owner_id")

    op.drop_table("owner_accounts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_id")
        batch_op.drop_index("ix_outbox_entity_id")
        batch_op.drop_index("ix_outbox_connection_status")

    op.drop_table("outbox")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index("ix_entities_owner_id")
        batch_op.drop_index("ix_entities_kind_status")

    op.drop_table("entities")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity_at")
        batch_op.drop_index("ix_audit_log_at")
        batch_op.drop_index("ix_audit_log_actor")

    op.drop_table("audit_log")
    op.drop_table("source_records")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_connection_started")

    op.drop_table("runs")
    with op.batch_alter_table("owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_owners_email"))

    op.drop_table("owners")
    op.drop_table("cursors")
