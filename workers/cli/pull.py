"""`crmhub pull CONNECTION`: pull changed records (and deletions) into the store, page by page."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from connectors.http import ConfigError, ConnectorError, TransientError
from core.sync.context import SyncContext
from core.sync.ingest import PullCounts, pull_entity
from core.sync.owners import sync_users
from core.sync.runs import finish_run, start_run
from mapping.model import EntityKind
from workers.cli.connect import configured_connection, connection_mapper, open_connection
from workers.cli.context import ExitCode, err, out, state
from workers.cli.worker import stop_on_signals

__all__ = ["exit_code", "pull"]


def pull(
    ctx: typer.Context,
    connection: Annotated[str, typer.Argument(help="A connection named in the config.")],
    entity: Annotated[
        list[EntityKind] | None,
        typer.Option("--entity", "-e", help="Only this entity (repeatable); default all."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Read everything, not just changes since the cursor.")
    ] = False,
) -> None:
    """Pull customers, contacts and opportunities of CONNECTION into the store.

    Each page's raw records, their canonical mapping (records that cannot be mapped go to the
    quarantine with field and reason), what they change in the golden records (matching, the
    three-way merge, conflicts) and the cursor after them are committed together: an
    interrupted pull resumes where it stopped, missing and repeating nothing; SIGTERM or Ctrl-C
    stops it between pages (exit 1). Nothing is written to any CRM (`crmhub plan` shows what
    would be, `crmhub apply` queues it)."""
    config = configured_connection(ctx, connection)
    mapper = connection_mapper(ctx, connection, config)
    store = state(ctx).store()
    sync = SyncContext.from_config(state(ctx).config(), only=[connection])
    conn = sync.connections[connection]
    connector = open_connection(connection, config)
    kinds = entity or connector.entities()
    results: dict[EntityKind, PullCounts] = {}
    run_id = start_run(store, "pull", connection)
    failure: ConnectorError | None = None
    stopped = False
    try:
        with (
            stop_on_signals() as stop,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed} records"),
                TimeElapsedColumn(),
                console=err,
                transient=False,
            ) as progress,
        ):
            for kind in kinds:
                if stop.is_set():
                    break
                task = progress.add_task(f"{connection} {kind.value}", total=None)
                results[kind] = pull_entity(
                    store,
                    conn,
                    connector,
                    kind,
                    ctx=sync if mapper is not None else None,
                    full=full,
                    run_id=run_id,
                    on_page=partial(progress.advance, task),
                    stop=stop,
                )
                progress.update(task, total=results[kind].records)
        stopped = stop.is_set()
        if mapper is not None and not stopped:  # the CRM's users, for the owner directory
            sync_users(store, sync, connection, connector, run_id=run_id)
    except ConnectorError as exc:
        failure = exc
    finally:
        counters = getattr(connector, "counters", None)
        calls = counters.snapshot().total_calls if counters is not None else None
        connector.close()
        summary = {kind.value: c.to_data() for kind, c in results.items()}
        error = str(failure) if failure is not None else None
        finish_run(store, run_id, {"entities": summary, "calls": calls}, error)
    _report(connection, results, mapper is None, calls)
    if failure is not None:
        err.print(f"[red]pull stopped:[/red] {failure}")
        err.print("what was committed stays; the next pull resumes from the stored cursor")
        raise typer.Exit(exit_code(failure))
    if stopped:
        err.print("pull stopped between pages: the next pull resumes from the stored cursor")
        raise typer.Exit(ExitCode.FAILED)


def _report(
    connection: str, results: dict[EntityKind, PullCounts], raw: bool, calls: int | None
) -> None:
    table = Table(
        "entity", "records", "quarantined", "new", "joined", "parked", "merged", "unchanged",
        "conflicts", "deletions", title=f"pull {connection}",
    )  # fmt: skip
    for kind, counts in results.items():
        seen = counts.outcomes
        table.add_row(
            kind.value,
            str(counts.records),
            str(counts.quarantined),
            str(seen["new"]),
            str(seen["joined"]),
            str(seen["parked"]),
            str(seen["merged"]),
            str(seen["unchanged"] + seen["echo"]),
            str(seen["conflicts"]),
            str(counts.deletions),
        )
    if raw:
        out.print("no field map for this connection: raw records only")
    out.print(table)
    records = sum(counts.records for counts in results.values())
    held = sum(counts.quarantined for counts in results.values())
    line = f"{connection}: {records} records pulled, {held} quarantined"
    if held:
        line += f" (why: crmhub quarantine list --connection {connection})"
    if calls is not None:
        line += f"; {calls} API calls"
    out.print(line, highlight=False)


def exit_code(failure: ConnectorError) -> ExitCode:
    """Config problems 2, an unreachable or throttling CRM 3, anything else 1."""
    if isinstance(failure, ConfigError):
        return ExitCode.CONFIG
    if isinstance(failure, TransientError):
        return ExitCode.UNAVAILABLE
    return ExitCode.FAILED
