"""Conflicts: a field changed on several CRMs to different values under the `manual` policy.

A conflict keeps the common base, every side's value and time, the golden value (unchanged
while the conflict is open) and the policy; it is a `conflict` item of the operators' queue.
More changes of the field while it is open update its sides. An operator resolves it by taking
a side's value or typing one (validated by the canonical model); the golden record changes,
the resolution is audited with who, when and why, and the next plan writes the value to every
CRM that holds something else (`resolve_conflict` then `plan_entities`, as the CLI does).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.config.matching import MatchingConfig
from core.matching import index_entity
from core.merging import Candidate
from core.reviews import ReviewKind, ReviewStatus, close_review, open_review
from core.store import Conflict, Entity, ReviewItem
from core.store.base import utcnow
from core.sync.merge import apply_changes, rederived
from core.sync.values import get_path
from mapping.model import CanonicalValidationError

__all__ = [
    "ConflictError",
    "ConflictSide",
    "list_conflicts",
    "open_conflict",
    "open_conflict_paths",
    "resolve_conflict",
]


class ConflictError(ValueError):
    """A resolution that cannot be carried out (the message says why and what to do)."""


@dataclass(frozen=True, slots=True)
class ConflictSide:
    connection: str
    remote_id: str | None
    value: Any
    modified_at: str | None

    def to_data(self) -> dict[str, Any]:
        return {
            "connection": self.connection,
            "remote_id": self.remote_id,
            "value": self.value,
            "modified_at": self.modified_at,
        }

    @classmethod
    def of(cls, candidate: Candidate[Any], remote_id: str | None) -> ConflictSide:
        at = candidate.modified_at.isoformat() if candidate.modified_at else None
        return cls(candidate.source, remote_id, candidate.value, at)


def open_conflict_paths(session: Session, entity_id: uuid.UUID) -> set[str]:
    return set(
        session.scalars(
            sa.select(Conflict.field).where(
                Conflict.entity_id == entity_id, Conflict.status == "open"
            )
        )
    )


def _summary(entity: Entity, path: str, sides: Sequence[dict[str, Any]]) -> str:
    name = entity.data.get("name") or entity.data.get("full_name") or entity.id
    said = ", ".join(f"{s['connection']} says {s['value']!r}" for s in sides)
    return f"{entity.kind} {name}: {path} changed on several sides ({said})"


def open_conflict(
    session: Session,
    entity: Entity,
    path: str,
    *,
    base: Any,
    sides: Sequence[ConflictSide],
    policy: str,
    run_id: int | None = None,
) -> Conflict:
    """Open a conflict on `entity`'s field `path`, or record new sides on the open one."""
    existing = session.scalars(
        sa.select(Conflict).where(
            Conflict.entity_id == entity.id, Conflict.field == path, Conflict.status == "open"
        )
    ).first()
    golden = get_path(entity.data, path)
    if existing is not None:
        merged = {s["connection"]: s for s in existing.sides}
        merged.update({s.connection: s.to_data() for s in sides})
        existing.sides = list(merged.values())
        existing.golden = golden
        return existing
    data = [s.to_data() for s in sides]
    conflict = Conflict(
        entity_id=entity.id, field=path, base=base, sides=data, golden=golden, policy=policy
    )
    session.add(conflict)
    session.flush()
    item = open_review(
        session,
        ReviewKind.CONFLICT,
        _summary(entity, path, data),
        {"conflict_id": conflict.id, "field": path, "base": base, "sides": data, "golden": golden},
        entity_id=entity.id,
        entity_kind=entity.kind,
    )
    conflict.review_item_id = item.id
    record_audit(
        session,
        actor_kind=ActorKind.SYNC,
        actor="sync",
        action="conflict.opened",
        entity_id=entity.id,
        entity_kind=entity.kind,
        field=path,
        before=base,
        after={"conflict_id": conflict.id, "sides": data, "golden": golden},
        reason=f"policy {policy}: an operator chooses",
        run_id=run_id,
    )
    return conflict


