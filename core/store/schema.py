"""All tables, gathered on one metadata (what Alembic compares migrations against)."""

from __future__ import annotations

from core.store.assignment import AssignmentTurn
from core.store.base import Base
from core.store.decisions import (
    AssignmentDecision,
    Conflict,
    MatchDecision,
    OwnerAccount,
    OwnerRow,
    ReviewItem,
)
from core.store.matching import EntityMerge, KeepApart
from core.store.operations import AuditEntry, DeadLetter, OutboxItem, Run
from core.store.operators import Operator, OperatorSession
from core.store.planning import PlanWait
from core.store.records import (
    BaseSnapshot,
    BlockingKey,
    Cursor,
    Entity,
    Link,
    Quarantined,
    SourceRecord,
)
from core.store.workers import ApiUsage, Lease

__all__ = [
    "ApiUsage",
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
    "Lease",
    "Link",
    "MatchDecision",
    "Operator",
    "OperatorSession",
    "OutboxItem",
    "OwnerAccount",
    "OwnerRow",
    "PlanWait",
    "Quarantined",
    "ReviewItem",
    "Run",
    "SourceRecord",
    "metadata",
]

metadata = Base.metadata
