"""End to end: both CRM emulators on loopback with realistic latency, N customers (2N contacts,
N opportunities, overlapping), and crmhub syncing them the way `crmhub sync` does.

    .venv/bin/python benchmarks/e2e_sync.py --customers 1000 [--changes 10,1000]
        [--zoho-latency-ms 80] [--fxiaoke-latency-ms 120] [--real-fxiaoke-limits]
        [--check each|last|none]

Stages: a first full sync; for each k in --changes, k remote edits (in the emulators, as users
would make them) and a sync; then a sync with no changes. After the full sync and each k, an
"echo" sync reads back what the stage wrote (crmhub recognises its own writes and drops them),
so each stage starts settled. Per stage it prints and writes
(benchmarks/results/e2e_sync-N.json): seconds and records/s of pull+reconcile, plan and write;
API calls per connection next to the minimum possible (pull pages at the largest page size,
Zoho writes in batches of 100, Fxiaoke one record a call); the time the Fxiaoke calls would
need at its real limit (100 calls / 20 s per endpoint); peak memory (max RSS: crmhub and the
emulators share the process); database size; the ratio of each sync's time to the full
sync's. The invariant checker runs after each stage (its own connectors; not timed in; at 10k
customers it takes minutes a stage, so `--check last` runs it once, after the last stage).
The JSON is rewritten after every stage ("complete": false until the last), so a long run that
dies still leaves the stages it finished.

A run longer than a session: `--pause-after SECONDS` stops at the next safe point after that
long (or on SIGTERM; between pages or write batches, like `crmhub sync`), saves the emulators and
where the run is in `--folder`; `--resume --folder F` goes on with the same stage in a new
process (crmhub resumes from its cursors and outbox). A stage's figures are then the sums of
its segments' (`"segments"` says how many), and `"sessions"` lists each process's time.
A finished run saves its emulators too: `--resume --again K --folder F` measures K remote
changes, their echo and a sync with no changes once more on the same world (after a fix).

Fxiaoke's limit is raised by default (so the run measures crmhub, not the throttle) and the
connections' client budgets are set to match; `--real-fxiaoke-limits` keeps the real one.
"""

from __future__ import annotations

# ruff: noqa: E402 (crmhub's packages are imported before this folder joins sys.path: its
# connectors.py benchmark would shadow the connectors package)
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import math
import random
import resource
import signal
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from typing import Any

import sqlalchemy as sa

from connectors.emulator.faults import FaultPlan
from connectors.emulator.world import WorldSpec
from core.store import OutboxItem, Store
from core.sync.context import SyncContext
from core.sync.invariants import check_invariants, golden_baseline
from workers.runtime import worker_parts
from workers.sync_run import SyncSummary, sync_once

sys.path.append(str(HERE))
from _common import RESULTS, write_results
from _e2e_counters import PlanClock, Statements
from _e2e_progress import Progress, load_baseline, merge_segments, save_baseline
from _e2e_world import (
    REAL_FXIAOKE_CALLS,
    REAL_FXIAOKE_WINDOW_S,
    E2EWorld,
    WorldOptions,
    e2e_world,
    edit_remote,
    save_emulators,
)

PAGE = {"zoho": 200, "fxiaoke": 100}
WRITE_BATCH = {"zoho": 100, "fxiaoke": 1}


def _writes_since(store: Store, after_id: int) -> tuple[Counter[tuple[str, str, str]], int]:
    with store.transaction() as session:
        rows = session.execute(
            sa.select(OutboxItem.connection, OutboxItem.kind, OutboxItem.operation, sa.func.count())
            .where(OutboxItem.id > after_id, OutboxItem.status == "done")
            .group_by(OutboxItem.connection, OutboxItem.kind, OutboxItem.operation)
        ).all()
        last = session.scalar(sa.select(sa.func.max(OutboxItem.id))) or 0
    return Counter({(r[0], r[1], r[2]): int(r[3]) for r in rows}), int(last)


def _minimum_calls(summary: SyncSummary, writes: Counter[tuple[str, str, str]]) -> dict[str, int]:
    """Pull pages at the largest page size (one per kind even when nothing changed) plus write
    calls (Zoho 100 records a call per kind and operation, Fxiaoke one a record)."""
    minimum: Counter[str] = Counter()
    for name, per_kind in summary.cycle.pulls.items():
        for counts in per_kind.values():
            minimum[name] += max(1, math.ceil(counts.records / PAGE[name]))
    for (name, _, _), count in writes.items():
        minimum[name] += math.ceil(count / WRITE_BATCH[name])
    return dict(minimum)