def list_conflicts(
    session: Session, *, status: str | None = "open", limit: int = 100, offset: int = 0
) -> Sequence[Conflict]:
    query = sa.select(Conflict).order_by(Conflict.id)
    if status is not None:
        query = query.where(Conflict.status == status)
    return session.scalars(query.limit(limit).offset(offset)).all()


def _chosen(conflict: Conflict, take: str | None, value: Any) -> tuple[Any, str]:
    if (take is None) == (value is None):
        raise ConflictError("give exactly one of: a side to take, or a value")
    if take is None:
        return value, "typed value"
    for side in conflict.sides:
        if side["connection"] == take:
            return side["value"], f"took {take}"
    if take == "golden":
        return conflict.golden, "kept the golden value"
    known = ", ".join([s["connection"] for s in conflict.sides] + ["golden"])
    raise ConflictError(f"conflict {conflict.id} has no side {take!r} (sides: {known})")


def resolve_conflict(
    session: Session,
    conflict_id: int,
    *,
    take: str | None = None,
    value: Any = None,
    actor: str,
    why: str | None = None,
    matching: MatchingConfig | None = None,
) -> Conflict:
    """Resolve an open conflict by taking a side's value (`take`: a connection, or "golden")
    or an operator's `value` (checked by the canonical model through the field's type; None
    means "not given": to blank a field, take a side that has it blank).

    The golden record gets the value (version bumped, blocking keys refreshed), the conflict
    and its review are closed, both are audited with `actor` and `why`, and the entity is
    marked for the planner (the next plan writes the value to every CRM holding another).
    Raises ConflictError (not open, unknown side, invalid value)."""
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
    try:
        data = apply_changes(entity.kind, entity.data, {conflict.field: chosen})
    except CanonicalValidationError as exc:
        problems = "; ".join(str(e) for e in exc.errors)
        raise ConflictError(f"{conflict.field} cannot be {chosen!r}: {problems}") from None
    after = get_path(data, conflict.field)
    reason = f"conflict {conflict.id}: {how}" + (f": {why}" if why else "")
    if data != entity.data:
        before_data = entity.data
        entity.data = data
        entity.version += 1
        if entity.kind in ("customer", "contact"):
            index_entity(session, entity.id, entity.kind, data, config=matching or MatchingConfig())
        record_audit(
            session,
            actor_kind=ActorKind.OPERATOR,
            actor=actor,
            action="golden.set",
            entity_id=entity.id,
            entity_kind=entity.kind,
            field=conflict.field,
            before=before,
            after=after,
            source=take,
            reason=reason,
        )
        derived = rederived(entity.kind, before_data, data, {conflict.field: chosen})
        for path, (was, now, parts) in derived.items():
            record_audit(
                session, actor_kind=ActorKind.OPERATOR, actor=actor, action="golden.set",
                entity_id=entity.id, entity_kind=entity.kind, field=path, before=was, after=now,
                source=take, reason=f"{reason}; derived from {', '.join(parts)}",
            )  # fmt: skip
    record_audit(
        session,
        actor_kind=ActorKind.OPERATOR,
        actor=actor,
        action="conflict.resolved",
        entity_id=entity.id,
        entity_kind=entity.kind,
        field=conflict.field,
        before={"sides": conflict.sides, "golden": before},
        after=after,
        source=take,
        reason=reason,
    )
    entity.planned_version = None  # the field is written everywhere now, changed or not
    conflict.status = "resolved"
    conflict.resolved_at = utcnow()
    conflict.resolved_by = actor
    conflict.resolution = {"value": after, "take": take, "reason": why}
    review = session.get(ReviewItem, conflict.review_item_id) if conflict.review_item_id else None
    if review is not None and review.status == ReviewStatus.OPEN.value:
        close_review(
            session,
            review,
            status=ReviewStatus.RESOLVED,
            actor=actor,
            resolution={"conflict_id": conflict.id, "value": after, "take": take},
            reason=why,
        )
    session.flush()
    return conflict
