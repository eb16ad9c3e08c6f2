"""Running assignment against the store: whole runs in batches, or the customers a sync touched.

Each batch is one transaction: take the assignment locks, claim customers, count loads, decide,
write, and let contacts and opportunities follow. Several workers may run at once (see
`core.assignment.batch` for why that stays fair and never assigns a customer twice).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from core.assignment.batch import (
    CustomerRow,
    claim_customers,
    load_cases,
    load_loads,
    lock_customers,
    save_turns,
    serialise_assignment,
)
from core.assignment.decision import Decision
from core.assignment.directory import OwnerDirectory
from core.assignment.engine import Assigner
from core.assignment.inherit import follow_customers
from core.assignment.names import TierBasis
from core.assignment.owners import apply_owner_settings
from core.assignment.rules import SERIAL_KEY, AssignmentPolicy
from core.assignment.state import AssignmentState, Loads, TurnState
from core.assignment.writer import apply_decisions
from core.store import Store

__all__ = ["RunSummary", "assign_customers", "prepare_assigner", "run_assignment"]


@dataclass
class RunSummary:
    customers: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    tier_changes: int = 0
    followers: int = 0
    batches: int = 0

    def add(self, decisions: Sequence[Decision], followers: int) -> None:
        self.customers += len(decisions)
        self.batches += bool(decisions)
        self.followers += followers
        for decision in decisions:
            self.kinds[decision.kind.value] += 1
            if decision.recorded:
                self.rules[decision.rule_id] += 1
            self.tier_changes += decision.tier_changed

    def to_data(self) -> dict[str, Any]:
        return {
            "customers": self.customers,
            "decisions": dict(self.kinds),
            "rules": dict(self.rules),
            "tier_changes": self.tier_changes,
            "followers": self.followers,
            "batches": self.batches,
        }


def prepare_assigner(session: Session, policy: AssignmentPolicy) -> Assigner:
    """Store the config's owner settings (under the assignment lock) and snapshot the directory."""
    serialise_assignment(session, [SERIAL_KEY])
    apply_owner_settings(session, policy.owners)
    return Assigner(policy, OwnerDirectory.load(session))


def _decide_and_write(
    session: Session, assigner: Assigner, rows: Sequence[CustomerRow], state: AssignmentState
) -> tuple[list[Decision], int]:
    """Decide and store `rows` with `state.loads` current; counts the batch on the serial row."""
    policy = assigner.policy
    state.turns[SERIAL_KEY].tick()
    if not rows:
        save_turns(session, state.turns.values())
        return [], 0
    cases = load_cases(
        session,
        rows,
        assigner.directory,
        unowned=policy.unowned_users,
        pipeline=policy.tiering is not None and policy.tiering.basis is TierBasis.OPEN_PIPELINE,
    )
    decisions = [assigner.decide(case, state) for case in cases]
    changed = apply_decisions(session, cases, decisions, state, assigner.directory)
    followers = follow_customers(session, changed, assigner.directory)
    return decisions, len(followers)


@dataclass
class _Loads:
    """Loads a worker keeps between its batches, valid while nobody else ran one in between."""

    loads: Loads | None = None
    epoch: int = -1

    def current(self, session: Session, turns: dict[str, TurnState]) -> Loads:
        if self.loads is None or turns[SERIAL_KEY].turns != self.epoch:
            self.loads = load_loads(session)
        return self.loads

    def keep(self, state: AssignmentState) -> None:
        self.loads, self.epoch = state.loads, state.turns[SERIAL_KEY].turns


def assign_customers(
    session: Session, assigner: Assigner, entity_ids: Sequence[uuid.UUID]
) -> list[Decision]:
    """Assign these customers now, in the caller's transaction (what a sync cycle calls).

    Waits for the assignment lock and for the customers' rows; returns one decision per active
    customer found (KEEP when nothing changed). Contacts and opportunities follow.
    """
    turns = serialise_assignment(session, assigner.policy.turn_keys())
    rows = lock_customers(session, entity_ids)
    if not rows:
        return []
    state = AssignmentState(load_loads(session), turns)
    decisions, _ = _decide_and_write(session, assigner, rows, state)
    return decisions


def run_assignment(
    store: Store,
    policy: AssignmentPolicy,
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    run_id: int | None = None,
) -> RunSummary:
    """Assign every active customer that needs it, batch by batch, each batch committed
    (its audit entries attributed to `run_id` when given).

    First the customers without an active owner (what concurrent workers share out between
    them), then the owned ones (stickiness, reassign rules, disputes and tiers can move them).
    """
    with store.transaction() as session:
        assigner = prepare_assigner(session, policy)
    inactive = [o.id for o in assigner.directory.owners.values() if not o.active]
    summary = RunSummary()
    done: set[uuid.UUID] = set()
    kept = _Loads()
    for unowned in (inactive, None):
        after: uuid.UUID | None = None
        while True:
            with store.transaction(run_id=run_id) as session:
                turns = serialise_assignment(session, policy.turn_keys())
                last, rows = claim_customers(
                    session, after=after, limit=batch_size, unowned=unowned, skip=done
                )
                if last is None:
                    break
                state = AssignmentState(kept.current(session, turns), turns)
                decisions, followers = _decide_and_write(session, assigner, rows, state)
            kept.keep(state)
            after = last
            done.update(row.id for row in rows)
            summary.add(decisions, followers)
            if progress is not None:
                progress(len(rows))
    return summary
