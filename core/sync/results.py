"""Write results: what a push did to the store (what the workers call after every push).

- `push_items(items)`: outbox rows as the connector's `PushItem`s (key = idempotency key).
- `mark_sent(session, items)`: commit, before calling the CRM, that the creates among `items`
  are being sent; a later push of one of them carries that time (`PushItem.sent_at`), so the
  connector can look for what a push whose answer was lost made.
- `apply_push_results(session, items, results, actor=...)`: per result, in the caller's
  transaction. OK: a create is linked, the link's base snapshot becomes what was written (with
  the write's fingerprint and the remote modified time), the item is done, the write audited.
  ALREADY_EXISTS: the entity is linked to the record the CRM named (and re-planned, so values
  that differ are updated). RETRY: back to pending, attempts + 1, `not_before` after a backoff
  (dead after `MAX_ATTEMPTS`). FAILED: dead, with a dead letter and a `dead_letter` review
  holding the remote code and message. Items already done, dead or superseded are left alone:
  applying the same results twice changes nothing.
- `retry_dead_letter` / `discard_dead_letter` (from `core.sync.deadletters`): an operator's
  decision on a dead letter.

A create answered with a record that is already linked to another entity (the CRM's
duplicate check found it) is not linked twice: a match review asks whether the two entities are
one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import PushItem, PushOutcome, PushResult, WriteMode, WriteOp
from core.audit import ActorKind, AuditRecord, record_audit, record_audits
from core.reviews import ReviewKind, open_review
from core.store import DeadLetter, Link, OutboxItem, SourceRecord
from core.store.base import utcnow
from core.sync.deadletters import discard_dead_letter, retry_dead_letter
from core.sync.links import LinkStatus, make_link, open_duplicate_review
from core.sync.lookups import ResultLookups
from core.sync.snapshots import (
    mark_dirty,
    mark_followers_dirty,
    record_pulled,
    record_written,
)

__all__ = [
    "MAX_ATTEMPTS",
    "ItemStatus",
    "ResultCounts",
    "apply_push_results",
    "discard_dead_letter",
    "has_unsent_creates",
    "mark_sent",
    "push_items",
    "retry_dead_letter",
    "retry_delay",
]

MAX_ATTEMPTS = 8


class ItemStatus(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    DONE = "done"
    DEAD = "dead"
    SUPERSEDED = "superseded"


FINAL = frozenset({ItemStatus.DONE, ItemStatus.DEAD, ItemStatus.SUPERSEDED})


@dataclass
class ResultCounts:
    """What one batch of results did."""

    done: int = 0
    linked: int = 0  # creates (and already-existing records) that got a link
    already_existed: int = 0
    duplicates: int = 0  # answered with a record linked to another entity: a match review
    retried: int = 0
    dead: int = 0
    ignored: int = 0  # already done, dead or superseded (a republished message)

    def add(self, other: ResultCounts) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def to_data(self) -> dict[str, int]:
        return asdict(self)


def push_items(items: Sequence[OutboxItem]) -> list[PushItem]:
    """The connector's view of outbox items (one `kind` per push call: group them first)."""
    return [
        PushItem(
            key=item.idempotency_key,
            op=WriteOp(item.operation),
            payload=dict(item.payload),
            remote_id=item.remote_id,
            mode=WriteMode(item.mode),
            sent_at=item.sent_at if _is_create(item) else None,
        )
        for item in items
    ]


def _is_create(item: OutboxItem) -> bool:
    return item.operation == WriteOp.CREATE.value and not item.remote_id


def _unsent_creates(items: Sequence[OutboxItem]) -> list[int]:
    return [item.id for item in items if _is_create(item) and item.sent_at is None]


def has_unsent_creates(items: Sequence[OutboxItem]) -> bool:
    """Whether `mark_sent` has anything to record (a batch of updates opens no transaction)."""
    return bool(_unsent_creates(items))


def mark_sent(session: Session, items: Sequence[OutboxItem], now: datetime | None = None) -> None:
    """Record that the creates among `items` are about to be pushed (the first push's time is
    kept). Call it in a transaction of its own, committed before the CRM is called; the
    `items` objects keep the time they were loaded with, what `push_items` must pass on."""
    creates = _unsent_creates(items)
    if creates:
        session.execute(
            sa.update(OutboxItem)
            .where(OutboxItem.id.in_(creates), OutboxItem.sent_at.is_(None))
            .values(sent_at=now or utcnow())
        )


