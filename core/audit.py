"""The audit log: every change of a golden value, link, merge, assignment or decision.

One function writes entries so that every feature records the same facts: who (actor kind and
name), what (action, entity, field), before and after (JSON-safe values), where from (source
connection) and why (reason).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.store import RUN_ID, AuditEntry, metadata
from core.store.base import utcnow

__all__ = ["ActorKind", "AuditRecord", "audit_trail", "record_audit", "record_audits"]


class ActorKind(StrEnum):
    SYNC = "sync"
    RULE = "rule"
    OPERATOR = "operator"
    SYSTEM = "system"


def record_audit(
    session: Session,
    *,
    actor_kind: ActorKind,
    actor: str,
    action: str,
    entity_id: uuid.UUID | None = None,
    entity_kind: str | None = None,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
    source: str | None = None,
    reason: str | None = None,
    run_id: int | None = None,
) -> AuditEntry:
    """Add one audit entry to `session` (committed with the change it describes); without
    `run_id`, the run the session's transaction works for, if any."""
    entry = AuditEntry(
        actor_kind=actor_kind.value,
        actor=actor,
        action=action,
        entity_id=entity_id,
        entity_kind=entity_kind,
        field=field,
        before=before,
        after=after,
        source=source,
        reason=reason,
        run_id=run_id if run_id is not None else session.info.get(RUN_ID),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One entry for `record_audits`: the same facts `record_audit` takes."""

    actor_kind: ActorKind
    actor: str
    action: str
    entity_id: uuid.UUID | None = None
    entity_kind: str | None = None
    field: str | None = None
    before: Any = None
    after: Any = None
    source: str | None = None
    reason: str | None = None
    run_id: int | None = None


def record_audits(session: Session, records: Iterable[AuditRecord]) -> int:
    """Add many entries in one INSERT (bulk work such as assigning a whole customer base)."""
    at = utcnow()
    run = session.info.get(RUN_ID)
    names = [f.name for f in fields(AuditRecord)]
    rows = [
        {
            **{n: getattr(r, n) for n in names},
            "actor_kind": r.actor_kind.value,
            "at": at,
            "run_id": r.run_id if r.run_id is not None else run,
        }
        for r in records
    ]
    if rows:
        # Core, not the ORM: no objects to track for entries nobody reads back in this session
        session.execute(sa.insert(metadata.tables[AuditEntry.__tablename__]), rows)
    return len(rows)


def audit_trail(
    session: Session,
    *,
    entity_id: uuid.UUID | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    run_id: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> Sequence[AuditEntry]:
    """Entries, newest first, filtered by entity, actor, time and run."""
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if run_id is not None:
        query = query.where(AuditEntry.run_id == run_id)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return session.scalars(query.limit(limit).offset(offset)).all()
