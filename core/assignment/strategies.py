"""Strategies: how a matching rule picks an owner. Looked up by name in `STRATEGIES`.

Each strategy sees the rule's candidates in config order and skips, with a reason, every owner
who is inactive or has no room left for the customer's tier; the outcome says whom it chose
and why, or that nobody was available (the engine then tries the next matching rule).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.assignment.directory import OwnerInfo
from core.assignment.names import StrategyName
from core.assignment.rules import Rule
from core.assignment.state import AssignmentState, Loads

__all__ = ["STRATEGIES", "Candidate", "Outcome", "Pick", "expert_reason", "unavailable"]


@dataclass(frozen=True, slots=True)
class Candidate:
    owner: OwnerInfo
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Outcome:
    strategy: StrategyName
    owner_id: uuid.UUID | None
    why: str
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def found(self) -> bool:
        """An owner, or the pool on purpose (a pool rule always succeeds)."""
        return self.owner_id is not None or self.strategy is StrategyName.POOL

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "strategy": self.strategy.value,
            "owner_id": str(self.owner_id) if self.owner_id else None,
            "why": self.why,
        }
        if self.skipped:
            data["skipped"] = [{"owner": who, "why": why} for who, why in self.skipped]
        return data


@dataclass(frozen=True, slots=True)
class Pick:
    """Everything a strategy may look at for one customer."""

    rule: Rule
    candidates: Sequence[Candidate]
    tier: str | None
    facts: Mapping[str, Any]
    state: AssignmentState


def unavailable(owner: OwnerInfo, tier: str | None, loads: Loads) -> str | None:
    """Why `owner` cannot take one more customer of `tier`, or None."""
    if not owner.active:
        return "inactive"
    limit = owner.capacity.get(tier) if tier else None
    if limit is not None and loads.of(owner.id, tier) >= limit:
        return f"at capacity for tier {tier} ({loads.of(owner.id, tier)}/{limit})"
    return None


def _available(pick: Pick) -> tuple[list[tuple[int, Candidate]], list[tuple[str, str]]]:
    ready, skipped = [], []
    for index, candidate in enumerate(pick.candidates):
        reason = unavailable(candidate.owner, pick.tier, pick.state.loads)
        if reason is None:
            ready.append((index, candidate))
        else:
            skipped.append((candidate.owner.label, reason))
    return ready, skipped


def _nobody(pick: Pick, skipped: list[tuple[str, str]], what: str) -> Outcome:
    return Outcome(pick.rule.strategy.name, None, f"nobody available in {what}", tuple(skipped))


def _what(pick: Pick) -> str:
    spec = pick.rule.strategy
    return f"team {spec.team}" if spec.team else ", ".join(spec.owners) or "the directory"


def fixed(pick: Pick) -> Outcome:
    ready, skipped = _available(pick)
    if not ready:
        return _nobody(pick, skipped, _what(pick))
    owner = ready[0][1].owner
    why = "fixed owner" if len(pick.candidates) == 1 else f"first available of {_what(pick)}"
    return Outcome(StrategyName.FIXED, owner.id, why, tuple(skipped))


def round_robin(pick: Pick) -> Outcome:
    key = pick.rule.turn_key or pick.rule.id
    turn = pick.state.turn(key)
    members = [c.owner.id for c in pick.candidates]
    start = members.index(turn.last_owner_id) + 1 if turn.last_owner_id in members else 0
    skipped = []
    for step in range(len(members)):
        candidate = pick.candidates[(start + step) % len(members)]
        reason = unavailable(candidate.owner, pick.tier, pick.state.loads)
        if reason is not None:
            skipped.append((candidate.owner.label, reason))
            continue
        turn.give(candidate.owner.id)
        return Outcome(
            StrategyName.ROUND_ROBIN,
            candidate.owner.id,
            f"next in turn in {_what(pick)} (turn {turn.turns})",
            tuple(skipped),
        )
    return _nobody(pick, skipped, _what(pick))


def weighted(pick: Pick) -> Outcome:
    ready, skipped = _available(pick)
    if not ready:
        return _nobody(pick, skipped, _what(pick))
    turn = pick.state.turn(pick.rule.turn_key or pick.rule.id)

    def behind(item: tuple[int, Candidate]) -> tuple[float, int]:
        index, candidate = item
        given = turn.counts.get(str(candidate.owner.id), 0)
        return ((given + 1) / candidate.weight, index)

    _, chosen = min(ready, key=behind)
    given = turn.counts.get(str(chosen.owner.id), 0)
    turn.give(chosen.owner.id)
    why = f"furthest behind its weight {chosen.weight} in {_what(pick)} ({given} given before)"
    return Outcome(StrategyName.WEIGHTED, chosen.owner.id, why, tuple(skipped))


def _least_loaded(
    pick: Pick, ready: list[tuple[int, Candidate]], name: StrategyName, prefix: str
) -> Outcome | None:
    if not ready:
        return None
    loads = pick.state.loads

    def load(item: tuple[int, Candidate]) -> tuple[int, int, int]:
        index, candidate = item
        return (loads.of(candidate.owner.id, pick.tier), loads.total(candidate.owner.id), index)

    _, chosen = min(ready, key=load)
    owner = chosen.owner.id
    tier = pick.tier or "untiered"
    carried = f"{loads.of(owner, pick.tier)} tier {tier}, {loads.total(owner)} in all"
    why = f"{prefix}least loaded: {carried}"
    return Outcome(name, owner, why)


def least_loaded(pick: Pick) -> Outcome:
    ready, skipped = _available(pick)
    found = _least_loaded(pick, ready, StrategyName.LEAST_LOADED, "")
    if found is None:
        return _nobody(pick, skipped, _what(pick))
    return Outcome(found.strategy, found.owner_id, found.why, tuple(skipped))


def expert_reason(owner: OwnerInfo, match: Sequence[str], facts: Mapping[str, Any]) -> str | None:
    """Why `owner` is not an expert for the customer, or None."""
    if "industry" in match:
        industry = facts.get("industry")
        if not industry:
            return "the customer has no industry"
        if industry.casefold() not in owner.industry_keys:
            return f"not an expert in {industry}"
    if "region" in match:
        areas = {facts.get("region"), facts.get("country")} - {None}
        if not areas:
            return "the customer has no country or region"
        if not areas & owner.region_keys:
            return f"does not cover {'/'.join(sorted(a for a in areas if a))}"
    return None


def expertise(pick: Pick) -> Outcome:
    match = pick.rule.strategy.match
    experts, skipped, others = [], [], 0
    for index, candidate in enumerate(pick.candidates):
        if expert_reason(candidate.owner, match, pick.facts) is not None:
            others += 1  # counted, not listed: the experts are what an explanation needs
            continue
        reason = unavailable(candidate.owner, pick.tier, pick.state.loads)
        if reason is None:
            experts.append((index, candidate))
        else:
            skipped.append((candidate.owner.label, reason))
    on = " and ".join(match)
    found = _least_loaded(pick, experts, StrategyName.EXPERTISE, f"expert on {on}; ")
    if found is None:
        what = f"the experts on {on} of {_what(pick)} ({others} others are not experts)"
        return _nobody(pick, skipped, what)
    return Outcome(found.strategy, found.owner_id, found.why, tuple(skipped))


def pool(pick: Pick) -> Outcome:
    return Outcome(StrategyName.POOL, None, "to the pool (公海)")


STRATEGIES: dict[StrategyName, Callable[[Pick], Outcome]] = {
    StrategyName.FIXED: fixed,
    StrategyName.ROUND_ROBIN: round_robin,
    StrategyName.WEIGHTED: weighted,
    StrategyName.LEAST_LOADED: least_loaded,
    StrategyName.EXPERTISE: expertise,
    StrategyName.POOL: pool,
}
