"""`crmhub console`: serve the operator console (FastAPI, server-rendered) until Ctrl-C."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
import typer

from connectors.emulator.serve import base_url, bind, serve_forever
from console import ConsoleSettings, create_app
from core.store.migrate import current_revision, head_revision
from core.sync.context import SyncContext
from workers.broker import broker_target
from workers.cli.context import ExitCode, err, out, state

__all__ = ["console"]


def console(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free one).")] = 8700,
    host: Annotated[
        str, typer.Option(help="Address to listen on; put a TLS proxy in front for others.")
    ] = "127.0.0.1",
    timezone: Annotated[str, typer.Option(help="Show times in this zone.")] = "UTC",
) -> None:
    """Serve the operator console. Sign in with an account from `crmhub operators add`."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        err.print(f"[red]unknown time zone {timezone!r}[/red] (e.g. Asia/Shanghai, UTC)")
        raise typer.Exit(ExitCode.CONFIG) from None
    cli = state(ctx)
    store = cli.store()
    try:
        current = current_revision(store.engine)
    except sa.exc.SQLAlchemyError as exc:
        err.print(f"[red]cannot reach {store.url}:[/red] {str(exc).splitlines()[0]}")
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    if current != head_revision(store.engine):
        err.print(f"the database {store.url} is not up to date: run `crmhub db upgrade` first")
        raise typer.Exit(ExitCode.CONFIG)
    sync = SyncContext.from_config(cli.config())
    broker = broker_target(cli.config().hub.broker.url)
    app = create_app(
        ConsoleSettings(store, matching=sync.matching, sync=sync, broker=broker, zone=zone)
    )
    try:
        sock = bind(host, port)
    except OSError as exc:
        err.print(f"[red]cannot listen on {host}:{port}:[/red] {exc}")
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    url = base_url(sock)
    serve_forever(app, sock, on_started=lambda: out.print(f"console at {url}", highlight=False))
    out.print("console stopped")