def _db_bytes(world: E2EWorld) -> int:
    return sum(p.stat().st_size for p in world.folder.glob("crmhub.db*"))


def _at_real_limit(by_endpoint: dict[str, int]) -> float:
    """Seconds Fxiaoke's calls need at 100 calls / 20 s per endpoint, one endpoint after the
    other (a sync's steps run in sequence)."""
    return sum(
        max(0, math.ceil(n / REAL_FXIAOKE_CALLS) - 1) * REAL_FXIAOKE_WINDOW_S
        for n in by_endpoint.values()
    )


def run_stage(
    name: str,
    world: E2EWorld,
    store: Store,
    ctx: SyncContext,
    connectors: dict[str, Any],
    parts: Any,
    clock: PlanClock,
    since: int,
    stop: threading.Event,
) -> tuple[dict[str, Any], bool]:
    """One segment of a stage (the whole stage unless `stop` pauses it): its figures, and
    whether it was paused. `since`: the outbox ids of earlier stages end there."""
    done_before, _ = _writes_since(store, since)
    for emulator in world.emulators.values():
        emulator.log.reset()
    for connector in connectors.values():
        connector.counters.reset()
    # (stage, plan seconds so far, plan statements so far, statements so far)
    marks: list[tuple[str, float, int, int]] = []
    clock.seconds, clock.statements = 0.0, 0
    counter = clock.counter
    sent = counter.count
    started = time.perf_counter()
    summary = sync_once(store, ctx, connectors, parts, max_rounds=8, stop=stop,
                        on_stage=lambda s: marks.append((s, clock.seconds, clock.statements,
                                                         counter.count)))  # fmt: skip
    total = time.perf_counter() - started
    statements = counter.count - sent
    done_after, _ = _writes_since(store, since)
    writes = done_after - done_before  # this segment's
    plan_in_cycle = next((p for s, p, _, _ in marks if s == "write"), clock.seconds)
    plan_sql_in_cycle, cycle_sql = next(
        ((p, c - sent) for s, _, p, c in marks if s == "write"), (clock.statements, statements)
    )
    pull_sql = cycle_sql - plan_sql_in_cycle
    pull_s = max(summary.cycle.seconds - plan_in_cycle, 1e-9)
    plan_s = clock.seconds
    write_s = max(total - pull_s - plan_s, 1e-9)
    totals = summary.totals()
    written = sum(writes.values())
    calls = {n: c.counters.snapshot().total_calls for n, c in connectors.items()}
    by_endpoint = {n: e.log.counts()["by_endpoint"] for n, e in world.emulators.items()}
    figures = {
        "stage": name,
        "seconds": round(total, 2),
        "pull_reconcile": {"seconds": round(pull_s, 2), "records": totals["pulled"],
                           "per_s": round(totals["pulled"] / pull_s, 1), "statements": pull_sql,
                           "statements_per_record": round(pull_sql / max(totals["pulled"], 1),
                                                          1)},
        "plan": {"seconds": round(plan_s, 2), "writes_planned": sum(totals["planned"].values())
                 + summary.replanned, "per_s": round((sum(totals["planned"].values())
                 + summary.replanned) / max(plan_s, 1e-9), 1),
                 "statements": clock.statements},
        "write": {"seconds": round(write_s, 2), "records": written,
                  "per_s": round(written / write_s, 1),
                  "statements": statements - pull_sql - clock.statements},
        "writes": {f"{c} {k} {o}": n for (c, k, o), n in sorted(writes.items())},
        "calls": calls,
        "calls_minimum": _minimum_calls(summary, writes),
        "calls_by_endpoint": by_endpoint,
        "fxiaoke_seconds_at_real_limit": _at_real_limit(by_endpoint["fxiaoke"]),
        "summary": totals,
        "database_bytes": _db_bytes(world),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }  # fmt: skip
    return figures, summary.stopped


def settle_clocks(world: E2EWorld) -> None:
    """Move the emulators' clocks on so the last writes lie in finished seconds (pulls read
    up to the last finished second), as the next scheduled sync would find them."""
    for emulator in world.emulators.values():
        emulator.clock.advance(2)


def check(world: E2EWorld, store: Store, ctx: SyncContext, checkers: Any, base: Any) -> Any:
    started = time.perf_counter()
    report = check_invariants(store, ctx, checkers, truth=world.truth(), baseline=base)
    data = report.to_data(examples=5)
    data["seconds"] = round(time.perf_counter() - started, 1)
    return data