def retry_delay(attempts: int) -> timedelta:
    """How long a transiently failed write waits: 30 s doubling per attempt, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def apply_push_results(
    session: Session,
    items: Sequence[OutboxItem],
    results: Sequence[PushResult],
    *,
    actor: str = "writer",
) -> ResultCounts:
    """Record what the CRM answered for each item (see the module docstring)."""
    counts = ResultCounts()
    ids = [item.id for item in items]
    rows = {
        row.id: row
        for row in session.scalars(
            sa.select(OutboxItem).where(OutboxItem.id.in_(ids)).with_for_update()
        )
    }
    by_key = {result.key: result for result in results}
    known = ResultLookups(session, rows.values(), by_key)
    applied = _Applied(session, known, actor, counts)
    for item_id in ids:
        row = rows.get(item_id)
        if row is None or row.status in FINAL:
            counts.ignored += 1
            continue
        result = by_key.get(row.idempotency_key)
        if result is None:
            result = PushResult(
                row.idempotency_key, PushOutcome.RETRY, None, None, "NO_RESULT",
                "the push returned no result for this item",
            )  # fmt: skip
        if result.outcome is PushOutcome.OK:
            applied.ok(row, result)
        elif result.outcome is PushOutcome.ALREADY_EXISTS:
            applied.already_exists(row, result)
        elif result.outcome is PushOutcome.RETRY and row.attempts + 1 < MAX_ATTEMPTS:
            _retry(row, result.error_code, result.error_message, counts)
        else:
            _dead(session, row, result.error_code, result.error_message, actor, counts)
    applied.settle()
    mark_dirty(session, applied.dirty)
    mark_followers_dirty(session, applied.created_customers)
    record_audits(session, applied.audits)
    session.flush()
    return counts


def _write_audit(row: OutboxItem, actor: str, remote_id: str | None, note: str) -> AuditRecord:
    return AuditRecord(
        actor_kind=ActorKind.SYNC,
        actor=actor,
        action=f"write.{row.operation}",
        entity_id=row.entity_id,
        entity_kind=row.kind,
        after={
            "connection": row.connection,
            "remote_id": remote_id,
            "outbox_id": row.id,
            "fields": sorted(row.canonical or {}),
        },
        source=row.connection,
        reason=note,
        run_id=row.run_id,
    )


def _finish(row: OutboxItem, counts: ResultCounts, note: str | None = None) -> None:
    row.status = ItemStatus.DONE.value
    row.done_at = utcnow()
    row.last_error = note
    counts.done += 1


class _Applied:
    """Applying one batch's OK and ALREADY_EXISTS results: what they collect for the batch's
    end (audits, entities to plan again, created customers whose followers are planned)."""

    def __init__(self, session: Session, known: ResultLookups, actor: str, counts: ResultCounts):
        self.session, self.known, self.actor, self.counts = session, known, actor, counts
        self.audits: list[AuditRecord] = []
        self.dirty: set[uuid.UUID] = set()
        self.created_customers: set[uuid.UUID] = set()  # their followers are planned again
        # links made for creates, waiting for their ids: (link, planned version, values, result)
        self.made: list[tuple[Link, int | None, dict[str, object], PushResult]] = []

    def ok(self, row: OutboxItem, result: PushResult) -> None:
        session, actor, counts = self.session, self.actor, self.counts
        written = dict(row.canonical or {})
        if row.operation == WriteOp.CREATE:
            if not result.remote_id:
                _dead(session, row, "NO_ID", "the CRM answered a create without a record id",
                      actor, counts)  # fmt: skip
                return
            link, made = self._link_created(row, result.remote_id, flush=False)
            if link is not None and made:  # its base once new links have their ids (`settle`)
                self.made.append((link, row.entity_version, written, result))
            elif link is not None:
                self._written(link, written, result)
                self._replan_if_moved(link.entity_id, row.entity_version)
            self.audits.append(_write_audit(row, actor, result.remote_id, "created"))
            _finish(row, counts, None if link is not None else "linked to another entity: review")
            return
        link = self.known.link(row.connection, row.kind, row.remote_id or "")
        if row.operation == WriteOp.DELETE:
            if link is not None:
                link_retired = link.status != LinkStatus.DELETED
                link.status = LinkStatus.DELETED.value
                if link_retired:
                    self.audits.append(
                        _write_audit(row, actor, row.remote_id, "deleted: link retired")
                    )
        elif link is not None and link.status == LinkStatus.ACTIVE:
            self._written(link, written, result)
            self.audits.append(_write_audit(row, actor, row.remote_id, "updated"))
        _finish(row, counts)

    def settle(self) -> None:
        """The bases of the links made for this batch's creates: one flush gives them all their
        ids (a flush per link was a fifth of a writer's time in a first sync)."""
        if not self.made:
            return
        self.session.flush()
        for link, planned, written, result in self.made:
            self.known.bases[link.id] = record_written(
                self.session, link, written, result.modified_at, base=None, fresh=True
            )
            self._replan_if_moved(link.entity_id, planned)
        self.made.clear()

    def _written(self, link: Link, written: dict[str, object], result: PushResult) -> None:
        base = self.known.base(link)
        self.known.bases[link.id] = record_written(
            self.session, link, written, result.modified_at, base=base, fresh=base is None
        )

    def _replan_if_moved(self, entity_id: uuid.UUID, planned: int | None) -> None:
        """The golden record changed while its create was on its way: the planner skipped it
        then (a create in flight) and marked it planned, so nothing would ever write it."""
        if planned is None or self.known.version(entity_id) != planned:
            self.dirty.add(entity_id)

    def _link_created(
        self, row: OutboxItem, remote_id: str, *, flush: bool = True
    ) -> tuple[Link | None, bool]:
        """The link of a created (or found) record, None when it belongs to another entity; and
        whether it was made now (without `flush`, it has no id until the session is flushed)."""
        session, counts = self.session, self.counts
        entity_id = self.known.entity(row.entity_id)
        link = self.known.link(row.connection, row.kind, remote_id)
        if link is None:
            counts.linked += 1
            if row.kind == "customer":
                self.created_customers.add(entity_id)
            link = make_link(
                session, entity_id, row.connection, row.kind, remote_id, actor=self.actor,
                reason=f"{row.operation} answered by {row.connection}", run_id=row.run_id,
                flush=flush,
            )  # fmt: skip
            self.known.made(link)
            return link, True
        if self.known.entity(link.entity_id) == entity_id:
            link.status = LinkStatus.ACTIVE.value
            return link, False
        counts.duplicates += 1
        open_duplicate_review(
            session, entity_id, self.known.entity(link.entity_id),
            connection=row.connection, remote_id=remote_id,
        )  # fmt: skip
        return None, False

    def already_exists(self, row: OutboxItem, result: PushResult) -> None:
        session, counts = self.session, self.counts
        counts.already_existed += 1
        if not result.remote_id:
            _dead(session, row, result.error_code or "DUPLICATE",
                  result.error_message or "the CRM has this record already but did not say which",
                  self.actor, counts)  # fmt: skip
            return
        link, _ = self._link_created(row, result.remote_id)
        if link is not None:
            # what that record holds, if we pulled it; else the next pull brings its base
            known = session.scalars(
                sa.select(SourceRecord).where(
                    SourceRecord.connection == row.connection,
                    SourceRecord.kind == row.kind,
                    SourceRecord.remote_id == result.remote_id,
                    SourceRecord.status == "ok",
                )
            ).first()
            if known is not None and known.mapped is not None:
                base = self.known.base(link)
                self.known.bases[link.id] = record_pulled(
                    session, link, known.mapped, known.remote_modified_at, base=base,
                    fresh=base is None,
                )  # fmt: skip
            self.dirty.add(link.entity_id)  # re-plan: an update where values differ
        self.audits.append(
            _write_audit(row, self.actor, result.remote_id, "already existed: linked")
        )
        _finish(row, counts, f"already existed as {result.remote_id}")


def _retry(row: OutboxItem, code: str | None, message: str | None, counts: ResultCounts) -> None:
    row.attempts += 1
    row.last_error = _error_text(code, message)
    row.status = ItemStatus.PENDING.value
    row.not_before = utcnow() + retry_delay(row.attempts)
    counts.retried += 1


def _error_text(code: str | None, message: str | None) -> str:
    return ": ".join(part for part in (code, message) if part) or "no reason given"


def _dead(
    session: Session,
    row: OutboxItem,
    code: str | None,
    message: str | None,
    actor: str,
    counts: ResultCounts,
) -> None:
    row.attempts += 1
    row.status = ItemStatus.DEAD.value
    row.done_at = utcnow()
    row.last_error = _error_text(code, message)
    if row.attempts >= MAX_ATTEMPTS:
        row.last_error = f"gave up after {row.attempts} attempts: {row.last_error}"
    letter = DeadLetter(
        outbox_id=row.id,
        connection=row.connection,
        kind=row.kind,
        entity_id=row.entity_id,
        operation=row.operation,
        payload=dict(row.payload),
        error_code=code,
        error_message=message,
        attempts=row.attempts,
        status="open",
    )
    session.add(letter)
    session.flush()
    open_review(
        session,
        ReviewKind.DEAD_LETTER,
        f"{row.connection} refused to {row.operation} {row.kind}: {row.last_error}",
        {
            "dead_letter_id": letter.id,
            "outbox_id": row.id,
            "connection": row.connection,
            "operation": row.operation,
            "remote_id": row.remote_id,
            "error_code": code,
            "error_message": message,
            "payload": dict(row.payload),
        },
        entity_id=row.entity_id,
        entity_kind=row.kind,
    )
    record_audit(
        session,
        actor_kind=ActorKind.SYNC,
        actor=actor,
        action="write.dead",
        entity_id=row.entity_id,
        entity_kind=row.kind,
        after={"connection": row.connection, "outbox_id": row.id, "dead_letter_id": letter.id},
        source=row.connection,
        reason=row.last_error,
        run_id=row.run_id,
    )
    counts.dead += 1
