"""The `crmhub` command line: one typer app, one module per command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workers.cli import (
    assign,
    config_cmd,
    conflicts,
    connections,
    db,
    deadletters,
    operators,
    quarantine,
    reviews,
)
from workers.cli.audit import audit
from workers.cli.check import check
from workers.cli.console import console
from workers.cli.context import CliState
from workers.cli.demo import demo
from workers.cli.emulate import emulate
from workers.cli.match import match
from workers.cli.plan import apply, plan
from workers.cli.pull import pull
from workers.cli.queue import queue
from workers.cli.schedule import schedule
from workers.cli.status import status
from workers.cli.sync import sync
from workers.cli.worker import worker

__all__ = ["app", "main"]

app = typer.Typer(
    name="crmhub",
    help="Unify several CRMs: pull, deduplicate, assign owners, resolve conflicts, write back.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="CRMHUB_CONFIG",
            help="Main config file (default config/crmhub.yaml).",
        ),
    ] = None,
) -> None:
    ctx.obj = CliState(config_path=config)
    ctx.call_on_close(ctx.obj.close)


app.add_typer(db.app, name="db")
app.add_typer(config_cmd.app, name="config")
app.add_typer(assign.app, name="assign")
app.add_typer(assign.owners_app, name="owners")
app.command()(status)
app.add_typer(connections.app, name="connections")
app.command()(pull)
app.command()(emulate)
app.command()(match)
app.add_typer(reviews.app, name="reviews")
app.add_typer(conflicts.app, name="conflicts")
app.command()(plan)
app.command()(apply)
app.command()(audit)
app.command()(worker)
app.command()(sync)
app.command()(demo)
app.add_typer(deadletters.app, name="deadletters")
app.command()(queue)
app.command()(schedule)
app.add_typer(operators.app, name="operators")
app.command()(console)
app.command()(check)
app.add_typer(quarantine.app, name="quarantine")


def main() -> None:
    app()
