"""STAND-IN for the sync engine's conflict resolution (issue 8), written against its contract
(ISSUE8.md: `crmhub conflicts resolve ID --take SOURCE|--value V [--why TEXT]`) and the shape
of `core.sync.conflicts.resolve_conflict` being built on the sync branch (not yet committed
there). Delete this module when it lands: `console/decisions.py` then imports the real one,
whose signature and writes this one copies (golden value, version, blocking keys, the conflict
and its review closed, audited under the operator); like it, it plans no writes itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.config.matching import MatchingConfig
from core.matching import index_entity
from core.reviews import ReviewStatus, close_review
from core.store import Conflict, Entity, ReviewItem
from core.store.base import utcnow
from core.sync.values import get_path, set_path
from mapping.model import MODEL_BY_KIND, CanonicalValidationError, EntityKind, validate_record

__all__ = ["UNSET", "ConflictError", "resolve_conflict"]

UNSET: Any = object()


class ConflictError(ValueError):
    """A resolution that cannot be carried out (the message says why and what to do)."""


def _chosen(conflict: Conflict, take: str | None, value: Any) -> tuple[Any, str]:
    if (take is None) == (value is UNSET):
        raise ConflictError("give exactly one of: a side to take, or a value")
    if take is None:
        return value, "typed value"
    for side in conflict.sides:
        if side["connection"] == take:
            return side["value"], f"took {take}"
    known = ", ".join(s["connection"] for s in conflict.sides)
    raise ConflictError(f"conflict {conflict.id} has no side {take!r} (sides: {known})")


def resolve_conflict(
    session: Session,
    conflict_id: int,
    *,
    actor: str,
    take: str | None = None,
    value: Any = UNSET,
    reason: str | None = None,
    matching: MatchingConfig | None = None,
) -> Conflict:
    conflict = session.get(Conflict, conflict_id, with_for_update=True)
    if conflict is None:
        raise ConflictError(f"no conflict {conflict_id}")
    if conflict.status != "open":
        raise ConflictError(f"conflict {conflict_id} is already {conflict.status}")
    entity = session.get(Entity, conflict.entity_id, with_for_update=True)
    if entity is None or entity.status != "active":
        raise ConflictError(f"conflict {conflict_id}: its entity is no longer active")
    chosen, how = _chosen(conflict, take, value)
    before = get_path(entity.data, conflict.field)
    model = MODEL_BY_KIND[EntityKind(entity.kind)]
    try:
        checked = validate_record(model, set_path(entity.data, conflict.field, chosen))
    except CanonicalValidationError as exc:
        problems = "; ".join(str(e) for e in exc.errors)
        raise ConflictError(f"{conflict.field} cannot be {chosen!r}: {problems}") from None
    after = get_path(checked.model_dump(mode="json"), conflict.field)  # its canonical form
    data = set_path(entity.data, conflict.field, after)
    why = f"conflict {conflict.id}: {how}" + (f": {reason}" if reason else "")
    if data != entity.data:
        entity.data, entity.version = data, entity.version + 1
        if entity.kind in ("customer", "contact"):
            index_entity(session, entity.id, entity.kind, data, config=matching or MatchingConfig())
        record_audit(
            session, actor_kind=ActorKind.OPERATOR, actor=actor, action="golden.set",
            entity_id=entity.id, entity_kind=entity.kind, field=conflict.field, before=before,
            after=after, source=take, reason=why,
        )  # fmt: skip
    conflict.status, conflict.resolved_at, conflict.resolved_by = "resolved", utcnow(), actor
    conflict.resolution = {"value": after, "take": take, "reason": reason}
    review = session.get(ReviewItem, conflict.review_item_id) if conflict.review_item_id else None
    if review is not None and review.status == ReviewStatus.OPEN.value:
        close_review(
            session, review, status=ReviewStatus.RESOLVED, actor=actor,
            resolution={"conflict_id": conflict.id, "value": after, "take": take}, reason=reason,
        )  # fmt: skip
    session.flush()
    return conflict
