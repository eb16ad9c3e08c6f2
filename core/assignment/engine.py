"""The assignment engine: one customer in, one explained decision out (no database here).

Order of questions, the same for every customer:
1. tier from the configured thresholds;
2. an open dispute review waits for its operator; a new dispute between CRMs goes to the
   dispute policy (or opens a review);
3. an owned customer keeps its owner (stickiness) unless the owner is inactive, over capacity,
   or a matching rule says `reassign`; an unowned one whose CRMs agree on an owner adopts it;
4. otherwise the rules in order, first match wins; a rule whose strategy finds nobody available
   passes the customer on to the next matching rule; past the fallback, the pool (公海).

A customer leaves a full owner only for someone with room, never for the pool; so an owner may
stay above capacity with customers nobody else can take, and a later run hands on those of them
another rule can place once it finds them (reported as `reassign`, "over capacity").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from core.assignment.criteria import Check, fact_data
from core.assignment.decision import CustomerCase, Decision
from core.assignment.directory import OwnerDirectory
from core.assignment.disputes import Dispute, find_dispute, settle, sides_data
from core.assignment.fields import customer_facts
from core.assignment.names import DecisionKind, StrategyName
from core.assignment.rules import AssignmentPolicy, Rule
from core.assignment.state import AssignmentState
from core.assignment.strategies import STRATEGIES, Candidate, Outcome, Pick, expert_reason

__all__ = ["Assigner"]


@dataclass(frozen=True)
class _Move:
    """Why an owned customer should leave its owner, and where it may go."""

    reason: str
    # only this rule may place it (a rule's `reassign` flag); None: any matching rule
    only: Rule | None = None
    # the pool is an acceptable destination (the owner left), not a loss (owner is just full)
    may_pool: bool = False
    # the CRMs' agreed owner of an unowned customer, adopted if nobody else fits
    adopting: uuid.UUID | None = None


@dataclass
class _Case:
    """One customer while it is being decided."""

    case: CustomerCase
    facts: dict[str, Any]
    tier: str | None
    tier_why: str | None

    def decision(self, kind: DecisionKind, owner: uuid.UUID | None, **kw: Any) -> Decision:
        details = kw.pop("details", {})
        details.setdefault("sides", sides_data(self.case.sides))
        if self.tier_why:
            details["tier"] = {"before": self.case.data.get("tier"), "after": self.tier}
            details["tier"]["why"] = self.tier_why
        return Decision(
            entity_id=self.case.entity_id,
            kind=kind,
            previous_owner_id=self.case.owner_id,
            owner_id=owner,
            details=details,
            tier_before=self.case.data.get("tier"),
            tier_after=self.tier,
            tier_why=self.tier_why,
            **kw,
        )


class Assigner:
    """Decides owners under one policy with one owner directory snapshot."""

    def __init__(self, policy: AssignmentPolicy, directory: OwnerDirectory) -> None:
        self.policy = policy
        self.directory = directory
        self._candidates = {rule.id: self._members(rule) for rule in policy.rules}
        self._reassigning = any(rule.reassign for rule in policy.rules)

    def _members(self, rule: Rule) -> tuple[tuple[Candidate, ...], tuple[tuple[str, str], ...]]:
        spec = rule.strategy
        if spec.team is not None:
            wanted = [(m.email, m.weight) for m in self.policy.teams.get(spec.team, ())]
        elif spec.owners:
            wanted = [(email, 1) for email in spec.owners]
        elif spec.name is StrategyName.EXPERTISE:
            everyone = sorted(self.directory.owners.values(), key=lambda o: (o.email or "", o.id))
            return tuple(Candidate(o) for o in everyone), ()
        else:
            wanted = []
        found, missing = [], []
        for email, weight in wanted:
            owner = self.directory.by_email(email)
            if owner is None:
                missing.append((email, "not in the owner directory yet"))
            else:
                found.append(Candidate(owner, weight))
        return tuple(found), tuple(missing)

    def decide(self, case: CustomerCase, state: AssignmentState) -> Decision:
        """The decision for `case`; loads and rotations in `state` move with it."""
        current = _Case(
            case, customer_facts(case.data, case.connections), case.data.get("tier"), None
        )
        self._tier(current, state)
        if case.open_review is not None:
            why = f"waiting for an operator on dispute review #{case.open_review}"
            return current.decision(
                DecisionKind.KEEP, case.owner_id, rule_id="dispute", strategy="manual", reason=why
            )
        dispute = find_dispute(case.sides, case.last_sides, case.owner_id, self.directory)
        if dispute is not None:
            return self._dispute(current, dispute, state)
        owner, adopted = case.owner_id, False
        if owner is None and self.policy.adopt_source_owner:
            owner = self._agreed_owner(case)
            adopted = owner is not None
        if owner is not None:
            move = self._why_move(owner, current, state, counted=not adopted)
            if move is None and adopted:
                return self._adopt(current, owner, state, "")
            if move is None:
                return current.decision(
                    DecisionKind.KEEP, owner, rule_id="sticky", strategy="keep", reason="owner kept"
                )
            if adopted:
                move = replace(move, adopting=owner)
            return self._by_rules(current, state, move)
        return self._by_rules(current, state, None)

    def _adopt(
        self, current: _Case, owner: uuid.UUID, state: AssignmentState, note: str
    ) -> Decision:
        state.loads.add(owner, current.tier, 1)
        sides = current.case.sides
        crms = ", ".join(sorted({s.connection for s in sides if s.owner_id == owner}))
        why = f"{crms} already has {self.directory.label(owner)} as owner: kept{note}"
        return current.decision(
            DecisionKind.ADOPT, owner, rule_id="source-owner", strategy="adopt", reason=why
        )

    def _tier(self, current: _Case, state: AssignmentState) -> None:
        tiering = self.policy.tiering
        if tiering is None:
            return
        result = tiering.tier_of(current.facts, current.case.pipeline, self.policy.rates)
        current.tier_why = result.why
        if result.tier is not None and result.tier != current.tier:
            state.loads.add(current.case.owner_id, current.tier, -1)
            state.loads.add(current.case.owner_id, result.tier, 1)
            current.tier = result.tier
            current.facts["tier"] = result.tier

    def _agreed_owner(self, case: CustomerCase) -> uuid.UUID | None:
        claimed = set()
        for side in case.sides:
            owner = self.directory.get(side.owner_id)
            if owner is not None and owner.active:
                claimed.add(owner.id)
        return claimed.pop() if len(claimed) == 1 else None

    def _why_move(
        self, owner_id: uuid.UUID, current: _Case, state: AssignmentState, *, counted: bool
    ) -> _Move | None:
        owner = self.directory.get(owner_id)
        label = self.directory.label(owner_id)
        if owner is None or not owner.active:
            if self.policy.reassign.owner_inactive:
                return _Move(f"owner {label} is inactive", may_pool=True)
            return None
        tier = current.tier
        if self.policy.reassign.over_capacity and tier:
            limit = owner.capacity.get(tier)
            load = state.loads.of(owner_id, tier) + (0 if counted else 1)
            if limit is not None and load > limit:
                return _Move(f"owner {label} is over capacity for tier {tier} ({load}/{limit})")
        if not self._reassigning:
            return None
        for rule in self.policy.rules:
            if rule.criteria.matches(current.facts, self.policy.rates):
                if rule.reassign and owner_id not in self._targets(rule, current):
                    pool = rule.strategy.name is StrategyName.POOL
                    why = f"rule {rule.id} reassigns the customers it matches"
                    return _Move(why, only=rule, may_pool=pool)
                return None
        return None

    def _targets(self, rule: Rule, current: _Case) -> set[uuid.UUID]:
        candidates, _ = self._candidates[rule.id]
        if rule.strategy.name is StrategyName.POOL:
            return set()
        if rule.strategy.name is StrategyName.EXPERTISE:
            match = rule.strategy.match
            return {
                c.owner.id
                for c in candidates
                if expert_reason(c.owner, match, current.facts) is None
            }
        return {c.owner.id for c in candidates}

    def _by_rules(self, current: _Case, state: AssignmentState, move: _Move | None) -> Decision:
        rates, tried, looked_at = self.policy.rates, [], {"tier"}
        for rule in self.policy.rules:
            checks: list[Check] = []
            matched = rule.criteria.evaluate(current.facts, rates, checks)
            looked_at.update(c.field for c in checks)
            entry: dict[str, Any] = {"rule": rule.id, "matched": matched}
            entry["checks"] = [c.to_data() for c in checks]
            tried.append(entry)
            if not matched:
                continue
            outcome = self._pick(rule, current, state)
            entry["outcome"] = outcome.to_data()
            if move is not None and not move.may_pool and outcome.found and not outcome.owner_id:
                return self._stays(current, move, f"rule {rule.id} would pool it", state)
            if move is not None and move.only is rule and not outcome.found:
                return self._stays(current, move, f"rule {rule.id} found nobody else", state)
            if outcome.found:
                return self._assigned(current, rule, outcome, tried, looked_at, move, state)
        if move is not None and not move.may_pool:
            return self._stays(current, move, "no rule found anybody else", state)
        fallback = self.policy.rules[-1]
        outcome = Outcome(
            StrategyName.POOL, None, "nobody available under any matching rule: to the pool (公海)"
        )
        return self._assigned(current, fallback, outcome, tried, looked_at, move, state)

    def _stays(self, current: _Case, move: _Move, why: str, state: AssignmentState) -> Decision:
        if move.adopting is not None:
            return self._adopt(current, move.adopting, state, f" ({move.reason}, but {why})")
        reason = f"owner kept: {move.reason}, but {why}"
        owner = current.case.owner_id
        return current.decision(
            DecisionKind.KEEP, owner, rule_id="sticky", strategy="keep", reason=reason
        )

    def _pick(self, rule: Rule, current: _Case, state: AssignmentState) -> Outcome:
        candidates, missing = self._candidates[rule.id]
        pick = Pick(rule, candidates, current.tier, current.facts, state)
        outcome = STRATEGIES[rule.strategy.name](pick)
        if missing:
            outcome = Outcome(
                outcome.strategy, outcome.owner_id, outcome.why, (*missing, *outcome.skipped)
            )
        return outcome

    def _assigned(
        self,
        current: _Case,
        rule: Rule,
        outcome: Outcome,
        tried: list[dict[str, Any]],
        looked_at: set[str],
        move: _Move | None,
        state: AssignmentState,
    ) -> Decision:
        case = current.case
        previous, owner = case.owner_id, outcome.owner_id
        facts = {name: fact_data(current.facts.get(name)) for name in sorted(looked_at)}
        details: dict[str, Any] = {"facts": facts, "rules": tried, "outcome": outcome.to_data()}
        if move:
            details["moved_because"] = move.reason
        if owner is None and previous is None:
            kind = DecisionKind.POOL
            if case.last_rule == rule.id and case.last_owner_id is None:
                kind = DecisionKind.KEEP  # still in the pool by the same rule: nothing new to say
        else:
            kind = DecisionKind.ASSIGN if previous is None else DecisionKind.REASSIGN
        state.loads.move(current.tier, previous, owner)
        chose = f" chose {self.directory.label(owner)}" if owner is not None else ""
        reason = f"rule {rule.id} ({outcome.strategy.value}){chose}: {outcome.why}"
        if move:
            reason += f"; moved because {move.reason}"
        return current.decision(
            kind,
            owner,
            rule_id=rule.id,
            strategy=outcome.strategy.value,
            reason=reason,
            details=details,
        )

    def _dispute(self, current: _Case, dispute: Dispute, state: AssignmentState) -> Decision:
        settings = self.policy.disputes
        described = dispute.describe(self.directory)
        claims = [c.to_data(self.directory) for c in dispute.claims]
        settled = settle(dispute, settings, self.directory)
        previous = current.case.owner_id
        if settled is None:
            proposal = self._by_rules(
                _Case(current.case, dict(current.facts), current.tier, None), state.scratch(), None
            )
            review = {
                "customer": {"entity_id": str(current.case.entity_id), "name": current.case.name},
                "claims": claims,
                "current_owner_id": str(previous) if previous else None,
                "proposal": {
                    "owner_id": str(proposal.owner_id) if proposal.owner_id else None,
                    "owner": self.directory.label(proposal.owner_id),
                    "rule_id": proposal.rule_id,
                    "why": proposal.reason,
                },
                "policy": settings.policy.value,
            }
            return current.decision(
                DecisionKind.DISPUTE_REVIEW,
                previous,
                rule_id="dispute",
                strategy=settings.policy.value,
                reason=f"CRMs disagree ({described}): an operator chooses",
                details={"claims": claims, "proposal": review["proposal"]},
                review=review,
            )
        owner, why = settled
        state.loads.move(current.tier, previous, owner)
        return current.decision(
            DecisionKind.DISPUTE_POLICY,
            owner,
            rule_id="dispute",
            strategy=settings.policy.value,
            reason=f"CRMs disagree ({described}); {why}",
            details={"claims": claims},
            actor=f"dispute:{settings.policy.value}",
        )
