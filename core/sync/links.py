"""The crosswalk as the sync uses it: find, make and retire links (each change audited).

A link whose remote record is gone is kept as a tombstone (`status = deleted`): the planner
neither writes to it nor creates the entity in that CRM again unless an operator says so.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.matching.store_index import active_ids
from core.reviews import ReviewKind, open_review
from core.store import Entity, Link, ReviewItem

__all__ = [
    "LinkStatus",
    "active_entity",
    "find_link",
    "make_link",
    "open_duplicate_review",
    "retire_link",
]


class LinkStatus(StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"


def find_link(session: Session, connection: str, kind: str, remote_id: str) -> Link | None:
    return session.scalars(
        sa.select(Link).where(
            Link.connection == connection, Link.kind == kind, Link.remote_id == remote_id
        )
    ).first()


def active_entity(session: Session, entity_id: uuid.UUID) -> uuid.UUID:
    """The entity `entity_id` is now (following merges)."""
    return active_ids(session, [entity_id]).get(entity_id, entity_id)


def make_link(
    session: Session,
    entity_id: uuid.UUID,
    connection: str,
    kind: str,
    remote_id: str,
    *,
    actor: str,
    reason: str,
    actor_kind: ActorKind = ActorKind.SYNC,
    run_id: int | None = None,
    flush: bool = True,
) -> Link:
    """A new active link, audited; flushed (so it has its id) unless `flush` is False."""
    link = Link(
        entity_id=entity_id,
        connection=connection,
        kind=kind,
        remote_id=remote_id,
        status=LinkStatus.ACTIVE.value,
    )
    session.add(link)
    if flush:
        session.flush()
    record_audit(
        session,
        actor_kind=actor_kind,
        actor=actor,
        action="link.created",
        entity_id=entity_id,
        entity_kind=kind,
        after={"connection": connection, "remote_id": remote_id},
        source=connection,
        reason=reason,
        run_id=run_id,
    )
    return link


def retire_link(
    session: Session,
    link: Link,
    *,
    actor: str,
    reason: str,
    actor_kind: ActorKind = ActorKind.SYNC,
    run_id: int | None = None,
) -> bool:
    """Make `link` a tombstone; False if it already was one."""
    if link.status == LinkStatus.DELETED:
        return False
    link.status = LinkStatus.DELETED.value
    record_audit(
        session,
        actor_kind=actor_kind,
        actor=actor,
        action="link.deleted",
        entity_id=link.entity_id,
        entity_kind=link.kind,
        before={"connection": link.connection, "remote_id": link.remote_id, "status": "active"},
        after={"status": LinkStatus.DELETED.value},
        source=link.connection,
        reason=reason,
        run_id=run_id,
    )
    return True


def open_duplicate_review(
    session: Session, entity_id: uuid.UUID, other_id: uuid.UUID, *, connection: str, remote_id: str
) -> ReviewItem | None:
    """A write found `connection`'s record `remote_id` already linked to another entity: the
    two are probably one customer. Ask an operator (a match review, decided as any other)."""
    ours = session.get(Entity, entity_id)
    other = session.get(Entity, other_id)
    if ours is None or other is None or ours.status != "active" or other.status != "active":
        return None
    open_items = session.scalars(
        sa.select(ReviewItem).where(
            ReviewItem.kind == ReviewKind.MATCH.value,
            ReviewItem.status == "open",
            ReviewItem.entity_id == entity_id,
        )
    ).all()
    if any(_names(item.payload, other_id) for item in open_items):
        return None
    evidence = [
        {
            "comparison": "duplicate_check",
            "level": "same_record",
            "weight": 0.0,
            "detail": f"{connection} found record {remote_id} by its duplicate-check fields",
        }
    ]
    name = ours.data.get("name") or ours.data.get("full_name") or entity_id
    return open_review(
        session,
        ReviewKind.MATCH,
        f"{ours.kind} {name}: {connection} answered a create with record {remote_id}, "
        f"which belongs to {other_id}",
        {
            "connection": connection,
            "remote_id": remote_id,
            "entity_id": str(entity_id),
            "record": ours.data,
            "candidates": [{"entity_id": str(other_id), "score": 1.0, "evidence": evidence}],
        },
        entity_id=entity_id,
        entity_kind=ours.kind,
    )


def _names(payload: Any, other_id: uuid.UUID) -> bool:
    if not isinstance(payload, dict):
        return False
    return any(c.get("entity_id") == str(other_id) for c in payload.get("candidates", []))
