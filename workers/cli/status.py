"""`crmhub status`: is the database reachable, is its schema current, how much is in it."""

from __future__ import annotations

import typer
from rich.table import Table

from workers.cli.context import ExitCode, err, out, state


def status(ctx: typer.Context) -> None:
    """Show the database, its schema version and the number of rows per table."""
    store = state(ctx).store()
    report = store.status()
    if not report.reachable:
        err.print(f"[red]database {report.url} is not reachable:[/red] {report.error}")
        raise typer.Exit(ExitCode.UNAVAILABLE)
    if report.revision is None:
        err.print(f"database {report.url} has no schema yet: run `crmhub db upgrade`")
        raise typer.Exit(ExitCode.FAILED)
    state_text = (
        "up to date" if report.up_to_date else f"behind head {report.head}: run `crmhub db upgrade`"
    )
    out.print(f"database {report.url}\nschema revision {report.revision} ({state_text})")
    table = Table("table", "rows", title="contents")
    for name, count in report.counts.items():
        table.add_row(name, str(count))
    out.print(table)
    if not report.up_to_date:
        raise typer.Exit(ExitCode.FAILED)
