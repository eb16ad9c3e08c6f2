"""`crmhub pull CONNECTION`: pull changed records (and deletions) into the store, page by page."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from connectors.http import ConfigError, ConnectorError, TransientError
from mapping.model import EntityKind
from workers.cli.connect import configured_connection, connection_mapper, open_connection
from workers.cli.context import ExitCode, err, out, state
from workers.pulling import PullCounts, finish_run, pull_entity, start_run

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
    quarantine with field and reason) and the cursor after them are committed together: an
    interrupted pull resumes where it stopped, missing and repeating nothing."""
    config = configured_connection(ctx, connection)
    mapper = connection_mapper(ctx, connection, config)
    store = state(ctx).store()
    connector = open_connection(connection, config)
    kinds = entity or connector.entities()
    results: dict[EntityKind, PullCounts] = {}
    run_id = start_run(store, connection)
    failure: ConnectorError | None = None
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed} records"),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        ) as progress:
            for kind in kinds:
                task = progress.add_task(f"{connection} {kind.value}", total=None)
                results[kind] = pull_entity(
                    store,
                    connection,
                    connector,
                    kind,
                    full=full,
                    mapper=mapper,
                    run_id=run_id,
                    on_page=partial(progress.advance, task),
                )
                progress.update(task, total=results[kind].records)
    except ConnectorError as exc:
        failure = exc
    finally:
        counters = getattr(connector, "counters", None)
        calls = counters.snapshot().total_calls if counters is not None else None
        connector.close()
        summary = {
            kind.value: {
                "records": c.records,
                "pages": c.pages,
                "deletions": c.deletions,
                "quarantined": c.quarantined,
            }
            for kind, c in results.items()
        }
        error = str(failure) if failure is not None else None
        finish_run(store, run_id, {"entities": summary, "calls": calls}, error)
    table = Table(
        "entity", "records", "quarantined", "pages", "deletions", title=f"pull {connection}"
    )
    for kind, counts in results.items():
        table.add_row(
            kind.value,
            str(counts.records),
            str(counts.quarantined),
            str(counts.pages),
            str(counts.deletions),
        )
    if mapper is None:
        out.print("no field map for this connection: raw records only")
    out.print(table)
    if calls is not None:
        out.print(f"{calls} API calls")
    if failure is not None:
        err.print(f"[red]pull stopped:[/red] {failure}")
        err.print("what was committed stays; the next pull resumes from the stored cursor")
        raise typer.Exit(exit_code(failure))


def exit_code(failure: ConnectorError) -> ExitCode:
    """Config problems 2, an unreachable or throttling CRM 3, anything else 1."""
    if isinstance(failure, ConfigError):
        return ExitCode.CONFIG
    if isinstance(failure, TransientError):
        return ExitCode.UNAVAILABLE
    return ExitCode.FAILED