def _print_stage(stage: dict[str, Any]) -> None:
    print(
        f"{stage['stage']:>14}: {stage['seconds']:8.1f} s | pull+reconcile "
        f"{stage['pull_reconcile']['records']} rec {stage['pull_reconcile']['per_s']}/s | plan "
        f"{stage['plan']['writes_planned']} writes {stage['plan']['seconds']} s | write "
        f"{stage['write']['records']} rec {stage['write']['per_s']}/s | statements pull "
        f"{stage['pull_reconcile']['statements']} "
        f"({stage['pull_reconcile']['statements_per_record']}/rec) plan "
        f"{stage['plan']['statements']} write {stage['write']['statements']} | "
        f"calls {stage['calls']} "
        f"(min {stage['calls_minimum']}) | fxiaoke at real limit "
        f"{stage['fxiaoke_seconds_at_real_limit']:.0f} s | rss {stage['max_rss_mb']} MB | db "
        f"{stage['database_bytes'] / 1e6:.1f} MB",
        flush=True,
    )


def _print_invariants(inv: dict[str, Any]) -> None:
    print(f"{'':>16}invariants {'green' if inv['ok'] else 'VIOLATED'} {inv['violations']} "
          f"excused {inv['excused']} ({inv['seconds']} s)", flush=True)  # fmt: skip
    for example in inv["examples"]:
        print(f"{'':>18}{example['invariant']}: {example['detail'][:160]}", flush=True)


