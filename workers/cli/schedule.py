"""`crmhub schedule`: sync each connection when its schedule says, until stopped."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from core.sync.context import SyncContext
from core.sync.cycle import run_cycle
from workers.cli.connect import open_connection
from workers.cli.context import ExitCode, err, out, state
from workers.cli.worker import stop_on_signals
from workers.consume import WriterLoop
from workers.leases import LeaseKeeper, holder_name
from workers.runtime import worker_parts
from workers.scheduler import Planned, Scheduler

__all__ = ["schedule"]


def schedule(
    ctx: typer.Context,
    with_writer: Annotated[
        bool,
        typer.Option(
            "--with-writer",
            help="Also write (all partitions) in this process: one process does it all.",
        ),
    ] = False,
) -> None:
    """Run each connection's sync when its `schedule` (every: 15m, or cron: "0 2 * * *") says.

    A sync pulls that connection and plans writes for every other one into the outbox; writers
    (`crmhub worker`, or --with-writer) send them. Several schedulers may run: a connection is
    never synced by two at once. SIGTERM lets the sync in hand finish, then stops."""
    config = state(ctx).config()
    store = state(ctx).store()
    try:
        planned = {
            name: Planned(conn.schedule, ZoneInfo(conn.timezone))
            for name, conn in config.hub.connections.items()
            if conn.enabled and conn.schedule is not None
        }
    except (ZoneInfoNotFoundError, ValueError) as exc:
        err.print(f"[red]error[/red] a connection's timezone is not an IANA zone name: {exc}")
        raise typer.Exit(ExitCode.CONFIG) from None
    if not planned:
        err.print("[red]error[/red] no enabled connection has a `schedule:` in the config")
        raise typer.Exit(ExitCode.CONFIG)
    sync_ctx = SyncContext.from_config(config)
    parts = worker_parts(config, store)
    leases = LeaseKeeper(
        store, holder_name("scheduler"), timedelta(seconds=parts.settings.lease_ttl_s)
    )

    def run_sync(name: str) -> None:
        connector = open_connection(name, config.hub.connections[name])
        try:
            report = run_cycle(store, sync_ctx, {name: connector})
        finally:
            connector.close()
        counts = report.counts()
        queued = report.committed.queued if report.committed else 0
        failed = f", failed: {report.errors[name]}" if name in report.errors else ""
        out.print(
            f"sync {name}: {counts.get('records', 0)} pulled, {queued} writes queued{failed}",
            highlight=False,
        )

    scheduler = Scheduler(planned, leases, run_sync)
    for name, plan in planned.items():
        when = plan.schedule.every or f"cron {plan.schedule.cron} ({plan.zone})"
        err.print(f"schedule {name}: {when}")
    writer_thread: threading.Thread | None = None
    try:
        with stop_on_signals() as stop:
            if with_writer:
                loop = WriterLoop(
                    store, parts.target, parts.writer, parts.loop_settings(), budgets=parts.budgets
                )
                writer_thread = threading.Thread(target=loop.run, args=(stop,), name="writer")
                writer_thread.start()
            scheduler.run(stop)
    finally:
        if writer_thread is not None:
            writer_thread.join()
        parts.close()
    out.print("scheduler stopped")
