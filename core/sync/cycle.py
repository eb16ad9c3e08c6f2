"""One sync cycle, and the plan/apply contract.

`run_cycle`: for every connection its users (owner directory); then kind by kind (customers,
contacts, opportunities, so references resolve), connection by connection, the changed
records page by page, each page stored and reconciled in one transaction with its cursor, and
the deletions after the pages; then, in one transaction, assignment for what needs planning,
the plan, and its writes committed to the outbox. Entities that need planning are marked in
their page's transaction (`entities.planned_version`), so a crash between pull and plan loses
nothing: the next plan picks them up. A connection that fails (unreachable, throttled) is
reported and skipped; the others go on.

`preview_plan` plans from the stored state and rolls back (what `crmhub plan` prints);
`apply_saved_plan` commits a saved plan only if planning now gives exactly the same writes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from connectors.http import ConnectorError
from connectors.protocol import Connector
from core.store import Store
from core.sync.context import KINDS, SyncContext
from core.sync.ingest import PullCounts, pull_entity
from core.sync.outbox import CommitCounts, commit_plan
from core.sync.owners import settle_owners, sync_users
from core.sync.plan import Plan
from core.sync.planner import plan_entities
from core.sync.runs import finish_run, start_run
from mapping.model import EntityKind

__all__ = [
    "CycleReport",
    "PlanChangedError",
    "apply_saved_plan",
    "plan_and_commit",
    "preview_plan",
    "pull_connection",
    "run_cycle",
]


class PlanChangedError(RuntimeError):
    """The state a saved plan was computed from has changed: plan again."""


@dataclass
class CycleReport:
    run_id: int | None = None
    pulls: dict[str, dict[str, PullCounts]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)
    plan: Plan = field(default_factory=Plan)
    committed: CommitCounts | None = None
    calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stopped: bool = False

    def counts(self) -> dict[str, Any]:
        totals: dict[str, int] = {}
        for per_kind in self.pulls.values():
            for counts in per_kind.values():
                for key, value in counts.to_data().items():
                    totals[key] = totals.get(key, 0) + int(value)
        return {
            **totals,
            **self.owners,
            **self.plan.counts(),
            **(self.committed.to_data() if self.committed else {}),
            "calls": self.calls,
            "connections": {
                name: {kind: c.to_data() for kind, c in per.items()}
                for name, per in self.pulls.items()
            },
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            **({"stopped": True} if self.stopped else {}),
        }


@contextmanager
def _rolled_back(store: Store) -> Iterator[Session]:
    """A session whose work is always thrown away (plans that must not change anything)."""
    session = store.sessions()
    try:
        with session.begin():
            yield session
            session.rollback()
    finally:
        session.close()


def _calls(connector: Connector) -> int | None:
    counters = getattr(connector, "counters", None)
    return counters.snapshot().total_calls if counters is not None else None


def pull_connection(
    store: Store,
    ctx: SyncContext,
    name: str,
    connector: Connector,
    *,
    kinds: Sequence[EntityKind] = KINDS,
    full: bool = False,
    run_id: int | None = None,
) -> dict[str, PullCounts]:
    """The users and then the records of one connection (what `crmhub pull` does)."""
    sync_users(store, ctx, name, connector, run_id=run_id)
    conn = ctx.connections[name]
    return {
        kind.value: pull_entity(store, conn, connector, kind, ctx=ctx, full=full, run_id=run_id)
        for kind in kinds
        if kind in connector.entities()
    }


def run_cycle(
    store: Store,
    ctx: SyncContext,
    connectors: Mapping[str, Connector],
    *,
    full: bool = False,
    commit: bool = True,
    pull: bool = True,
    stop: threading.Event | None = None,
) -> CycleReport:
    """One cycle (see the module docstring); `commit=False` plans without queueing. A `stop`
    request ends the pulls between pages and skips the plan (`report.stopped`): what was read
    is kept, the next cycle goes on from there."""
    started = time.perf_counter()
    report = CycleReport(run_id=start_run(store, "sync"))
    try:
        if pull:
            _pull_all(store, ctx, connectors, report, full, stop)
        report.stopped = stop is not None and stop.is_set()
        if commit and not report.stopped:
            with store.transaction(run_id=report.run_id) as session:
                report.owners = dict(settle_owners(session, ctx))
                report.plan = plan_entities(session, ctx)
                report.committed = commit_plan(session, report.plan, run_id=report.run_id)
        elif not commit:
            report.plan = preview_plan(store, ctx)
    except Exception as exc:
        report.seconds = time.perf_counter() - started
        finish_run(store, report.run_id or 0, report.counts(), f"{type(exc).__name__}: {exc}")
        raise
    for name, connector in connectors.items():
        calls = _calls(connector)
        if calls is not None:
            report.calls[name] = calls
    report.seconds = time.perf_counter() - started
    failed = "; ".join(f"{name}: {error}" for name, error in report.errors.items())
    finish_run(store, report.run_id or 0, report.counts(), failed or None)
    return report


def _pull_all(
    store: Store,
    ctx: SyncContext,
    connectors: Mapping[str, Connector],
    report: CycleReport,
    full: bool,
    stop: threading.Event | None = None,
) -> None:
    live = {n: c for n, c in connectors.items() if n in ctx.connections}
    for name, connector in live.items():
        try:
            sync_users(store, ctx, name, connector, run_id=report.run_id)
        except ConnectorError as exc:
            report.errors[name] = str(exc)
    for kind in KINDS:
        for name, connector in live.items():
            if name in report.errors or kind not in connector.entities():
                continue
            if stop is not None and stop.is_set():
                return
            try:
                counts = pull_entity(
                    store, ctx.connections[name], connector, kind, ctx=ctx, full=full,
                    run_id=report.run_id, stop=stop,
                )  # fmt: skip
            except ConnectorError as exc:
                report.errors[name] = str(exc)
                continue
            report.pulls.setdefault(name, {})[kind.value] = counts


def preview_plan(store: Store, ctx: SyncContext) -> Plan:
    """The plan from the stored state, with assignment as it would decide; nothing is kept."""
    with _rolled_back(store) as session:
        settle_owners(session, ctx)
        return plan_entities(session, ctx)


def plan_and_commit(
    store: Store, ctx: SyncContext, *, run_id: int | None = None
) -> tuple[Plan, CommitCounts]:
    """Plan what needs planning now and queue it (`crmhub apply` without a file)."""
    with store.transaction() as session:
        settle_owners(session, ctx)
        plan = plan_entities(session, ctx)
        return plan, commit_plan(session, plan, run_id=run_id)


def apply_saved_plan(
    store: Store, ctx: SyncContext, saved: Plan, *, run_id: int | None = None
) -> CommitCounts:
    """Queue exactly `saved`: refused (PlanChangedError, nothing done) when a golden record or
    base snapshot it was computed from changed, or planning now gives other writes."""
    with store.transaction() as session:
        settle_owners(session, ctx)
        now = plan_entities(session, ctx, saved.entities)
        changed = sorted(
            str(entity_id)
            for entity_id, version in saved.entities.items()
            if now.entities.get(entity_id, version) != version
        )
        moved = sorted(k for k, v in saved.bases.items() if now.bases.get(k, v) != v)
        mine, theirs = {w.key for w in now.writes}, {w.key for w in saved.writes}
        if changed or moved or mine != theirs:
            session.rollback()
            raise PlanChangedError(_why(changed, moved, len(mine - theirs), len(theirs - mine)))
        return commit_plan(session, now, run_id=run_id)


def _why(changed: list[str], moved: list[int], new: int, gone: int) -> str:
    parts = []
    if changed:
        parts.append(f"{len(changed)} golden record(s) changed (e.g. {changed[0]})")
    if moved:
        parts.append(f"{len(moved)} CRM record(s) changed since (base of link {moved[0]})")
    if new or gone:
        parts.append(f"planning now gives {new} write(s) not in the file and lacks {gone}")
    return "the plan no longer holds: " + "; ".join(parts) + ". Run `crmhub plan` again."
