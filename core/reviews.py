"""The operators' one queue: grey-zone matches, conflicts, disputes, guarded deletes, dead letters.

Features open items here with a kind and a JSON payload; each feature owns the decisions of its
kind (merge or keep apart, take a side, choose an owner…) and calls `close_review` when done, so
every kind is listed, shown and audited the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.store import ReviewItem
from core.store.base import utcnow

__all__ = [
    "ReviewKind",
    "ReviewStatus",
    "close_review",
    "list_reviews",
    "match_review_names",
    "match_review_open_between",
    "open_review",
]


class ReviewKind(StrEnum):
    MATCH = "match"
    CONFLICT = "conflict"
    DISPUTE = "dispute"
    DELETE = "delete"
    DEAD_LETTER = "dead_letter"


class ReviewStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


def open_review(
    session: Session,
    kind: ReviewKind,
    summary: str,
    payload: dict[str, Any],
    *,
    entity_id: uuid.UUID | None = None,
    entity_kind: str | None = None,
) -> ReviewItem:
    item = ReviewItem(
        kind=kind.value,
        summary=summary,
        payload=payload,
        entity_id=entity_id,
        entity_kind=entity_kind,
        status=ReviewStatus.OPEN.value,
    )
    session.add(item)
    session.flush()
    return item


def match_review_names(payload: Any) -> set[str]:
    """The entity ids (text) a match review's payload names: its record's and its candidates'."""
    data = payload if isinstance(payload, Mapping) else {}
    named = [data.get("entity_id")] + [
        c.get("entity_id") for c in data.get("candidates", []) if isinstance(c, Mapping)
    ]
    return {str(e) for e in named if e}


def match_review_open_between(session: Session, a: uuid.UUID, b: uuid.UUID) -> bool:
    """An open match review already names both entities (as the record or a candidate)."""
    payloads = session.scalars(
        sa.select(ReviewItem.payload).where(
            ReviewItem.kind == ReviewKind.MATCH.value,
            ReviewItem.status == ReviewStatus.OPEN.value,
            ReviewItem.entity_id.in_([a, b]),
        )
    )
    return any({str(a), str(b)} <= match_review_names(payload) for payload in payloads)


def close_review(
    session: Session,
    item: ReviewItem,
    *,
    status: ReviewStatus,
    actor: str,
    actor_kind: ActorKind = ActorKind.OPERATOR,
    resolution: dict[str, Any],
    reason: str | None = None,
) -> None:
    """Mark `item` decided and audit the decision (the caller has carried it out)."""
    if item.status != ReviewStatus.OPEN:
        raise ValueError(f"review {item.id} is already {item.status}")
    item.status = status.value
    item.resolved_at = utcnow()
    item.resolved_by = actor
    item.resolution = resolution
    record_audit(
        session,
        actor_kind=actor_kind,
        actor=actor,
        action=f"review.{status.value}",
        entity_id=item.entity_id,
        entity_kind=item.entity_kind,
        before={"review": item.id, "kind": item.kind, "status": ReviewStatus.OPEN.value},
        after={"review": item.id, "status": status.value, **resolution},
        reason=reason,
    )


def list_reviews(
    session: Session,
    *,
    kind: ReviewKind | None = None,
    status: ReviewStatus | None = ReviewStatus.OPEN,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[ReviewItem]:
    query = sa.select(ReviewItem).order_by(ReviewItem.id)
    if kind is not None:
        query = query.where(ReviewItem.kind == kind.value)
    if status is not None:
        query = query.where(ReviewItem.status == status.value)
    return session.scalars(query.limit(limit).offset(offset)).all()
