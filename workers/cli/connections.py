"""`crmhub connections test`: can each connection authenticate and read what it must?"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from connectors.http import ConnectorError
from workers.cli.connect import configured_connection, open_connection
from workers.cli.context import ExitCode, out, state

__all__ = ["app"]

app = typer.Typer(help="Configured CRM connections.", no_args_is_help=True)


@app.command("test")
def check_connections(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Connections to test (default: every enabled one).")
    ] = None,
) -> None:
    """Fetch a fresh token and read one record of each entity (and the users): credentials,
    scopes and the acting user's permissions. Exit 1 if any connection fails."""
    hub = state(ctx).config().hub
    chosen = names or [name for name, conn in hub.connections.items() if conn.enabled]
    if not chosen:
        out.print("no connections configured")
        return
    table = Table("connection", "type", "result", "detail", "scopes", title="connections")
    failed = False
    for name in chosen:
        config = configured_connection(ctx, name)
        connector = open_connection(name, config)
        try:
            check = connector.check()
            ok, detail, scopes = check.ok, check.detail, " ".join(check.scopes)
        except ConnectorError as exc:  # check() reports what it can; anything else lands here
            ok, detail, scopes = False, str(exc), ""
        finally:
            connector.close()
        failed |= not ok
        result = "[green]ok[/green]" if ok else "[red]failed[/red]"
        table.add_row(name, config.type, result, detail, scopes)
    out.print(table)
    if failed:
        raise typer.Exit(ExitCode.FAILED)
