"""`crmhub conflicts list|show ID|resolve ID`: fields changed on several CRMs under the `manual`
policy, waiting for an operator.

`resolve ID --take CONNECTION` keeps that CRM's value (`--take golden` keeps the hub's);
`--value V` sets a typed value, checked by the canonical model (a list field takes one item or
a JSON list, a number or an amount is read as JSON). The golden record changes, who/when/why
go to the audit log, and the writes that carry the value to the other CRMs are queued at once.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from core.store import Conflict, Entity
from core.sync.conflicts import ConflictError, list_conflicts
from core.sync.resolution import resolve_and_queue
from workers.cli.context import ExitCode, err, operator_name, out, state
from workers.cli.plan import print_plan, sync_context

__all__ = ["app"]

app = typer.Typer(
    help="Fields changed differently on several CRMs: list, show, resolve.", no_args_is_help=True
)


def _show(value: Any) -> str:
    return "∅" if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _label(entity: Entity | None) -> str:
    if entity is None:
        return "?"
    return str(entity.data.get("name") or entity.data.get("full_name") or entity.id)


@app.command("list")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too.")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 100,
) -> None:
    """Open conflicts (with --all, resolved ones too), oldest first."""
    with state(ctx).store().transaction() as session:
        rows = list_conflicts(session, status=None if all_ else "open", limit=limit)
        table = Table("id", "status", "record", "field", "golden", "sides")
        for c in rows:
            sides = "\n".join(f"{s['connection']}: {_show(s['value'])}" for s in c.sides)
            record = f"{_label(session.get(Entity, c.entity_id))}\n{c.entity_id}"
            table.add_row(str(c.id), c.status, record, c.field, _show(c.golden), sides)
    if rows:
        out.print(table)
    out.print(f"{len(rows)} conflict(s)", highlight=False)


def _get(session: Any, conflict_id: int) -> Conflict:
    conflict = session.get(Conflict, conflict_id)
    if conflict is None:
        err.print(f"[red]error[/red] no conflict {conflict_id}", highlight=False)
        raise typer.Exit(ExitCode.FAILED)
    return conflict  # type: ignore[no-any-return]


@app.command()
def show(ctx: typer.Context, conflict_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """One conflict: the common base, the golden value, every side's value and time."""
    with state(ctx).store().transaction() as session:
        c = _get(session, conflict_id)
        entity = session.get(Entity, c.entity_id)
        out.print(f"[bold]conflict {c.id}[/bold] ({c.status}, policy {c.policy})")
        kind = entity.kind if entity else "?"
        out.print(f"{kind} {_label(entity)} ({c.entity_id}), field {c.field}", highlight=False)
        out.print(f"base (last agreed): {_show(c.base)}", highlight=False)
        out.print(f"golden (kept meanwhile): {_show(c.golden)}", highlight=False)
        table = Table("side", "remote id", "value", "changed at")
        for s in c.sides:
            table.add_row(
                s["connection"], s.get("remote_id") or "", _show(s["value"]), s.get("modified_at")
            )
        out.print(table)
        if c.status != "open":
            out.print(
                f"resolved by {c.resolved_by} at {c.resolved_at}: {_show(c.resolution)}",
                highlight=False,
            )


@app.command()
def resolve(
    ctx: typer.Context,
    conflict_id: Annotated[int, typer.Argument(metavar="ID")],
    take: Annotated[
        str | None,
        typer.Option("--take", metavar="SOURCE", help="Keep this CRM's value (or `golden`)."),
    ] = None,
    value: Annotated[
        str | None, typer.Option("--value", metavar="V", help="Set this value instead.")
    ] = None,
    why: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    actor: Annotated[str | None, typer.Option(help="Operator name (default: login).")] = None,
) -> None:
    """Resolve a conflict by taking a side or typing a value; the writes that carry it to the
    other CRMs are queued in the same transaction."""
    if (take is None) == (value is None):
        err.print("[red]error[/red] give exactly one of --take SOURCE or --value V")
        raise typer.Exit(ExitCode.CONFIG)
    sync = sync_context(ctx)
    with state(ctx).store().transaction() as session:
        _get(session, conflict_id)
        try:
            done = resolve_and_queue(
                session, conflict_id, take=take, text=value, actor=actor or operator_name(),
                why=why, sync=sync,
            )  # fmt: skip
        except ConflictError as exc:
            session.rollback()
            err.print(f"[red]refused[/red] {exc}", highlight=False)
            raise typer.Exit(ExitCode.FAILED) from None
        found, committed = done.plan, done.queued
        field, after = done.conflict.field, (done.conflict.resolution or {}).get("value")
    out.print(f"conflict {conflict_id} resolved: {field} = {_show(after)}", highlight=False)
    print_plan(found)
    out.print(f"queued {committed.queued} write(s) in the outbox", highlight=False)
