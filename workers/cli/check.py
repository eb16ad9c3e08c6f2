"""`crmhub check`: the sync's invariants against the store and the CRMs (exit 1 if violated)."""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Annotated

import typer
from rich.table import Table

from connectors.protocol import Connector
from core.sync.context import SyncContext
from core.sync.invariants import InvariantReport, check_invariants
from workers.cli.connect import open_connection
from workers.cli.context import ExitCode, out, state

__all__ = ["check", "print_report"]


def check(
    ctx: typer.Context,
    remote: Annotated[
        bool, typer.Option(help="Read every record of every CRM (a full pull, no writes).")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
) -> None:
    """Check that every CRM agrees with the golden records (open conflicts, parked matches and
    dead letters excused and counted), no record is duplicated, no write is lost and the audit
    log accounts for every golden value. Run it once a sync has settled. Exit 1 if violated."""
    config = state(ctx).config()
    store = state(ctx).store()
    sync_ctx = SyncContext.from_config(config)
    with ExitStack() as stack:
        connectors: dict[str, Connector] = {}
        if remote:
            for name in sync_ctx.connections:
                connectors[name] = open_connection(name, config.hub.connections[name])
                stack.callback(connectors[name].close)
        report = check_invariants(store, sync_ctx, connectors)
    if as_json:
        out.print_json(json.dumps(report.to_data(), default=str))
    else:
        print_report(report)
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.FAILED)


def print_report(report: InvariantReport, examples: int = 20) -> None:
    table = Table("invariant", "violations", title="invariants")
    for name, count in report.counts().items():
        table.add_row(name, f"[red]{count}[/red]" if count else "0")
    out.print(table)
    for violation in report.violations[:examples]:
        where = " ".join(filter(None, (violation.connection, violation.entity_id)))
        out.print(f"  {violation.invariant.value}: {where}: {violation.detail}", highlight=False)
    if len(report.violations) > examples:
        out.print(f"  … and {len(report.violations) - examples} more", highlight=False)
    for title, counts in (("checked", report.checked), ("excused", report.excused),
                          ("notes", report.notes)):  # fmt: skip
        if counts:
            text = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            out.print(f"{title}: {text}", highlight=False)
    for what, count in report.dead_letters.most_common(5):
        out.print(f"dead letter x{count}: {what}", highlight=False)
    out.print("[green]all invariants hold[/green]" if report.ok else "[red]violated[/red]")
