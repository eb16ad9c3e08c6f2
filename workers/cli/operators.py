"""`crmhub operators ...`: the people who may sign in to the console."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from argon2 import PasswordHasher
from rich.table import Table

from console.accounts import AccountError, add_operator, list_operators, set_operator_active
from workers.cli.context import ExitCode, err, out, state

__all__ = ["app"]

app = typer.Typer(help="Operator accounts of the web console.", no_args_is_help=True)


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The operator's name (shown in the audit log).")],
) -> None:
    """Add an operator; asks for the password twice (never an option: it would stay in history)."""
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with state(ctx).store().transaction() as session:
            account = add_operator(session, name, password, hasher=PasswordHasher(), actor=_who())
    except AccountError as exc:
        err.print(f"[red]cannot add operator:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from None
    out.print(f"operator {account.name} added", highlight=False)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Operators, whether they may sign in, and when they last did."""
    with state(ctx).store().transaction() as session:
        table = Table("name", "active", "created", "last login")
        for row in list_operators(session):
            last = row.last_login_at.isoformat(timespec="seconds") if row.last_login_at else "-"
            table.add_row(
                row.name, "yes" if row.active else "no",
                row.created_at.isoformat(timespec="seconds"), last,
            )  # fmt: skip
    out.print(table)


def _set_active(ctx: typer.Context, name: str, active: bool, why: str) -> None:
    try:
        with state(ctx).store().transaction() as session:
            set_operator_active(session, name, active, actor=_who(), why=why)
    except AccountError as exc:
        err.print(f"[red]refused:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from None
    out.print(f"operator {name} {'activated' if active else 'deactivated'}", highlight=False)


Why = Annotated[str, typer.Option("--why", help="Why (kept in the audit log).")]


@app.command()
def deactivate(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The operator.")], why: Why
) -> None:
    """Stop an operator signing in; their open sessions end at once. Decisions they made stay."""
    _set_active(ctx, name, False, why)


@app.command()
def activate(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The operator.")], why: Why
) -> None:
    """Let a deactivated operator sign in again."""
    _set_active(ctx, name, True, why)
