"""Every decision the console can make, each ONE call into the core function the CLI calls too,
so a decision made here writes exactly what the same decision made with `crmhub` writes.

Match reviews and unmerge: `core.matching` (as `crmhub reviews decide|unmerge`); ownership
disputes: `core.assignment.resolve_dispute` (as `crmhub assign resolve`); conflicts and dead
letters: the sync engine (`core.sync`: `retry_dead_letter`, `discard_dead_letter`, as
`crmhub deadletters`); conflicts for now through `console.sync_standin` (see there) until
`core/sync/conflicts.py` lands. Queue depth: the outbox by status (the workers' broker depth is
added when they provide it).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from console import sync_standin
from core.assignment import DisputeResolutionError, resolve_dispute
from core.config.matching import MatchingConfig
from core.matching import ReviewAction, decide_match_review, unmerge_entity
from core.merging import MergeError
from core.store import Conflict, OutboxItem
from core.sync import discard_dead_letter as discard_letter
from core.sync import retry_dead_letter as retry_letter

__all__ = [
    "DecisionError",
    "broker_depth",
    "decide_match",
    "discard_dead_letter",
    "outbox_depth",
    "resolve_conflict",
    "retry_dead_letter",
    "settle_dispute",
    "typed_value",
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


def typed_value(text: str, sides: list[dict[str, Any]]) -> Any:
    """What an operator typed, as the field's value: text for a text field; JSON for lists,
    amounts and numbers (a field whose sides hold such values). The canonical model checks it."""
    if all(isinstance(s.get("value"), str | None) for s in sides):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def resolve_conflict(
    session: Session,
    conflict_id: int,
    *,
    take: str | None,
    value: str | None,
    actor: str,
    reason: str | None,
    config: MatchingConfig,
) -> None:
    """Take a side (`take`: a connection) or the operator's typed `value` (text)."""
    if value is None:
        sync_standin.resolve_conflict(
            session, conflict_id, take=take, actor=actor, reason=reason, matching=config
        )
        return
    conflict = session.get(Conflict, conflict_id)
    typed = typed_value(value, list(conflict.sides) if conflict else [])
    sync_standin.resolve_conflict(
        session, conflict_id, take=take, value=typed, actor=actor, reason=reason, matching=config
    )


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


def broker_depth() -> dict[str, Any] | None:
    """Messages waiting in the broker per queue, once the workers expose it; None until then."""
    return None
