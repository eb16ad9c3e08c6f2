"""Carrying out decisions: the golden record, an `assignment_decisions` row, an audit entry.

All in the caller's transaction, in bulk: one executemany UPDATE for the batch's entities, one
INSERT for its decision rows, one for its audit entries. The owner lives in `entities.owner_id`
and in the golden record as `data["owner"] = {"owner_id": …}` (absent in the pool).
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
from core.audit import ActorKind, AuditRecord, record_audits
from core.reviews import ReviewKind, open_review
from core.store import AssignmentDecision, Entity, metadata
from core.store.base import utcnow

__all__ = ["apply_decisions", "golden_data", "record_decisions", "update_entities"]

_entities = metadata.tables[Entity.__tablename__]
_decisions = metadata.tables[AssignmentDecision.__tablename__]
_UPDATE = (
    sa.update(_entities)
    .where(_entities.c.id == sa.bindparam("entity_id"))
    .values(
        data=sa.bindparam("data"),
        owner_id=sa.bindparam("owner_id"),
        version=sa.bindparam("version"),
        updated_at=sa.bindparam("updated_at"),
    )
)


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


def update_entities(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New data, owner and version for many entities in one executemany UPDATE.

    Rows: entity_id, data, owner_id, version. Core, not the ORM: it runs per batch of
    thousands, and the ORM's bookkeeping of objects nobody reads again would dominate.
    """
    if rows:
        now = utcnow()
        session.execute(_UPDATE, [{**row, "updated_at": now} for row in rows])


def _owner(value: uuid.UUID | None) -> dict[str, str | None]:
    return {"owner_id": str(value) if value else None}


def record_decisions(
    session: Session,
    decisions: Iterable[Decision],
    directory: OwnerDirectory,
    run_id: int | None = None,
) -> None:
    """A decision row and an audit entry for each recorded decision (opening dispute reviews)."""
    rows, audits = [], []
    now = utcnow()
    for decision in decisions:
        if decision.tier_changed:
            audits.append(
                AuditRecord(
                    actor_kind=ActorKind.RULE,
                    actor="tiering",
                    action="field.set",
                    entity_id=decision.entity_id,
                    entity_kind=decision.entity_kind,
                    field="tier",
                    before=decision.tier_before,
                    after=decision.tier_after,
                    reason=decision.tier_why,
                    run_id=run_id,
                )
            )
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
                "created_at": now,
            }
        )
        audits.append(
            AuditRecord(
                actor_kind=decision.actor_kind,
                actor=decision.rule_id if decision.actor == "rule" else decision.actor,
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
        )
    if rows:
        session.execute(sa.insert(_decisions), rows)
    record_audits(session, audits)


def apply_decisions(
    session: Session,
    cases: Sequence[CustomerCase],
    decisions: Sequence[Decision],
    state: AssignmentState,
    directory: OwnerDirectory,
    run_id: int | None = None,
) -> dict[uuid.UUID, uuid.UUID | None]:
    """Store `decisions` about `cases`; returns the customers whose owner changed -> new owner."""
    updates, changed = [], {}
    for case, decision in zip(cases, decisions, strict=True):
        if decision.owner_changed:
            changed[case.entity_id] = decision.owner_id
        if decision.owner_changed or decision.tier_changed:
            updates.append(
                {
                    "entity_id": case.entity_id,
                    "data": golden_data(case.data, decision),
                    "owner_id": decision.owner_id if decision.owner_changed else case.owner_id,
                    "version": case.version + 1,
                }
            )
    update_entities(session, updates)
    record_decisions(session, decisions, directory, run_id)
    save_turns(session, state.turns.values())
    return changed
