"""`crmhub plan` and `crmhub apply`: the writes the sync would make, and queueing them.

`plan` pulls every enabled connection (as `crmhub pull` does; `--no-pull` plans from what is
stored), then plans without queueing anything: a table (or `--json`) of creates, updates and
deletes per connection with the fields each changes; exit 1 when there is something to write,
0 when every CRM already agrees. `--save FILE` keeps the plan; `apply FILE` queues exactly
that plan, or refuses (exit 1, nothing queued) when anything it was computed from changed.
`apply` without a file pulls, plans and queues now. Pushing the queue is the workers' job.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from connectors.protocol import Connector
from core.sync.context import SyncContext
from core.sync.cycle import CycleReport, PlanChangedError, apply_saved_plan, run_cycle
from core.sync.plan import Plan
from workers.cli.connect import open_connection
from workers.cli.context import ExitCode, err, out, state

__all__ = ["apply", "plan", "sync_context"]

NoPull = Annotated[
    bool, typer.Option("--no-pull", help="Plan from the stored state; do not pull first.")
]


def sync_context(ctx: typer.Context) -> SyncContext:
    """The enabled connections with their maps, and the policies, from the config."""
    return SyncContext.from_config(state(ctx).config())


@contextlib.contextmanager
def _connectors(ctx: typer.Context, sync: SyncContext, wanted: bool) -> Iterator[dict[str, Any]]:
    connections = state(ctx).config().hub.connections
    opened: dict[str, Connector] = {}
    try:
        if wanted:
            for name in sync.connections:
                opened[name] = open_connection(name, connections[name])
        yield opened
    finally:
        for connector in opened.values():
            connector.close()


def _cycle(ctx: typer.Context, *, commit: bool, pull: bool) -> CycleReport:
    sync = sync_context(ctx)
    store = state(ctx).store()
    with _connectors(ctx, sync, pull) as connectors:
        report = run_cycle(store, sync, connectors, commit=commit, pull=pull)
    for name, error in report.errors.items():
        err.print(f"[yellow]warning[/yellow] {name} not pulled: {error}", highlight=False)
    return report


def _short(value: Any) -> str:
    if value is None:
        return "∅"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def print_plan(found: Plan) -> None:
    table = Table("connection", "kind", "op", "record", "remote id", "changes", title="plan")
    for write in sorted(found.writes, key=lambda w: (w.connection, w.kind, w.label)):
        changes = "\n".join(
            f"{path}: {_short(have)} → {_short(want)}"
            for path, (have, want) in sorted(write.changes.items())
        )
        table.add_row(
            write.connection, write.kind, write.operation.value, write.label,
            write.remote_id or "(new)", changes,
        )  # fmt: skip
    if found.writes:
        out.print(table)
    for blocked in found.blocked:
        out.print(
            f"[yellow]blocked[/yellow] {blocked.connection} {blocked.kind} {blocked.entity_id}: "
            f"{blocked.reason}",
            highlight=False,
        )
    for held in found.held:
        out.print(
            f"[yellow]held[/yellow] {held.connection} {held.kind} {held.entity_id}: "
            f"{held.connection} probably holds it already as {held.remote_id} "
            f"({held.candidate_id}); a match review decides",
            highlight=False,
        )
    counts = found.counts()
    summary = ", ".join(f"{counts[k]} {k}" for k in ("creates", "updates", "deletes", "blocked"))
    waiting = (
        f"; {counts['waiting'] + counts['still_waiting']} waiting (a customer not there yet, "
        "a match under review)"
    )
    out.print(("nothing to write" if not found.writes else summary) + waiting, highlight=False)


def plan(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="The plan as JSON on stdout.")] = False,
    save: Annotated[
        Path | None, typer.Option("--save", help="Keep the plan in FILE for `crmhub apply FILE`.")
    ] = None,
    no_pull: NoPull = False,
) -> None:
    """Show the writes that would bring every CRM in line with the golden records, without
    queueing any. Exit 1 when there is something to write, 0 when there is nothing."""
    found = _cycle(ctx, commit=False, pull=not no_pull).plan
    data = found.to_data()
    if save is not None:
        save.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
        err.print(f"plan saved to {save}: apply it with `crmhub apply {save}`", highlight=False)
    if as_json:
        out.print_json(json.dumps(data, ensure_ascii=False, default=str))
    else:
        print_plan(found)
    raise typer.Exit(ExitCode.FAILED if found.writes else ExitCode.OK)


def _load(file: Path) -> Plan:
    try:
        return Plan.from_data(json.loads(file.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        err.print(f"[red]error[/red] {file}: not a plan crmhub saved ({exc})", highlight=False)
        raise typer.Exit(ExitCode.CONFIG) from None


def apply(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="A plan saved by `crmhub plan --save`.", metavar="FILE")
    ] = None,
    no_pull: NoPull = False,
) -> None:
    """Queue writes in the outbox: exactly those of FILE (refused if anything they were
    computed from changed since), or, without FILE, pull, plan and queue now."""
    if file is None:
        report = _cycle(ctx, commit=True, pull=not no_pull)
        committed = report.committed
        queued = committed.queued if committed else 0
        print_plan(report.plan)
        out.print(f"queued {queued} write(s) in the outbox", highlight=False)
        return
    saved = _load(file)
    try:
        committed = apply_saved_plan(state(ctx).store(), sync_context(ctx), saved)
    except PlanChangedError as exc:
        err.print(f"[red]refused[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from None
    out.print(f"queued {committed.queued} write(s) of {file} in the outbox", highlight=False)
