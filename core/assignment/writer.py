"""Carrying out decisions: the golden record, an `assignment_decisions` row, an audit entry.

All in the caller's transaction, in bulk: one UPDATE statement for the batch's entities, one
INSERT for its decision rows. The owner lives in `entities.owner_id` and in the golden record as
`data["owner"] = {"owner_id": …}` (absent in the pool).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.assignment.batch import save_turns
from core.assignment.decision import CustomerCase, Decision
from core.assignment.directory import OwnerDirectory
from core.assignment.state import AssignmentState
from core.audit import ActorKind, record_audit
from core.reviews import ReviewKind, open_review
from core.store import AssignmentDecision, Entity
from core.store.base import utcnow

__all__ = ["apply_decisions", "golden_data", "record_decisions"]


def golden_data(data: Mapping[str, Any], decision: Decision) -> dict[str, Any]:
    """The golden record's data after `decision` (tier and owner)."""
    updated = dict(data)
    if decision.tier_changed:
        if decision.tier_after is None:
            updated.pop("tier", None)
        else:
            updated["tier"] = decision.tier_after
    if decision.owner_changed:
        if decision.owner_id is None:
            updated.pop("owner", None)
        else:
            updated["owner"] = {"owner_id": str(decision.owner_id)}
    return updated


def _owner(value: uuid.UUID | None) -> dict[str, str | None]:
    return {"owner_id": str(value) if value else None}


def record_decisions(
    session: Session,
    decisions: Iterable[Decision],
    directory: OwnerDirectory,
    run_id: int | None = None,
) -> None:
    """A decision row and an audit entry for each recorded decision (opening dispute reviews)."""
    rows = []
    for decision in decisions:
        if not decision.recorded:
            continue
        if decision.review is not None:
            label = directory.label(decision.previous_owner_id)
            name = decision.review["customer"]["name"]
            item = open_review(
                session,
                ReviewKind.DISPUTE,
                f"{name}: owned by different managers in different CRMs (now {label})",
                decision.review,
                entity_id=decision.entity_id,
                entity_kind=decision.entity_kind,
            )
            decision.details["review_id"] = item.id
            decision.reason += f" (review #{item.id})"
        rows.append(
            {
                "entity_id": decision.entity_id,
                "owner_id": decision.owner_id,
                "previous_owner_id": decision.previous_owner_id,
                "rule_id": decision.rule_id,
                "strategy": decision.strategy,
                "criteria": {"kind": decision.kind.value, **decision.details},
                "reason": decision.reason,
                "actor": decision.actor,
                "created_at": utcnow(),
            }
        )
        actor = decision.rule_id if decision.actor == "rule" else decision.actor
        record_audit(
            session,
            actor_kind=decision.actor_kind,
            actor=actor,
            action=f"owner.{decision.kind.value}",
            entity_id=decision.entity_id,
            entity_kind=decision.entity_kind,
            field="owner",
            before=_owner(decision.previous_owner_id),
            after={
                **_owner(decision.owner_id),
                "rule_id": decision.rule_id,
                "strategy": decision.strategy,
                "criteria": decision.details.get("facts"),
                "outcome": decision.details.get("outcome"),
            },
            reason=decision.reason,
            run_id=run_id,
        )
    if rows:
        session.execute(sa.insert(AssignmentDecision), rows)


def apply_decisions(
    session: Session,
    cases: Sequence[CustomerCase],
    decisions: Sequence[Decision],
    state: AssignmentState,
    directory: OwnerDirectory,
    run_id: int | None = None,
) -> dict[uuid.UUID, uuid.UUID | None]:
    """Store `decisions` about `cases`; returns the customers whose owner changed -> new owner."""
    now = utcnow()
    updates, changed = [], {}
    for case, decision in zip(cases, decisions, strict=True):
        if decision.tier_changed:
            record_audit(
                session,
                actor_kind=ActorKind.RULE,
                actor="tiering",
                action="field.set",
                entity_id=case.entity_id,
                entity_kind=decision.entity_kind,
                field="tier",
                before=decision.tier_before,
                after=decision.tier_after,
                reason=decision.tier_why,
                run_id=run_id,
            )
        if decision.owner_changed:
            changed[case.entity_id] = decision.owner_id
        if decision.owner_changed or decision.tier_changed:
            owner = decision.owner_id if decision.owner_changed else case.owner_id
            updates.append(
                {
                    "id": case.entity_id,
                    "data": golden_data(case.data, decision),
                    "owner_id": owner,
                    "version": case.version + 1,
                    "updated_at": now,
                }
            )
    if updates:
        session.execute(sa.update(Entity), updates)
    record_decisions(session, decisions, directory, run_id)
    save_turns(session, state.turns.values())
    return changed
