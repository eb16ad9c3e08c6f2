"""Fault soak: crmhub syncing two faulty CRM emulators while its writers are killed at random.

    .venv/bin/python benchmarks/soak.py [--seconds 180] [--max-requests 40000] [--workers 2]
        [--customers 150] [--seed 7]

Loopback only. The emulators inject 429s, 5xx, timeouts, failed rows in write batches and slow
pages (their FaultPlan), and every few seconds forget the access tokens they issued (the next
call meets an expired token). This process runs sync cycles (pull, merge, plan, outbox) with
remote edits arriving between them; `crmhub worker` subprocesses on the same database and
embedded broker relay and write, and are SIGKILLed and restarted at random (half of them
also kill themselves at a failpoint: before a push, between push and commit, after it). When
time or the request budget is up: faults off, writers stopped, the writes waiting for a retry
are let go at once (as if their backoff had passed), sync cycles run until nothing is planned
or waiting, and the invariant checker runs. Prints the faults injected by kind, kills, and the
checker's verdict; writes benchmarks/results/soak.json.
"""

from __future__ import annotations

# ruff: noqa: E402 (crmhub's packages first: this folder's connectors.py would shadow them)
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import os
import random
import re
import signal
import subprocess
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
from core.sync.cycle import run_cycle
from core.sync.invariants import check_invariants
from workers.runtime import worker_parts
from workers.sync_run import sync_once

sys.path.append(str(HERE))
from _common import write_results
from _e2e_world import E2EWorld, WorldOptions, e2e_world, edit_remote

TOKEN_CODES = {"INVALID_TOKEN", "20016"}


class FaultCount:
    """Counts the faults an emulator's dice actually dealt (wrapping its draws)."""

    def __init__(self, emulator: Any) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        dice = emulator.dice
        call_fault, record_fails, slow_page_s = dice.call_fault, dice.record_fails, dice.slow_page_s

        def counted_call() -> Any:
            fault = call_fault()
            if fault is not None:
                self._add(fault.value)
            return fault

        def counted_row() -> bool:
            failed = record_fails()
            if failed:
                self._add("failed_batch_row")
            return failed

        def counted_slow() -> float:
            slow = slow_page_s()
            if slow:
                self._add("slow_page")
            return slow

        dice.call_fault, dice.record_fails, dice.slow_page_s = (
            counted_call, counted_row, counted_slow,
        )  # fmt: skip

    def _add(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1


def faults(seed: int, batch_failures: bool) -> FaultPlan:
    return FaultPlan(
        seed=seed,
        latency_ms=5,
        jitter_ms=10,
        rate_limit_rate=0.12,
        error_rate=0.08,
        timeout_rate=0.02,
        timeout_hold_s=2.5,
        batch_failure_rate=0.1 if batch_failures else 0.0,
        slow_page_rate=0.25,
        slow_page_ms=400,
    )


class Writers:
    """`crmhub worker` subprocesses: started, SIGKILLed and restarted. Half of them are started
    with a failpoint (`workers.failpoints`): they SIGKILL themselves on their 1st-4th pass
    through a point of a batch (before the push, between push and commit, after the commit),
    the windows a kill from outside rarely hits."""

    def __init__(self, world: E2EWorld, count: int, rng: random.Random) -> None:
        self.env = {**os.environ, **world.env, "CRMHUB_CONFIG": str(world.config_path),
                    "CRMHUB_HOME": str(world.folder / "home")}  # fmt: skip
        self.log = (world.folder / "workers.log").open("ab")
        self.rng = rng
        self.failpoints: Counter[str] = Counter()  # armed, by point
        self.procs: list[subprocess.Popen[bytes]] = [self._start() for _ in range(count)]
        self.kills = 0
        self.restarts = 0

    def _start(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "workers.cli", "worker", "--quiet"]
        env = dict(self.env)
        if self.rng.random() < 0.5:
            point = self.rng.choice(["before_push", "after_push", "after_commit"])
            env["CRMHUB_FAILPOINTS"] = f"{point}:{self.rng.randint(1, 4)}"
            self.failpoints[point] += 1
        # our own interpreter and module, no shell: nothing untrusted reaches the command
        return subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)  # noqa: S603

    def kill_one(self, rng: random.Random) -> None:
        index = rng.randrange(len(self.procs))
        proc = self.procs[index]
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            self.kills += 1
        proc.wait()
        self.procs[index] = self._start()
        self.restarts += 1

    def revive(self) -> None:
        """Writers that died on their own (not killed here) come back too; counted."""
        for index, proc in enumerate(self.procs):
            if proc.poll() is not None:
                self.procs[index] = self._start()
                self.restarts += 1

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.log.close()


