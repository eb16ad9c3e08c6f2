"""`crmhub sync`: every configured connection once, end to end, with a summary."""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Annotated

import typer

from core.sync.context import SyncContext
from workers.broker import BrokerUnavailableError
from workers.cli.connect import open_connection
from workers.cli.context import ExitCode, err, out, state
from workers.cli.summary import print_summary, sync_progress
from workers.cli.worker import stop_on_signals
from workers.runtime import worker_parts
from workers.sync_run import SyncSummary, sync_once

__all__ = ["exit_code", "sync"]


def sync(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="The summary as JSON.")] = False,
) -> None:
    """Sync every enabled connection once: pull -> match -> merge -> assign -> plan -> outbox ->
    write, then print what happened. Exit 1 when a connection failed or a write was refused.
    SIGTERM or Ctrl-C finishes the page or write batch in hand and stops (exit 1); the next
    sync goes on from there."""
    config = state(ctx).config()
    store = state(ctx).store()
    sync_ctx = SyncContext.from_config(config)
    if not sync_ctx.connections:
        err.print("[red]error[/red] no enabled connections in the config")
        raise typer.Exit(ExitCode.CONFIG)
    parts = worker_parts(config, store)
    with ExitStack() as stack:
        stack.callback(parts.close)
        connectors = {}
        for name in sync_ctx.connections:
            connectors[name] = open_connection(name, config.hub.connections[name])
            stack.callback(connectors[name].close)
        try:
            with stop_on_signals() as stop, sync_progress() as bars:
                summary = sync_once(
                    store, sync_ctx, connectors, parts, on_stage=bars.on_stage,
                    on_batch=bars.on_batch, stop=stop,
                )  # fmt: skip
        except BrokerUnavailableError as exc:
            err.print(f"[red]error[/red] {exc}")
            raise typer.Exit(ExitCode.UNAVAILABLE) from None
    if as_json:
        out.print_json(json.dumps(summary.totals()))
    else:
        print_summary(summary)
    if summary.stopped:
        err.print("stopped before the end: the next sync goes on from where this one stopped")
    raise typer.Exit(exit_code(summary))


def exit_code(summary: SyncSummary) -> ExitCode:
    totals = summary.totals()
    failed = totals["errors"] or totals["dead_letters"] or summary.stopped
    return ExitCode.FAILED if failed else ExitCode.OK
