"""Measure before you run: which customers NEW rules would move, and every owner's load by tier.

Nothing is written: the engine decides on an in-memory copy of the loads and rotations, with
the new config's owner settings applied in memory too.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.assignment.batch import CustomerRow, load_cases, load_loads
from core.assignment.decision import CustomerCase
from core.assignment.directory import OwnerDirectory
from core.assignment.engine import Assigner
from core.assignment.explain import read_turns
from core.assignment.names import DecisionKind, TierBasis
from core.assignment.rules import AssignmentPolicy
from core.assignment.state import NO_TIER, AssignmentState, Loads
from core.store import Entity
from mapping.model import EntityKind

__all__ = ["Change", "Simulation", "simulate"]

POOL = "pool"


@dataclass(frozen=True)
class Change:
    entity_id: uuid.UUID
    name: str
    tier: str | None
    before: uuid.UUID | None
    after: uuid.UUID | None
    kind: str
    rule_id: str
    reason: str
    # the reason in a few words: why it moves, or what the strategy did
    short: str


def _short(details: dict[str, Any], reason: str) -> str:
    moved = details.get("moved_because")
    why = (details.get("outcome") or {}).get("why")
    return "; ".join(part for part in (moved, why) if part) or reason


@dataclass
class Simulation:
    customers: int = 0
    changes: list[Change] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    # owner id (or "pool") -> tier -> customers
    before: dict[str, Counter[str]] = field(default_factory=dict)
    after: dict[str, Counter[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def count(
        self, table: dict[str, Counter[str]], owner: uuid.UUID | None, tier: str | None
    ) -> None:
        table.setdefault(str(owner) if owner else POOL, Counter())[tier or NO_TIER] += 1

    def to_data(self) -> dict[str, Any]:
        owners = sorted(set(self.before) | set(self.after), key=lambda o: self.labels.get(o, o))
        return {
            "customers": self.customers,
            "decisions": dict(self.kinds),
            "changes": [
                {
                    "entity_id": str(c.entity_id),
                    "name": c.name,
                    "tier": c.tier,
                    "from": self.labels.get(str(c.before) if c.before else POOL),
                    "to": self.labels.get(str(c.after) if c.after else POOL),
                    "kind": c.kind,
                    "rule_id": c.rule_id,
                    "reason": c.reason,
                    "short": c.short,
                }
                for c in self.changes
            ],
            "loads": [
                {
                    "owner": self.labels.get(owner, owner),
                    "before": dict(self.before.get(owner, {})),
                    "after": dict(self.after.get(owner, {})),
                }
                for owner in owners
            ],
        }


def _fresh(case: CustomerCase) -> CustomerCase:
    return CustomerCase(case.entity_id, case.data, None, case.version, case.connections)


def simulate(
    session: Session,
    policy: AssignmentPolicy,
    *,
    from_scratch: bool = False,
    batch_size: int = 2000,
) -> Simulation:
    """What `assign run` would do under `policy` now (or, `from_scratch`, ignoring every owner)."""
    directory = OwnerDirectory.load(session).with_settings(policy.owners)
    assigner = Assigner(policy, directory)
    loads = Loads() if from_scratch else load_loads(session)
    state = AssignmentState(loads, read_turns(session))
    result = Simulation(labels={str(o.id): o.label for o in directory.owners.values()})
    result.labels[POOL] = directory.label(None)
    pipeline = policy.tiering is not None and policy.tiering.basis is TierBasis.OPEN_PIPELINE
    after: uuid.UUID | None = None
    query = sa.select(Entity.id, Entity.data, Entity.owner_id, Entity.version).where(
        Entity.kind == EntityKind.CUSTOMER.value, Entity.status == "active"
    )
    while True:
        page = query.where(Entity.id > after) if after is not None else query
        rows = [
            CustomerRow(*r) for r in session.execute(page.order_by(Entity.id).limit(batch_size))
        ]
        if not rows:
            return result
        after = rows[-1].id
        cases = load_cases(
            session, rows, directory, unowned=policy.unowned_users, pipeline=pipeline
        )
        for case in cases:
            result.customers += 1
            result.count(result.before, case.owner_id, case.data.get("tier"))
            decision = assigner.decide(_fresh(case) if from_scratch else case, state)
            result.kinds[decision.kind.value] += 1
            owner = decision.owner_id if decision.recorded else case.owner_id
            result.count(result.after, owner, decision.tier_after)
            moved = owner != case.owner_id or decision.kind is DecisionKind.DISPUTE_REVIEW
            if moved:
                result.changes.append(
                    Change(
                        case.entity_id,
                        case.name,
                        decision.tier_after,
                        case.owner_id,
                        owner,
                        decision.kind.value,
                        decision.rule_id,
                        decision.reason,
                        _short(decision.details, decision.reason),
                    )
                )
