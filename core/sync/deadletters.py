"""An operator's decisions on dead letters (writes a CRM refused for good): retry or discard.

`crmhub deadletters` and the console call these; each closes the letter's review and is audited.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.reviews import ReviewKind, ReviewStatus, close_review
from core.store import DeadLetter, OutboxItem, ReviewItem
from core.store.base import utcnow
from core.sync.values import fingerprint

__all__ = ["discard_dead_letter", "retry_dead_letter"]


def _letter_review(session: Session, letter: DeadLetter) -> ReviewItem | None:
    items = session.scalars(
        sa.select(ReviewItem).where(
            ReviewItem.kind == ReviewKind.DEAD_LETTER.value,
            ReviewItem.status == ReviewStatus.OPEN.value,
            ReviewItem.entity_id == letter.entity_id,
        )
    ).all()
    return next((i for i in items if i.payload.get("dead_letter_id") == letter.id), None)


def _open_letter(session: Session, dead_letter_id: int) -> DeadLetter:
    letter = session.get(DeadLetter, dead_letter_id, with_for_update=True)
    if letter is None:
        raise ValueError(f"no dead letter {dead_letter_id}")
    if letter.status != "open":
        raise ValueError(f"dead letter {dead_letter_id} is already {letter.status}")
    return letter


def retry_dead_letter(session: Session, dead_letter_id: int, *, actor: str) -> OutboxItem:
    """Queue the dead letter's write again (a new pending outbox item); closes its review."""
    letter = _open_letter(session, dead_letter_id)
    original = session.get(OutboxItem, letter.outbox_id)
    if original is None:
        raise ValueError(f"dead letter {dead_letter_id} names no outbox item")
    item = OutboxItem(
        run_id=original.run_id,
        connection=letter.connection,
        kind=letter.kind,
        entity_id=letter.entity_id,
        operation=letter.operation,
        mode=original.mode,
        payload=dict(letter.payload),
        remote_id=original.remote_id,
        canonical=original.canonical,
        entity_version=original.entity_version,
        base_fingerprint=original.base_fingerprint,
        partition=original.partition,
        priority=original.priority,
        status="pending",
        attempts=0,
        idempotency_key=fingerprint([original.idempotency_key, "retry", letter.id]),
    )
    session.add(item)
    session.flush()
    _decide(session, letter, "retried", actor, None, {"action": "retry", "outbox_id": item.id})
    return item


def discard_dead_letter(
    session: Session, dead_letter_id: int, *, actor: str, reason: str | None = None
) -> DeadLetter:
    """Give up on the dead letter's write (the CRM keeps what it has); closes its review."""
    letter = _open_letter(session, dead_letter_id)
    _decide(session, letter, "discarded", actor, reason, {"action": "discard"})
    return letter


def _decide(
    session: Session,
    letter: DeadLetter,
    status: str,
    actor: str,
    reason: str | None,
    resolution: dict[str, Any],
) -> None:
    letter.status = status
    letter.decided_at = utcnow()
    letter.decided_by = actor
    letter.reason = reason
    review = _letter_review(session, letter)
    if review is not None:
        close_review(
            session,
            review,
            status=ReviewStatus.RESOLVED if status == "retried" else ReviewStatus.DISMISSED,
            actor=actor,
            resolution={"dead_letter_id": letter.id, **resolution},
            reason=reason,
        )
    else:
        record_audit(
            session,
            actor_kind=ActorKind.OPERATOR,
            actor=actor,
            action=f"dead_letter.{status}",
            entity_id=letter.entity_id,
            entity_kind=letter.kind,
            after={"dead_letter_id": letter.id, **resolution},
            reason=reason,
        )
    session.flush()
