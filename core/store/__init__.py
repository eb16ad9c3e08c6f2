"""The store (SQLAlchemy 2): golden records, links, snapshots, decisions, audit, outbox."""

from __future__ import annotations

from core.store.engine import database_url, make_engine, redact_url
from core.store.schema import (
    AssignmentDecision,
    AssignmentTurn,
    AuditEntry,
    BaseSnapshot,
    BlockingKey,
    Conflict,
    Cursor,
    DeadLetter,
    Entity,
    EntityMerge,
    KeepApart,
    Link,
    MatchDecision,
    OutboxItem,
    OwnerAccount,
    OwnerRow,
    Quarantined,
    ReviewItem,
    Run,
    SourceRecord,
    metadata,
)
from core.store.store import Store, StoreStatus

__all__ = [
    "AssignmentDecision",
    "AssignmentTurn",
    "AuditEntry",
    "BaseSnapshot",
    "BlockingKey",
    "Conflict",
    "Cursor",
    "DeadLetter",
    "Entity",
    "EntityMerge",
    "KeepApart",
    "Link",
    "MatchDecision",
    "OutboxItem",
    "OwnerAccount",
    "OwnerRow",
    "Quarantined",
    "ReviewItem",
    "Run",
    "SourceRecord",
    "Store",
    "StoreStatus",
    "database_url",
    "make_engine",
    "metadata",
    "redact_url",
]
