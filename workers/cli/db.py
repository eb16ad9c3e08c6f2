"""`crmhub db ...`: schema migrations, and rebuilding what is derived from the records."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from core.matching import MATCHED_KINDS, reindex_entities
from workers.cli.context import ExitCode, err, out, state

app = typer.Typer(
    help="Database schema (create or upgrade it with migrations) and matching keys.",
    no_args_is_help=True,
)


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: Annotated[
        str, typer.Argument(help="Target revision (default: the newest).")
    ] = "head",
) -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    store = state(ctx).store()
    try:
        store.upgrade(revision)
    except Exception as exc:  # any driver error means: cannot reach or migrate
        err.print(f"[red]cannot upgrade {store.url}:[/red] {str(exc).splitlines()[0]}")
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    status = store.status()
    out.print(f"database {status.url} is at revision [bold]{status.revision}[/bold] (head)")


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild every customer's and contact's matching keys from its records: run it after
    changing `blocking:` in matching.yaml or upgrading crmhub (new key types). Changes no
    golden value or link; safe to rerun."""
    config = state(ctx).matching()
    store = state(ctx).store()
    with Progress(
        TextColumn("reindexing"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("reindex", total=None)
        counts = reindex_entities(store, config, progress=lambda n: bar.advance(task, n))
    kinds = " and ".join(f"{k}s" for k in MATCHED_KINDS)
    out.print(
        f"{counts.entities} {kinds} looked at; keys rebuilt for {counts.changed}", highlight=False
    )