def _arguments() -> tuple[argparse.Namespace, Progress]:
    """The options, and where the run is (new, or read from --folder with --resume)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--overlap", type=float, default=0.3)
    parser.add_argument("--changes", default="10,1000", help="k of each incremental stage")
    parser.add_argument("--zoho-latency-ms", type=float, default=80.0)
    parser.add_argument("--fxiaoke-latency-ms", type=float, default=120.0)
    parser.add_argument("--real-fxiaoke-limits", action="store_true")
    parser.add_argument(
        "--check",
        choices=["each", "last", "none"],
        default="each",
        help="run the invariant checker after each stage, after the last one only, or never",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "crmhub-e2e")
    parser.add_argument(
        "--pause-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="pause at the next safe point after this long (saves the emulators; --resume goes on)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="go on with the paused run in --folder (its own options; the others are ignored)",
    )
    parser.add_argument(
        "--again",
        type=int,
        default=None,
        metavar="K",
        help="with --resume: after the run's stages, K remote changes, their echo and a sync "
        "with no changes once more (a finished run measured again after a fix; not checked)",
    )
    args = parser.parse_args()
    if not args.resume:
        return args, Progress({k: getattr(args, k) for k in KEPT})
    progress = Progress.resume(args.folder)
    args = argparse.Namespace(**{**progress.args, "folder": args.folder, "again": args.again,
                                 "pause_after": args.pause_after, "resume": True})  # fmt: skip
    return args, progress


KEPT = ("customers", "overlap", "changes", "zoho_latency_ms", "fxiaoke_latency_ms",
        "real_fxiaoke_limits", "check", "seed")  # fmt: skip


def main() -> None:
    args, progress = _arguments()
    n = args.customers
    endpoint_calls = REAL_FXIAOKE_CALLS if args.real_fxiaoke_limits else 100_000
    options = WorldOptions(
        WorldSpec(customers=n, contacts=2 * n, opportunities=n, overlap=args.overlap,
                  seed=args.seed),
        FaultPlan(latency_ms=args.zoho_latency_ms, seed=args.seed),
        FaultPlan(latency_ms=args.fxiaoke_latency_ms, seed=args.seed + 1),
        fxiaoke_endpoint_calls=endpoint_calls,
    )  # fmt: skip
    limits = {
        "zoho": {"latency_ms": args.zoho_latency_ms, "concurrency": options.zoho_concurrency,
                 "max_batch": 100, "max_per_page": 200, "credits": "raised to 10M / 24 h"},
        "fxiaoke": {"latency_ms": args.fxiaoke_latency_ms,
                    "endpoint_calls_per_20s": endpoint_calls, "real": "100 / 20 s",
                    "max_limit": 100, "records_per_write": 1},
    }  # fmt: skip
    print(f"e2e_sync: {n} customers, {2 * n} contacts, {n} opportunities; limits {limits}",
          flush=True)  # fmt: skip
    header = {"command": " ".join(sys.argv), "customers": n, "contacts": 2 * n,
              "opportunities": n, "overlap": args.overlap, "limits": limits}  # fmt: skip
    rng = random.Random(args.seed)
    progress.restore_rng(rng)
    stop = threading.Event()
    # SIGTERM pauses too (at the next safe point, emulators saved): a run can be stopped early
    # without losing it, as a killed one is lost
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if args.pause_after is not None:
        timer = threading.Timer(args.pause_after, stop.set)
        timer.daemon = True
        timer.start()
    started = time.perf_counter()
    with e2e_world(args.folder, options, resume=args.resume) as world, ExitStack() as stack:
        print(f"world ready in {time.perf_counter() - started:.1f} s"
              f"{' (resumed at stage ' + str(progress.next_index) + ')' if args.resume else ''}",
              flush=True)  # fmt: skip
        store = Store.open(world.config.hub.database.url)
        stack.callback(store.close)
        store.upgrade()
        parts = worker_parts(world.config, store)
        stack.callback(parts.close)
        ctx = SyncContext.from_config(world.config)
        connectors = world.connectors(stack)
        checkers = world.connectors(stack)
        clock = PlanClock(Statements(store))
        # each stage's writes come back in the next pull (their echo, recognised and dropped):
        # an echo sync after each stage settles it, so the next stage measures its own changes
        plan = [("full", 0), ("echo of full", 0)]
        for k in filter(None, str(args.changes).split(",")):
            plan += [(f"changes={k}", int(k)), (f"echo of {k}", 0)]
        plan.append(("no changes", 0))
        checked_last = len(plan) - 1  # `--check last` checks after this stage
        if args.again:
            plan += [(f"changes={args.again}, again", args.again),
                     (f"echo of {args.again}, again", 0), ("no changes, again", 0)]  # fmt: skip
        path = RESULTS / f"e2e_sync-{n}.json"
        progress.running = True
        progress.save(world.folder)
        for index in range(progress.next_index, len(plan)):
            name, k = plan[index]
            if not progress.under_way:
                # checked once at the end, the audit must account for every stage's changes
                if args.check == "each" or index == 0:
                    save_baseline(world.folder, golden_baseline(store))
                progress.edited = edit_remote(world, k, rng) if k else {}
                progress.keep_rng(rng)
            segment, paused = run_stage(name, world, store, ctx, connectors, parts, clock,
                                        progress.last_outbox, stop)  # fmt: skip
            progress.segments.append(segment)
            if paused:
                print(f"{name}: paused after {segment['seconds']:.1f} s (segment "
                      f"{len(progress.segments)}); saving the emulators", flush=True)  # fmt: skip
                save_emulators(world)
                progress.running = False
                progress.sessions.append({"seconds": round(time.perf_counter() - started, 1),
                                          "ended": f"paused in {name}"})  # fmt: skip
                progress.save(world.folder)
                again = f" --again {args.again}" if args.again else ""
                print(f"resume with: {sys.argv[0]} --resume --folder {args.folder}{again}")
                return
            stage = merge_segments(progress.segments)
            stage["fxiaoke_seconds_at_real_limit"] = _at_real_limit(
                stage["calls_by_endpoint"]["fxiaoke"]
            )
            stage["remote_edits"] = progress.edited
            if progress.stages:
                stage["ratio_to_full"] = round(stage["seconds"] / progress.stages[0]["seconds"], 4)
            _print_stage(stage)
            settle_clocks(world)
            last = index == len(plan) - 1
            if index <= checked_last and (
                args.check == "each" or (args.check == "last" and index == checked_last)
            ):
                stage["invariants"] = check(world, store, ctx, checkers,
                                            load_baseline(world.folder))  # fmt: skip
                _print_invariants(stage["invariants"])
            progress.finish_stage(stage, _writes_since(store, 0)[1])
            if last:
                save_emulators(world)  # a finished run can be measured again (`--again`)
                progress.running = False
                progress.sessions.append({"seconds": round(time.perf_counter() - started, 1),
                                          "ended": "finished"})  # fmt: skip
            progress.save(world.folder)
            figures = {"complete": last, "sessions": progress.sessions, "stages": progress.stages}
            path = write_results(f"e2e_sync-{n}", {**header, **figures})
    for stage in progress.stages[1:]:
        print(f"{stage['stage']}: {stage['ratio_to_full']:.2%} of the full sync's time")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
