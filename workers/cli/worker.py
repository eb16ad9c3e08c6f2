"""`crmhub worker`: consume write partitions, push in batches, commit results, relay the outbox."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from workers.broker import BrokerUnavailableError
from workers.cli.context import ExitCode, err, out, state
from workers.consume import WriterLoop
from workers.failpoints import Failpoints
from workers.runtime import parse_partitions, worker_parts
from workers.writer import BatchCounts

__all__ = ["stop_on_signals", "worker"]


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (the work in hand finishes; nothing new starts)."""
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        err.print(f"{signal.Signals(signum).name}: finishing the batch in hand, then stopping")
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def worker(
    ctx: typer.Context,
    partitions: Annotated[
        str, typer.Option(help="Partitions to consume: all, 3, 0-7 or 0,2,5-6.")
    ] = "all",
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Stop once nothing is left to write.")
    ] = False,
    relay: Annotated[
        bool, typer.Option(help="Also relay the outbox to the broker (one process at a time).")
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No line per batch.")] = False,
) -> None:
    """Write planned changes to the CRMs: consume write partitions from the broker, push in
    batches (Zoho 100 a call), commit each record's result; transient failures wait and retry,
    permanent ones become dead letters. SIGTERM finishes the batch in hand and stops."""
    try:
        chosen = parse_partitions(partitions)
    except ValueError as exc:
        err.print(f"[red]error[/red] --partitions: {exc}")
        raise typer.Exit(ExitCode.CONFIG) from None
    config = state(ctx).config()
    store = state(ctx).store()
    parts = worker_parts(config, store, failpoints=Failpoints.from_env())

    def report(counts: BatchCounts) -> None:
        if not quiet:
            out.print(
                f"batch: {counts.pushed} pushed, {counts.done} done, {counts.retried} to retry, "
                f"{counts.dead} dead, {counts.skipped} skipped, {counts.calls} calls",
                highlight=False,
            )

    loop = WriterLoop(
        store,
        parts.target,
        parts.writer,
        parts.loop_settings(chosen, until_idle=until_idle, relay=relay),
        budgets=parts.budgets,
        on_batch=report,
    )
    err.print(f"worker: partitions {partitions} on broker {parts.target.display}")
    try:
        with stop_on_signals() as stop:
            totals = loop.run(stop)
    except BrokerUnavailableError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    finally:
        parts.close()
    out.print(
        f"worker stopped: {totals.done} written, {totals.retried} to retry, {totals.dead} dead "
        f"letters, {totals.calls} API calls",
        highlight=False,
    )
