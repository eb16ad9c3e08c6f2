"""Pull + reconcile only: the first full sync's pull stage on both emulators without latency,
with SQL statements and seconds per step of ingest (where the time of a growing store goes).

    .venv/bin/python -u benchmarks/pull_reconcile.py --customers 1000 [--profile FILE]
        [--database URL]

N customers (2N contacts, N opportunities, overlapping) in the Zoho and Fxiaoke emulators on
loopback with no latency; the users and then each kind of both connections are pulled and
reconciled as `crmhub sync` does (no planning, no writes). Per step (map, annotate, source
record write, preload, match_record, link_opportunity, golden merge, base snapshot, audit)
it prints the statements and seconds spent in it (its own, not in the steps it calls), per
record and per kind, and writes benchmarks/results/pull_reconcile-N.json. `--profile FILE`
writes a cProfile of the pull to FILE.
"""

from __future__ import annotations

# ruff: noqa: E402 (crmhub's packages are imported before this folder joins sys.path: its
# connectors.py benchmark would shadow the connectors package)
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import cProfile
import os
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from typing import Any

import sqlalchemy as sa

import core.sync.ingest as ingest
import core.sync.reconcile as reconcile
from connectors.emulator.faults import FaultPlan
from connectors.emulator.world import WorldSpec
from core.store import Store
from core.sync.context import KINDS, SyncContext
from core.sync.owners import sync_users

sys.path.append(str(HERE))
from _common import write_results
from _e2e_world import WorldOptions, e2e_world

# (module, attribute, step): the functions whose own statements and time are counted
STEPS = [
    (ingest, "map_page", "map"),
    (ingest, "_preload_refs", "refs"),
    (ingest, "_annotate", "annotate"),
    (ingest, "store_records", "source_records"),
    (ingest, "save_cursor", "cursor"),
    (reconcile.Reconciler, "preload", "preload"),
    (reconcile, "match_record", "match_record"),
    (reconcile, "link_opportunity", "link_opportunity"),
    (reconcile.Reconciler, "_merge", "golden_merge"),
    (reconcile, "index_entity", "index_entity"),
    (reconcile, "record_pulled", "base_snapshot"),
    (reconcile, "golden_change_audits", "audit"),
    (reconcile, "record_audit", "audit"),
    (reconcile, "record_audits", "audit"),
]


class Steps:
    """Statements and seconds per step, each step's own (a step inside another is not counted
    twice): a `before_cursor_execute` listener and wrappers around the steps' functions."""

    def __init__(self, store: Store) -> None:
        self.statements: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.texts: Counter[tuple[str, str]] = Counter()  # (step, statement's start)
        self.stack: list[list[Any]] = [["other", time.perf_counter()]]
        sa.event.listen(store.engine, "before_cursor_execute", self._count)
        for owner, attribute, step in STEPS:
            setattr(owner, attribute, self._wrap(getattr(owner, attribute), step))

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements[self.stack[-1][0]] += 1
        self.texts[(self.stack[-1][0], " ".join(statement.split())[:150])] += 1

    def _switch(self, step: str) -> None:
        now = time.perf_counter()
        top = self.stack[-1]
        self.seconds[top[0]] += now - top[1]
        top[1] = now
        if step:
            self.stack.append([step, now])

    def _wrap(self, fn: Any, step: str) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self._switch(step)
            self.calls[step] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                self._switch("")
                self.stack.pop()
                self.stack[-1][1] = time.perf_counter()

        return wrapped

    def reset(self) -> None:
        self._switch("")
        self.statements.clear()
        self.seconds.clear()
        self.calls.clear()
        self.texts.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--overlap", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--statements", type=Path, help="write each statement's count here")
    parser.add_argument("--database", help="default: SQLite in the folder")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "crmhub-pr")
    args = parser.parse_args()
    n = args.customers
    options = WorldOptions(
        WorldSpec(customers=n, contacts=2 * n, opportunities=n, overlap=args.overlap,
                  seed=args.seed),
        FaultPlan(latency_ms=0, seed=args.seed),
        FaultPlan(latency_ms=0, seed=args.seed + 1),
        database=args.database,
    )  # fmt: skip
    load = os.getloadavg()[0]
    with e2e_world(args.folder, options) as world, ExitStack() as stack:
        store = Store.open(world.config.hub.database.url)
        stack.callback(store.close)
        store.upgrade()
        ctx = SyncContext.from_config(world.config)
        connectors = world.connectors(stack)
        steps = Steps(store)
        for name, connector in connectors.items():
            sync_users(store, ctx, name, connector)
        steps.reset()
        profile = cProfile.Profile() if args.profile else None
        kinds: dict[str, dict[str, Any]] = {}
        started = time.perf_counter()
        records = 0
        for kind in KINDS:
            sent, at = steps.statements.total(), time.perf_counter()
            pulled = 0
            outcomes: Counter[str] = Counter()
            for name, connector in connectors.items():
                if profile:
                    profile.enable()
                counts = ingest.pull_entity(
                    store, ctx.connections[name], connector, kind, ctx=ctx, full=True
                )
                if profile:
                    profile.disable()
                pulled += counts.records
                outcomes.update(counts.outcomes)
            seconds = time.perf_counter() - at
            statements = steps.statements.total() - sent
            kinds[kind.value] = {
                "records": pulled, "seconds": round(seconds, 2),
                "per_s": round(pulled / seconds, 1), "statements": statements,
                "statements_per_record": round(statements / max(pulled, 1), 2),
                "outcomes": dict(outcomes),
            }  # fmt: skip
            records += pulled
            print(f"{kind.value:>12}: {kinds[kind.value]}", flush=True)
        steps._switch("")
        total = time.perf_counter() - started
        statements = steps.statements.total()
    if args.statements:
        lines = [f"{n:8d} {step:>16} {text}" for (step, text), n in steps.texts.most_common()]
        args.statements.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if profile and args.profile:
        profile.dump_stats(str(args.profile))
    per_step = {
        step: {
            "statements_per_record": round(steps.statements[step] / records, 2),
            "ms_per_record": round(steps.seconds[step] * 1000 / records, 3),
            "calls": steps.calls[step],
        }
        for step in sorted(set(steps.seconds) | set(steps.statements), key=steps.seconds.get)
    }
    for step, figures in per_step.items():
        print(f"{step:>18}: {figures}")
    summary = {
        "records": records, "seconds": round(total, 1), "per_s": round(records / total, 1),
        "statements": statements, "statements_per_record": round(statements / records, 2),
        "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2),
    }  # fmt: skip
    print(f"pull+reconcile {n} customers: {summary}")
    path = write_results(
        f"pull_reconcile-{n}",
        {"command": " ".join(sys.argv), "customers": n, **summary, "kinds": kinds,
         "steps": per_step},
    )  # fmt: skip
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
