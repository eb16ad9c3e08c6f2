"""STAND-IN for the sync engine's conflict resolution (issue 8), written against its contract
(ISSUE8.md: `crmhub conflicts resolve ID --take SOURCE|--value V [--why TEXT]`) while
`core/sync/conflicts.py` is being built in parallel. Delete this module when it lands:
`console/decisions.py` then calls the real function.

`resolve_conflict(session, conflict_id, *, take=None, value=None, actor, reason=None)`: the
golden field takes one side's value or a typed one (checked by the canonical model), the
conflict and its review are closed, audited under the operator. Unlike the real one it plans
no writes to the CRMs (that is the sync planner's job).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.reviews import ReviewStatus, close_review
from core.store import Conflict, Entity, ReviewItem
from core.store.base import utcnow
from mapping.model import MODEL_BY_KIND, EntityKind, validate_record

__all__ = ["resolve_conflict"]


def _typed(text: str, sides: list[dict[str, Any]]) -> Any:
    # a field whose values are not text (lists, money, numbers) is typed as JSON
    if all(isinstance(s.get("value"), str | None) for s in sides):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    copy = dict(data)
    if rest:
        inner = copy.get(head)
        copy[head] = _set_path(inner if isinstance(inner, dict) else {}, rest, value)
    else:
        copy[head] = value
    return copy


def _get_path(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def resolve_conflict(
    session: Session,
    conflict_id: int,
    *,
    take: str | None = None,
    value: str | None = None,
    actor: str,
    reason: str | None = None,
) -> Conflict:
    conflict = session.get(Conflict, conflict_id, with_for_update=True)
    if conflict is None:
        raise ValueError(f"no conflict {conflict_id}")
    if conflict.status != "open":
        raise ValueError(f"conflict {conflict_id} is already {conflict.status}")
    if (take is None) == (value is None):
        raise ValueError("take one side or type a value (one of them)")
    sides: list[dict[str, Any]] = list(conflict.sides)
    if take is not None:
        chosen = next((s for s in sides if s.get("connection") == take), None)
        if chosen is None:
            raise ValueError(f"{take!r} is not a side of conflict {conflict_id}")
        new = chosen.get("value")
    else:
        new = _typed(value or "", sides)
    entity = session.get(Entity, conflict.entity_id, with_for_update=True)
    if entity is None:
        raise ValueError(f"conflict {conflict_id} names no entity")
    model = MODEL_BY_KIND[EntityKind(entity.kind)]
    checked = validate_record(model, _set_path(entity.data, conflict.field, new))
    new = _get_path(checked.model_dump(mode="json"), conflict.field)  # in its canonical form
    data = _set_path(entity.data, conflict.field, new)
    before = conflict.golden
    entity.data, entity.version = data, entity.version + 1
    conflict.status, conflict.resolved_at, conflict.resolved_by = "resolved", utcnow(), actor
    conflict.resolution = {"take": take} if take is not None else {"value": new}
    record_audit(
        session, actor_kind=ActorKind.OPERATOR, actor=actor, action="conflict.resolved",
        entity_id=entity.id, entity_kind=entity.kind, field=conflict.field, before=before,
        after=new, source=take, reason=reason,
    )  # fmt: skip
    if conflict.review_item_id is not None:
        item = session.get(ReviewItem, conflict.review_item_id)
        if item is not None and item.status == ReviewStatus.OPEN.value:
            close_review(
                session, item, status=ReviewStatus.RESOLVED, actor=actor,
                resolution={"conflict": conflict.id, **conflict.resolution}, reason=reason,
            )  # fmt: skip
    session.flush()
    return conflict
