"""One whole sync, in-process: the cycle (pull -> match -> merge -> assign -> plan -> outbox)
for the given connections, then the writes through the broker until nothing is left, planning
again between rounds (a contact waits for its customer's create; once the create's result links
the customer, the next round plans the contact). What `crmhub sync` and `crmhub demo` run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.protocol import Connector
from core.store import Store
from core.sync.context import SyncContext
from core.sync.cycle import CycleReport, plan_and_commit, run_cycle
from workers.consume import LoopSettings, WriterLoop, waiting_items
from workers.failpoints import Failpoints
from workers.runtime import WorkerParts
from workers.writer import BatchCounts, ConnectorPool, Writer

__all__ = ["SyncSummary", "sync_once"]


@dataclass
class SyncSummary:
    cycle: CycleReport
    writes: BatchCounts = field(default_factory=BatchCounts)
    replanned: int = 0
    rounds: int = 0
    still_waiting: int = 0  # writes waiting for a retry later than this run looks
    calls: dict[str, int] = field(default_factory=dict)
    stopped: bool = False  # a stop request ended it early; the next sync goes on from there

    def totals(self) -> dict[str, Any]:
        """The figures people ask for first, by name."""
        counts = self.cycle.counts()
        return {
            "pulled": counts.get("records", 0),
            "quarantined": counts.get("quarantined", 0),
            "new": counts.get("new", 0),
            "merged": counts.get("joined", 0),
            "parked": counts.get("parked", 0),
            "fields_changed": counts.get("fields_changed", 0),
            "conflicts": counts.get("conflicts", 0),
            "assigned": counts.get("assigned", 0),
            "owners_changed": counts.get("owners_changed", 0),
            "planned": {
                "creates": counts.get("creates", 0),
                "updates": counts.get("updates", 0),
                "deletes": counts.get("deletes", 0),
            },
            "written": self.writes.done,
            "retrying": self.still_waiting,
            "dead_letters": self.writes.dead,
            "calls": dict(self.calls),
            "errors": dict(self.cycle.errors),
        }


def sync_once(
    store: Store,
    ctx: SyncContext,
    connectors: Mapping[str, Connector],
    parts: WorkerParts,
    *,
    max_rounds: int = 5,
    on_stage: Callable[[str], None] = lambda stage: None,
    on_batch: Callable[[BatchCounts], None] = lambda counts: None,
    stop: threading.Event | None = None,
) -> SyncSummary:
    """Run one sync (see the module docstring); connectors are the caller's to close.

    A `stop` request is honoured between pages and between write batches (the batch in hand is
    finished and committed); the summary then says `stopped`, and the next sync goes on from
    the saved cursors and the outbox."""
    stop = stop or threading.Event()
    on_stage("pull")
    summary = SyncSummary(run_cycle(store, ctx, connectors, stop=stop))
    pool = ConnectorPool(lambda name: connectors[name])  # the same clients, counters and tokens
    writer = Writer(store, pool, budgets=parts.budgets, failpoints=Failpoints())
    settings: LoopSettings = parts.loop_settings(until_idle=True)
    for _ in range(max_rounds):
        if stop.is_set():
            break
        on_stage("write")
        loop = WriterLoop(
            store, parts.target, writer, settings, budgets=parts.budgets, on_batch=on_batch
        )
        summary.writes.add(loop.run(stop))
        summary.rounds += 1
        if stop.is_set():
            break
        on_stage("plan")
        _, committed = plan_and_commit(store, ctx, run_id=summary.cycle.run_id)
        summary.replanned += committed.queued
        if not committed.queued:
            break
    summary.stopped = stop.is_set()
    summary.still_waiting = waiting_items(store)
    for name, connector in connectors.items():
        counters = getattr(connector, "counters", None)
        if counters is not None:
            summary.calls[name] = int(counters.snapshot().total_calls)
    return summary