def _requests(world: E2EWorld) -> int:
    return sum(int(e.log.counts()["total"]) for e in world.emulators.values())


def _statuses(world: E2EWorld) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for name, emulator in world.emulators.items():
        counts: Counter[str] = Counter()
        for row in emulator.log.counts()["by_outcome"]:
            counts[f"{row['status']} {row['code']}"] += row["count"]
        found[name] = dict(counts.most_common(12))
    return found


def _tokens_refused(world: E2EWorld) -> int:
    return sum(
        row["count"]
        for emulator in world.emulators.values()
        for row in emulator.log.counts()["by_outcome"]
        if str(row["code"]) in TOKEN_CODES
    )


def _release_backoff(store: Store) -> int:
    """Writes waiting for a retry go now (their backoff is minutes; the soak has no time)."""
    with store.transaction() as session:
        result = session.execute(
            sa.update(OutboxItem)
            .where(OutboxItem.status == "pending", OutboxItem.not_before.isnot(None))
            .values(not_before=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


_LOOK_BACK = re.compile(r"repeated=(\d+) found_made=(\d+)")


def _lost_answers(log: Path) -> dict[str, int]:
    """Creates the writers pushed again after an answer lost to a kill or a timeout, and how
    many of them the connector found already made (the Zoho look back logs each time)."""
    repeated = found = 0
    for line in log.read_text(errors="replace").splitlines():
        hit = _LOOK_BACK.search(line)
        if hit:
            repeated, found = repeated + int(hit[1]), found + int(hit[2])
    return {"creates_repeated": repeated, "found_made": found}


def soak(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    n = args.customers
    client = {
        "read_timeout": 1.5,
        "retry": {"attempts": 8, "initial_wait": 0.05, "max_wait": 1.0, "jitter": 0.1,
                  "max_elapsed": 60},
    }  # fmt: skip
    options = WorldOptions(
        WorldSpec(customers=n, contacts=2 * n, opportunities=n, seed=args.seed),
        faults(args.seed, batch_failures=True),
        faults(args.seed + 1, batch_failures=False),
        client=client,
        # a killed writer's messages come back soon (a lost message is republished after this)
        workers={"republish_after_s": 5, "lease_ttl_s": 5, "batch_wait_s": 0.1},
    )
    figures: dict[str, Any] = {"command": " ".join(sys.argv), "customers": n}
    with e2e_world(args.folder, options) as world, ExitStack() as stack:
        counted = {name: FaultCount(e) for name, e in world.emulators.items()}
        store = Store.open(world.config.hub.database.url)
        stack.callback(store.close)
        store.upgrade()
        ctx = SyncContext.from_config(world.config)
        connectors = world.connectors(stack)
        writers = Writers(world, args.workers, random.Random(args.seed + 2))
        started = time.monotonic()
        cycles, edits, token_resets, cycle_errors = 0, 0, 0, Counter[str]()
        next_kill = started + rng.uniform(1, 4)
        try:
            while (time.monotonic() - started < args.seconds
                   and _requests(world) < args.max_requests):  # fmt: skip
                if cycles:
                    edits += sum(edit_remote(world, rng.randint(1, 8), rng).values())
                try:
                    report = run_cycle(store, ctx, connectors)
                    # a connection's pull that failed this cycle (the next goes on from its cursor)
                    cycle_errors.update(f"{name}: {error}" for name, error in report.errors.items())
                except Exception as exc:  # a cycle that dies is retried; counted
                    cycle_errors[type(exc).__name__] += 1
                cycles += 1
                if rng.random() < 0.5:
                    for emulator in world.emulators.values():
                        emulator.reset_tokens()  # issued tokens expire early
                    token_resets += 1
                while time.monotonic() >= next_kill:
                    writers.kill_one(rng)
                    next_kill = time.monotonic() + rng.uniform(1, 4)
                writers.revive()
        finally:
            writers.stop()
        soak_s = time.monotonic() - started
        injected = {name: dict(c.counts) for name, c in counted.items()}
        injected_total = sum(sum(c.counts.values()) for c in counted.values())
        tokens = _tokens_refused(world)
        lost = _lost_answers(world.folder / "workers.log")
        print(f"soak: {soak_s:.0f} s, {cycles} cycles, {edits} remote edits, {writers.kills} "
              f"kills, {_requests(world)} requests; injected {injected}; expired tokens met "
              f"{tokens}; failpoints armed {dict(writers.failpoints)}, writers restarted "
              f"{writers.restarts}; Zoho creates pushed again after a lost answer {lost}",
              flush=True)  # fmt: skip
        for emulator in world.emulators.values():
            emulator.set_faults(rate_limit_rate=0, error_rate=0, timeout_rate=0,
                                batch_failure_rate=0, slow_page_rate=0)  # fmt: skip
        settle_started = time.monotonic()
        parts = worker_parts(world.config, store)
        stack.callback(parts.close)
        settles: list[dict[str, Any]] = []
        for _ in range(args.settle_cycles):
            released = _release_backoff(store)
            for emulator in world.emulators.values():
                emulator.clock.advance(2)
            summary = sync_once(store, ctx, connectors, parts, max_rounds=8)
            totals = summary.totals()
            settles.append(
                {"released": released, "planned": totals["planned"],
                 "written": totals["written"], "waiting": summary.still_waiting}
            )  # fmt: skip
            print(f"settle: {settles[-1]}", flush=True)
            if not released and not sum(totals["planned"].values()) and not summary.still_waiting:
                break
        for emulator in world.emulators.values():
            emulator.clock.advance(2)
        checkers = world.connectors(stack)
        report = check_invariants(store, ctx, checkers, truth=world.truth())
        figures.update(
            {
                "seconds": round(soak_s, 1),
                "settle_seconds": round(time.monotonic() - settle_started, 1),
                "cycles": cycles,
                "cycle_errors": dict(cycle_errors.most_common(10)),
                "remote_edits": edits,
                "kills": writers.kills,
                "restarts": writers.restarts,
                "failpoints_armed": dict(writers.failpoints),
                "workers": args.workers,
                "requests": _requests(world),
                "faults_injected": injected,
                "faults_injected_total": injected_total + tokens,
                "expired_tokens_met": tokens,
                "token_resets": token_resets,
                "lost_answers": lost,
                "responses": _statuses(world),
                "settle": settles,
                "invariants": report.to_data(examples=10),
                "survived": report.ok,
            }
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--max-requests", type=int, default=40_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--customers", type=int, default=150)
    parser.add_argument("--settle-cycles", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "crmhub-soak")
    args = parser.parse_args()
    figures = soak(args)
    inv = figures["invariants"]
    print(f"faults injected {figures['faults_injected_total']} "
          f"({figures['faults_injected']}, expired tokens {figures['expired_tokens_met']}); "
          f"kills {figures['kills']}; invariants {'green' if inv['ok'] else 'VIOLATED'} "
          f"{inv['violations']}")  # fmt: skip
    for example in inv["examples"]:
        print(f"  {example['invariant']}: {example['detail'][:200]}")
    print(f"excused {inv['excused']}; dead letters {inv['dead_letters']}")
    print(f"wrote {write_results('soak', figures)}")


if __name__ == "__main__":
    main()
