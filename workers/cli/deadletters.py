"""`crmhub deadletters list|retry ID|discard ID --why TEXT`: writes a CRM refused for good."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from core.sync import discard_dead_letter, retry_dead_letter
from workers.cli.context import ExitCode, err, out, state
from workers.queue_status import dead_letters

__all__ = ["app"]

app = typer.Typer(
    help="Writes a CRM refused for good: list them, queue one again, or give up on it.",
    no_args_is_help=True,
)


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="open, retried or discarded.")] = "open",
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON, payloads included.")] = False,
) -> None:
    """Dead letters, newest first, with the CRM's code and message."""
    rows = dead_letters(state(ctx).store(), status=status, limit=limit)
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("id", "connection", "kind", "op", "entity", "code", "message", "attempts")
    for row in rows:
        table.add_row(
            str(row["id"]), row["connection"], row["kind"], row["operation"],
            row["entity_id"][:8], row["error_code"] or "", (row["error_message"] or "")[:80],
            str(row["attempts"]),
        )  # fmt: skip
    out.print(table)
    out.print(f"{len(rows)} {status} dead letter(s)")


def _decide(ctx: typer.Context, run: Callable[[Session], str]) -> None:
    store = state(ctx).store()
    try:
        with store.transaction() as session:
            message = run(session)
    except ValueError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(ExitCode.FAILED) from None
    out.print(message, highlight=False)


@app.command()
def retry(
    ctx: typer.Context,
    letter: Annotated[int, typer.Argument(help="The dead letter's id.")],
    by: Annotated[str | None, typer.Option(help="Who decides (default: you).")] = None,
) -> None:
    """Queue the dead letter's write again (fix the cause in the CRM first)."""

    def run(session: Session) -> str:
        item = retry_dead_letter(session, letter, actor=by or _operator())
        return f"dead letter {letter} queued again as outbox item {item.id}"

    _decide(ctx, run)


@app.command()
def discard(
    ctx: typer.Context,
    letter: Annotated[int, typer.Argument(help="The dead letter's id.")],
    why: Annotated[str, typer.Option("--why", help="Why it is given up (kept in the audit log).")],
    by: Annotated[str | None, typer.Option(help="Who decides (default: you).")] = None,
) -> None:
    """Give up on the dead letter's write; the CRM keeps what it has."""

    def run(session: Session) -> str:
        discard_dead_letter(session, letter, actor=by or _operator(), reason=why)
        return f"dead letter {letter} discarded"

    _decide(ctx, run)
