"""What the engine decides about: one customer as the store knows it, and the decision made."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.assignment.currency import Amount
from core.assignment.disputes import SourceOwner
from core.assignment.names import DecisionKind
from core.audit import ActorKind

__all__ = ["CustomerCase", "Decision"]


@dataclass(frozen=True)
class CustomerCase:
    """A customer with everything assignment looks at, loaded in one go per batch."""

    entity_id: uuid.UUID
    data: Mapping[str, Any]
    owner_id: uuid.UUID | None
    version: int = 1
    connections: tuple[str, ...] = ()
    sides: tuple[SourceOwner, ...] = ()
    # open opportunities' amounts (for tiering by open pipeline)
    pipeline: tuple[Amount, ...] = ()
    # from the customer's last decision
    last_sides: Mapping[str, str | None] | None = None
    last_rule: str | None = None
    last_owner_id: uuid.UUID | None = None
    # an open dispute review waiting for an operator
    open_review: int | None = None

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.entity_id)


@dataclass
class Decision:
    """One assignment decision: kept as an `assignment_decisions` row and an audit entry."""

    entity_id: uuid.UUID
    kind: DecisionKind
    previous_owner_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    rule_id: str
    strategy: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    tier_before: str | None = None
    tier_after: str | None = None
    tier_why: str | None = None
    # a dispute review to open (payload), for DecisionKind.DISPUTE_REVIEW
    review: dict[str, Any] | None = None
    actor_kind: ActorKind = ActorKind.RULE
    actor: str = "rule"
    entity_kind: str = "customer"

    @property
    def recorded(self) -> bool:
        return self.kind is not DecisionKind.KEEP

    @property
    def owner_changed(self) -> bool:
        return self.recorded and self.owner_id != self.previous_owner_id

    @property
    def tier_changed(self) -> bool:
        return self.tier_before != self.tier_after
