"""Why a customer has its owner: the recorded decisions, the CRMs' claims, what rules say now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.assignment.batch import CustomerRow, load_cases, load_loads
from core.assignment.decision import CustomerCase, Decision
from core.assignment.directory import OwnerDirectory
from core.assignment.engine import Assigner
from core.assignment.names import DecisionKind, TierBasis
from core.assignment.rules import AssignmentPolicy
from core.assignment.state import AssignmentState, TurnState
from core.store import AssignmentDecision, AssignmentTurn, Entity
from mapping.model import EntityKind

__all__ = ["Explanation", "explain_customer", "find_customers", "read_turns"]


@dataclass
class Explanation:
    entity_id: uuid.UUID
    name: str
    tier: str | None
    owner: str
    owner_id: uuid.UUID | None
    decisions: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    now: Decision | None = None
    # what the rules would do with this customer if it had no owner (for sticky customers)
    if_unowned: Decision | None = None

    def to_data(self) -> dict[str, Any]:
        return {
            "entity_id": str(self.entity_id),
            "name": self.name,
            "tier": self.tier,
            "owner": self.owner,
            "owner_id": str(self.owner_id) if self.owner_id else None,
            "decisions": self.decisions,
            "claims": self.claims,
            "now": _decision_data(self.now),
            "if_unowned": _decision_data(self.if_unowned),
        }


def _decision_data(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "kind": decision.kind.value,
        "rule_id": decision.rule_id,
        "strategy": decision.strategy,
        "owner_id": str(decision.owner_id) if decision.owner_id else None,
        "reason": decision.reason,
        "details": decision.details,
    }


def find_customers(session: Session, ref: str, limit: int = 20) -> list[Entity]:
    """Customers by entity id, exact name, or else name containing `ref` (case-blind)."""
    try:
        found = session.get(Entity, uuid.UUID(ref))
    except ValueError:
        found = None
    if found is not None:
        return [found] if found.kind == EntityKind.CUSTOMER.value else []
    name = Entity.data["name"].as_string()
    base = sa.select(Entity).where(Entity.kind == EntityKind.CUSTOMER.value).order_by(name)
    exact = list(session.scalars(base.where(sa.func.lower(name) == ref.lower()).limit(limit)))
    if exact:
        return exact
    return list(session.scalars(base.where(name.icontains(ref, autoescape=True)).limit(limit)))


def read_turns(session: Session) -> dict[str, TurnState]:
    """Rotations as stored, without locking them (for what-if questions, never for writes)."""
    rows = session.execute(
        sa.select(
            AssignmentTurn.key,
            AssignmentTurn.last_owner_id,
            AssignmentTurn.counts,
            AssignmentTurn.turns,
        )
    )
    return {key: TurnState(key, last, dict(counts or {}), n) for key, last, counts, n in rows}


def explain_customer(
    session: Session, entity: Entity, policy: AssignmentPolicy | None, *, limit: int = 10
) -> Explanation:
    """The customer's decisions (newest first), the CRMs' claims, and the rules' verdict now."""
    directory = OwnerDirectory.load(session)
    if policy is not None:
        directory = directory.with_settings(policy.owners)
    explanation = Explanation(
        entity_id=entity.id,
        name=str(entity.data.get("name") or entity.id),
        tier=entity.data.get("tier"),
        owner=directory.label(entity.owner_id),
        owner_id=entity.owner_id,
    )
    rows = session.scalars(
        sa.select(AssignmentDecision)
        .where(AssignmentDecision.entity_id == entity.id)
        .order_by(AssignmentDecision.id.desc())
        .limit(limit)
    )
    for row in rows:
        explanation.decisions.append(
            {
                "at": row.created_at.isoformat(),
                "kind": (row.criteria or {}).get("kind"),
                "rule_id": row.rule_id,
                "strategy": row.strategy,
                "owner": directory.label(row.owner_id),
                "previous": directory.label(row.previous_owner_id),
                "actor": row.actor,
                "reason": row.reason,
                "details": row.criteria,
            }
        )
    customer = CustomerRow(entity.id, entity.data, entity.owner_id, entity.version)
    unowned = policy.unowned_users if policy else frozenset()
    pipeline = bool(policy and policy.tiering and policy.tiering.basis is TierBasis.OPEN_PIPELINE)
    (case,) = load_cases(session, [customer], directory, unowned=unowned, pipeline=pipeline)
    explanation.claims = [s.to_data(directory) for s in case.sides]
    if policy is not None and entity.status == "active":
        state = AssignmentState(load_loads(session), read_turns(session))
        assigner = Assigner(policy, directory)
        explanation.now = assigner.decide(case, state.scratch())
        if explanation.now.kind is DecisionKind.KEEP:
            fresh = CustomerCase(case.entity_id, case.data, None, connections=case.connections)
            scratch = state.scratch()
            scratch.loads.add(entity.owner_id, entity.data.get("tier"), -1)
            explanation.if_unowned = assigner.decide(fresh, scratch)
    return explanation
