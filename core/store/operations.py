"""Tables of what crmhub did: runs, the audit log, the outbox of planned writes, dead letters."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base, BigId, JsonType, UtcDateTime, utcnow

__all__ = ["AuditEntry", "DeadLetter", "OutboxItem", "Run"]


class Run(Base):
    """One sync cycle (or pull, plan, apply) with its counts."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    connection: Mapped[str | None] = mapped_column(sa.String(100))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # running | ok | failed
    status: Mapped[str] = mapped_column(sa.String(20), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_runs_connection_started", "connection", "started_at"),)


class AuditEntry(Base):
    """Every change of a golden value, link, merge, assignment or decision: before/after, why."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # sync | rule | operator | system
    actor_kind: Mapped[str] = mapped_column(sa.String(20))
    actor: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    entity_kind: Mapped[str | None] = mapped_column(sa.String(20))
    field: Mapped[str | None] = mapped_column(sa.String(200))
    before: Mapped[Any | None] = mapped_column(JsonType)
    after: Mapped[Any | None] = mapped_column(JsonType)
    source: Mapped[str | None] = mapped_column(sa.String(100))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id"))

    __table_args__ = (
        sa.Index("ix_audit_log_entity_at", "entity_id", "at"),
        sa.Index("ix_audit_log_at", "at"),
        sa.Index("ix_audit_log_actor", "actor", "at"),
    )


class OutboxItem(Base):
    """A planned write, committed with the state change that caused it (transactional outbox)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id"))
    connection: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    # create | update | delete
    operation: Mapped[str] = mapped_column(sa.String(10))
    # the target record of an update or delete (None for a create)
    remote_id: Mapped[str | None] = mapped_column(sa.String(100))
    # upsert | insert_only | update_only | skip
    mode: Mapped[str] = mapped_column(sa.String(20), default="upsert")
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # the canonical values the write sets, by field path, in the target's terms: what the link's
    # base snapshot becomes once the write succeeds (echo suppression)
    canonical: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # what the plan was computed from: the golden record's version and the base's fingerprint
    entity_version: Mapped[int | None] = mapped_column()
    base_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    # writes of one entity go to one partition, so they keep their order
    partition: Mapped[int] = mapped_column(default=0)
    priority: Mapped[int] = mapped_column(default=0)
    # pending -> published (the relay sent it) -> done | dead; superseded (a newer plan for the
    # same link replaced it while it was pending)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # a retried item waits until then
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # a create's first push (committed before the CRM is called): a later push of it may be a
    # repeat of one that reached the CRM without its answer being recorded
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.Index("ix_outbox_status_id", "status", "id"),
        # the relay reads each connection's pending items by priority, oldest first
        # (workers.relay.due_items)
        sa.Index(
            "ix_outbox_status_connection_priority_id", "status", "connection", "priority", "id"
        ),
        sa.Index("ix_outbox_connection_status", "connection", "status"),
        sa.Index("ix_outbox_entity_id", "entity_id"),
    )


class DeadLetter(Base):
    """A write the remote refused for good, with its error, waiting for an operator."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox.id"))
    connection: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    operation: Mapped[str] = mapped_column(sa.String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    error_code: Mapped[str | None] = mapped_column(sa.String(100))
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    # open | retried | discarded
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))
    reason: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_dead_letters_status", "status", "id"),)
