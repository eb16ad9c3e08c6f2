"""The kept source records of an entity: what its links' CRMs last said, as survivorship input."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, AuditRecord, record_audit
from core.merging.golden import SourceValues
from core.store import Entity, Link, SourceRecord

__all__ = ["audit_golden_change", "golden_change_audits", "link_ids", "stored_sources"]


def stored_sources(session: Session, entity_id: uuid.UUID) -> list[SourceValues]:
    """Mapped source records of every link of the entity (quarantined and deleted ones aside)."""
    rows = session.execute(
        sa.select(SourceRecord.mapped, SourceRecord.connection, SourceRecord.remote_modified_at)
        .join(
            Link,
            sa.and_(
                Link.connection == SourceRecord.connection,
                Link.kind == SourceRecord.kind,
                Link.remote_id == SourceRecord.remote_id,
            ),
        )
        .where(
            Link.entity_id == entity_id,
            SourceRecord.status == "ok",
            SourceRecord.mapped.is_not(None),
        )
        .order_by(Link.id)
    ).all()
    return [SourceValues(row[0], row[1], row[2]) for row in rows]


def link_ids(session: Session, entity_id: uuid.UUID) -> list[int]:
    return list(
        session.scalars(sa.select(Link.id).where(Link.entity_id == entity_id).order_by(Link.id))
    )


def golden_change_audits(
    entity_id: uuid.UUID,
    kind: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    actor_kind: ActorKind,
    actor: str,
    reason: str,
) -> list[AuditRecord]:
    """One audit entry per golden field whose value changed (for `record_audits`)."""
    return [
        AuditRecord(
            actor_kind, actor, "golden.set", entity_id, kind, field=field,
            before=before.get(field), after=after.get(field), reason=reason,
        )
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    ]  # fmt: skip


def audit_golden_change(
    session: Session,
    entity: Entity,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    actor_kind: ActorKind,
    actor: str,
    reason: str,
) -> None:
    """One audit entry per golden field whose value changed, added to the session."""
    for entry in golden_change_audits(
        entity.id, entity.kind, before, after, actor_kind=actor_kind, actor=actor, reason=reason
    ):
        record_audit(session, **asdict(entry))
