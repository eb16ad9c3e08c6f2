"""Write results, as the workers use them: the sync engine's contract (`core.sync.results`).

INTERIM: the sync engine (issue 8) owns these four functions and is building them in
parallel; until its `core/sync/results.py` is merged, this module implements the contract's
minimum (link on create, item done / retried / dead, dead letter + review) so the workers can
be built and tested. When it lands this module becomes a re-export of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import PushItem, PushOutcome, PushResult, WriteMode, WriteOp
from core.audit import ActorKind, record_audit
from core.reviews import ReviewKind, ReviewStatus, close_review, open_review
from core.store import DeadLetter, Link, OutboxItem, ReviewItem
from core.store.base import utcnow

__all__ = [
    "ResultCounts",
    "apply_push_results",
    "discard_dead_letter",
    "push_items",
    "retry_dead_letter",
]

_LIVE = ("pending", "published")


@dataclass
class ResultCounts:
    done: int = 0
    linked: int = 0
    retried: int = 0
    dead: int = 0
    ignored: int = 0


def push_items(items: Sequence[OutboxItem]) -> list[PushItem]:
    return [
        PushItem(
            key=item.idempotency_key,
            op=WriteOp(item.operation),
            payload=dict(item.payload),
            remote_id=item.remote_id,
            mode=WriteMode(item.mode),
        )
        for item in items
    ]


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2.0 ** max(attempts - 1, 0), 300.0))


def _link(session: Session, item: OutboxItem, remote_id: str) -> bool:
    known = session.scalar(
        sa.select(Link).where(
            Link.connection == item.connection,
            Link.kind == item.kind,
            Link.remote_id == remote_id,
        )
    )
    if known is not None:
        return False
    session.add(
        Link(entity_id=item.entity_id, connection=item.connection, kind=item.kind,
             remote_id=remote_id)
    )  # fmt: skip
    return True


def apply_push_results(
    session: Session,
    items: Sequence[OutboxItem],
    results: Sequence[PushResult],
    *,
    actor: str = "writer",
) -> ResultCounts:
    counts = ResultCounts()
    now = utcnow()
    for item, result in zip(items, results, strict=True):
        if item.status not in _LIVE:
            counts.ignored += 1
            continue
        if result.outcome in (PushOutcome.OK, PushOutcome.ALREADY_EXISTS):
            if result.remote_id and item.operation == WriteOp.CREATE:
                counts.linked += _link(session, item, result.remote_id)
            item.status, item.done_at, item.last_error = "done", now, None
            counts.done += 1
            record_audit(
                session, actor_kind=ActorKind.SYNC, actor=actor, action=f"write.{item.operation}",
                entity_id=item.entity_id, entity_kind=item.kind, source=item.connection,
                after=result.remote_id, reason=result.outcome.value,
            )  # fmt: skip
        elif result.outcome is PushOutcome.RETRY:
            item.attempts += 1
            item.status = "pending"
            item.not_before = now + _backoff(item.attempts)
            item.last_error = f"{result.error_code or ''} {result.error_message or ''}".strip()
            counts.retried += 1
        else:
            item.attempts += 1
            item.status = "dead"
            item.last_error = f"{result.error_code or ''} {result.error_message or ''}".strip()
            session.add(
                DeadLetter(
                    outbox_id=item.id, connection=item.connection, kind=item.kind,
                    entity_id=item.entity_id, operation=item.operation, payload=item.payload,
                    error_code=result.error_code, error_message=result.error_message,
                    attempts=item.attempts,
                )
            )  # fmt: skip
            open_review(
                session,
                ReviewKind.DEAD_LETTER,
                f"{item.connection} refused {item.operation} of {item.kind}: "
                f"{result.error_code or ''} {result.error_message or ''}".strip(),
                {"outbox_id": item.id, "connection": item.connection},
                entity_id=item.entity_id,
                entity_kind=item.kind,
            )
            counts.dead += 1
    return counts


def _open_letter(session: Session, dead_letter_id: int) -> DeadLetter:
    letter = session.get(DeadLetter, dead_letter_id)
    if letter is None:
        raise LookupError(f"no dead letter {dead_letter_id}")
    if letter.status != "open":
        raise ValueError(f"dead letter {dead_letter_id} is already {letter.status}")
    return letter


def _close_letter_review(session: Session, letter: DeadLetter, actor: str, how: str) -> None:
    for review in session.scalars(
        sa.select(ReviewItem).where(
            ReviewItem.kind == ReviewKind.DEAD_LETTER.value, ReviewItem.status == "open"
        )
    ):
        if review.payload.get("outbox_id") == letter.outbox_id:
            close_review(
                session, review, status=ReviewStatus.RESOLVED, actor=actor,
                resolution={"dead_letter": letter.id, "decision": how},
            )  # fmt: skip


def retry_dead_letter(session: Session, dead_letter_id: int, *, actor: str) -> OutboxItem:
    letter = _open_letter(session, dead_letter_id)
    original = session.get(OutboxItem, letter.outbox_id)
    assert original is not None
    item = OutboxItem(
        connection=letter.connection, kind=letter.kind, entity_id=letter.entity_id,
        operation=letter.operation, mode=original.mode, payload=letter.payload,
        partition=original.partition, priority=original.priority, status="pending",
        idempotency_key=f"{original.idempotency_key[:40]}:retry:{letter.id}",
        remote_id=original.remote_id,
    )  # fmt: skip
    session.add(item)
    letter.status, letter.decided_at, letter.decided_by = "retried", utcnow(), actor
    _close_letter_review(session, letter, actor, "retry")
    session.flush()
    return item


def discard_dead_letter(
    session: Session, dead_letter_id: int, *, actor: str, reason: str
) -> DeadLetter:
    letter = _open_letter(session, dead_letter_id)
    letter.status, letter.decided_at, letter.decided_by = "discarded", utcnow(), actor
    letter.reason = reason
    _close_letter_review(session, letter, actor, "discard")
    record_audit(
        session, actor_kind=ActorKind.OPERATOR, actor=actor, action="dead_letter.discard",
        entity_id=letter.entity_id, entity_kind=letter.kind, source=letter.connection,
        reason=reason,
    )  # fmt: skip
    return letter
