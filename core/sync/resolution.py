"""An operator's answer to a conflict, the same from the command line and the console: what
they typed read as a value of the field's shape, the conflict resolved, and (when the caller
knows the connections) the writes that carry the value to the other CRMs queued in the same
transaction. Without connections the entity stays marked for the planner: the next plan
writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from core.config.matching import MatchingConfig
from core.store import Conflict
from core.sync.conflicts import ConflictError, resolve_conflict
from core.sync.context import SyncContext
from core.sync.outbox import CommitCounts, commit_plan
from core.sync.plan import Plan
from core.sync.planner import plan_entities

__all__ = ["Resolution", "resolve_and_queue", "typed_value"]


def typed_value(text: str, conflict: Conflict) -> Any:
    """An operator's text as a value of the field's shape (the sides' values show it): a list
    field takes one item or a JSON list; numbers, booleans and amounts are read as JSON; text
    stays text. The canonical model then checks it."""
    samples = [s["value"] for s in conflict.sides] + [conflict.golden, conflict.base]
    sample = next((v for v in samples if v is not None), None)
    if isinstance(sample, str) or sample is None:
        return text
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    if isinstance(sample, list) and not isinstance(parsed, list):
        return [text]
    return parsed


@dataclass
class Resolution:
    conflict: Conflict
    plan: Plan = field(default_factory=Plan)
    queued: CommitCounts = field(default_factory=CommitCounts)


def resolve_and_queue(
    session: Session,
    conflict_id: int,
    *,
    take: str | None,
    text: str | None,
    actor: str,
    why: str | None,
    sync: SyncContext | None = None,
    matching: MatchingConfig | None = None,
) -> Resolution:
    """Take a side (`take`: a connection, or "golden") or the operator's typed `text`; raises
    ConflictError when it cannot be done (nothing is written then)."""
    if (take is None) == (text is None):
        raise ConflictError("take a side or type a value (exactly one)")
    conflict = session.get(Conflict, conflict_id)
    if conflict is None:
        raise ConflictError(f"no conflict {conflict_id}")
    chosen = typed_value(text, conflict) if text is not None else None
    resolved = resolve_conflict(
        session, conflict_id, take=take, value=chosen, actor=actor, why=why,
        matching=sync.matching if sync is not None else matching,
    )  # fmt: skip
    if sync is None:
        return Resolution(resolved)
    plan = plan_entities(session, sync, [resolved.entity_id])
    return Resolution(resolved, plan, commit_plan(session, plan))
