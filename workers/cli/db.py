"""`crmhub db ...`: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from workers.cli.context import ExitCode, err, out, state

app = typer.Typer(
    help="Database schema: create or upgrade it with migrations.", no_args_is_help=True
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
