"""What strategies read and advance: each owner's load by tier, and each team's rotation."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["NO_TIER", "AssignmentState", "Loads", "TurnState"]

NO_TIER = "-"  # customers without a tier count here (no capacity limits them)


class Loads:
    """Active customers per owner and tier; moved in memory as decisions are made."""

    def __init__(self, counts: Mapping[uuid.UUID, Mapping[str, int]] | None = None) -> None:
        self._counts: dict[uuid.UUID, dict[str, int]] = {
            owner: dict(tiers) for owner, tiers in (counts or {}).items()
        }

    def of(self, owner: uuid.UUID, tier: str | None) -> int:
        return self._counts.get(owner, {}).get(tier or NO_TIER, 0)

    def total(self, owner: uuid.UUID) -> int:
        return sum(self._counts.get(owner, {}).values())

    def add(self, owner: uuid.UUID | None, tier: str | None, n: int) -> None:
        if owner is None:
            return
        tiers = self._counts.setdefault(owner, {})
        tiers[tier or NO_TIER] = tiers.get(tier or NO_TIER, 0) + n

    def move(self, tier: str | None, old: uuid.UUID | None, new: uuid.UUID | None) -> None:
        if old != new:
            self.add(old, tier, -1)
            self.add(new, tier, 1)

    def by_owner(self) -> dict[uuid.UUID, dict[str, int]]:
        return {owner: dict(tiers) for owner, tiers in self._counts.items()}

    def copy(self) -> Loads:
        return Loads(self._counts)


@dataclass
class TurnState:
    """One team's rotation (a row of `assignment_turns`)."""

    key: str
    last_owner_id: uuid.UUID | None = None
    # owner id (text) -> customers given by this rotation
    counts: dict[str, int] = field(default_factory=dict)
    turns: int = 0
    changed: bool = False

    def tick(self) -> int:
        """Count one more batch (on the serial row: a worker's loads are current if no batch
        of anyone else's ran since its own last one)."""
        self.turns += 1
        self.changed = True
        return self.turns

    def give(self, owner: uuid.UUID) -> None:
        self.last_owner_id = owner
        self.counts[str(owner)] = self.counts.get(str(owner), 0) + 1
        self.turns += 1
        self.changed = True


@dataclass
class AssignmentState:
    loads: Loads = field(default_factory=Loads)
    turns: dict[str, TurnState] = field(default_factory=dict)

    def turn(self, key: str) -> TurnState:
        return self.turns.setdefault(key, TurnState(key))

    def scratch(self) -> AssignmentState:
        """A copy to try decisions on without consuming anyone's turn (proposals, explain)."""
        return AssignmentState(self.loads.copy(), copy.deepcopy(self.turns))
