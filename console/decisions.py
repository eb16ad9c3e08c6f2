"""Every decision the console can make, each ONE call into the core function the CLI calls too,
so a decision made here writes exactly what the same decision made with `crmhub` writes.

Match reviews and unmerge: `core.matching` (as `crmhub reviews decide|unmerge`); ownership
disputes: `core.assignment.resolve_dispute` (as `crmhub assign resolve`); conflicts and dead
letters: the sync engine (`core.sync`: `retry_dead_letter`, `discard_dead_letter`, as
`crmhub deadletters`) and `core.sync.resolution` (as `crmhub conflicts resolve`). Queue
depth: the outbox by status and the broker's messages per partition.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.assignment import DisputeResolutionError, resolve_dispute
from core.config.matching import MatchingConfig
from core.matching import ReviewAction, decide_match_review, unmerge_entity
from core.merging import MergeError
from core.store import OutboxItem
from core.sync import discard_dead_letter as discard_letter
from core.sync import retry_dead_letter as retry_letter
from core.sync.context import SyncContext
from core.sync.resolution import resolve_and_queue
from workers.broker import Broker, BrokerTarget

__all__ = [
    "DecisionError",
    "broker_depth",
    "decide_match",
    "discard_dead_letter",
    "outbox_depth",
    "resolve_conflict",
    "retry_dead_letter",
    "settle_dispute",
    "unmerge",
]

# what the core functions raise when a decision cannot be made as asked (CanonicalValidationError
# and DisputeResolutionError are ValueErrors too); shown to the operator, nothing is written
DecisionError = (ValueError, MergeError, DisputeResolutionError)


def decide_match(
    session: Session,
    review_id: int,
    action: ReviewAction,
    *,
    config: MatchingConfig,
    actor: str,
    reason: str | None,
    candidate_id: uuid.UUID | None,
) -> None:
    decide_match_review(
        session, review_id, action, config=config, actor=actor, reason=reason,
        candidate_id=candidate_id,
    )  # fmt: skip


def unmerge(
    session: Session,
    entity_id: uuid.UUID,
    *,
    config: MatchingConfig,
    actor: str,
    reason: str | None,
) -> uuid.UUID:
    """Undo the latest merge of `entity_id` (kept apart afterwards); returns the survivor."""
    merge = unmerge_entity(session, entity_id, config=config, actor=actor, reason=reason)
    return merge.survivor_id


def settle_dispute(
    session: Session, review_id: int, owner_id: uuid.UUID | None, *, actor: str, reason: str | None
) -> str:
    return resolve_dispute(session, review_id, owner_id, actor=actor, reason=reason).reason


def resolve_conflict(
    session: Session,
    conflict_id: int,
    *,
    take: str | None,
    value: str | None,
    actor: str,
    reason: str | None,
    config: MatchingConfig,
    sync: SyncContext | None = None,
) -> None:
    """Take a side (`take`: a connection) or the operator's typed `value` (text), read and
    checked as `crmhub conflicts resolve` reads it; with the connections known, the writes
    that carry the value to the other CRMs are queued in the same transaction, as there."""
    resolve_and_queue(
        session, conflict_id, take=take, text=value, actor=actor, why=reason, sync=sync,
        matching=config,
    )  # fmt: skip


def retry_dead_letter(session: Session, dead_letter_id: int, *, actor: str) -> None:
    retry_letter(session, dead_letter_id, actor=actor)


def discard_dead_letter(session: Session, dead_letter_id: int, *, actor: str, reason: str) -> None:
    discard_letter(session, dead_letter_id, actor=actor, reason=reason)


def outbox_depth(session: Session) -> dict[str, dict[str, int]]:
    """Outbox items per connection and status (pending, published, done, dead, superseded)."""
    found: dict[str, dict[str, int]] = {}
    query = sa.select(OutboxItem.connection, OutboxItem.status, sa.func.count()).group_by(
        OutboxItem.connection, OutboxItem.status
    )
    for connection, status, count in session.execute(query):
        found.setdefault(connection, {})[status] = count
    return found


def broker_depth(target: BrokerTarget | None) -> dict[str, Any] | None:
    """Messages waiting in the broker per write partition (published, not yet taken by a
    writer), from the same place `crmhub queue` reads; None without a broker, and one line
    saying so when it cannot be reached (the page still shows everything else)."""
    if target is None:
        return None
    try:
        with Broker(target, connect_retries=0) as broker:
            depths = broker.depths()
    except Exception as exc:  # any transport error: the dashboard must still render
        return {f"{target.display} unreachable": type(exc).__name__}
    return {f"partition {p:02d}": n for p, n in depths.items() if n} or {"all partitions": 0}
