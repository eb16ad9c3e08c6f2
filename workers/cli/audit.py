"""`crmhub audit ENTITY`: the trail of one entity (by id, or by its customer name or contact
or opportunity name): every golden value, link, merge, assignment, conflict, delete and write,
newest first, with who did it, from which source, and why. `crmhub audit --run N`: what one
sync, pull or assignment run changed, across entities."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.table import Table
from sqlalchemy.orm import Session

from core.audit import audit_trail
from core.store import Entity, Run
from workers.cli.context import ExitCode, err, out, state

__all__ = ["audit", "find_entities"]


def find_entities(session: Session, text: str) -> list[Entity]:
    """The entity with id `text`, else the entities named exactly `text` (the live one when
    the others were merged into it or deleted)."""
    try:
        entity = session.get(Entity, uuid.UUID(text))
    except ValueError:
        entity = None
    if entity is not None:
        return [entity]
    named = sa.or_(
        Entity.data["name"].as_string() == text, Entity.data["full_name"].as_string() == text
    )
    found = list(session.scalars(sa.select(Entity).where(named).order_by(Entity.kind, Entity.id)))
    live = [e for e in found if e.status == "active"]
    return live if len(live) == 1 else found


def _show(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def audit(
    ctx: typer.Context,
    entity: Annotated[
        str | None, typer.Argument(metavar="[ENTITY]", help="Entity id or exact name.")
    ] = None,
    run: Annotated[
        int | None,
        typer.Option(help="Only what this run changed (ids in `crmhub status`' runs)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many entries.")] = 200,
) -> None:
    """The audit trail of one entity, or of one run (`--run N`), newest first."""
    if entity is None and run is None:
        err.print("[red]error[/red] give an ENTITY, a --run, or both", highlight=False)
        raise typer.Exit(ExitCode.CONFIG)
    with state(ctx).store().transaction() as session:
        chosen = _chosen(session, entity) if entity is not None else None
        if run is not None and session.get(Run, run) is None:
            err.print(f"[red]error[/red] no run {run}", highlight=False)
            raise typer.Exit(ExitCode.FAILED)
        entries = audit_trail(
            session, entity_id=chosen.id if chosen else None, run_id=run, limit=limit
        )
        if chosen is not None:
            name = chosen.data.get("name") or chosen.data.get("full_name") or ""
            out.print(f"[bold]{chosen.kind} {name}[/bold] {chosen.id} ({chosen.status})")
        if run is not None:
            out.print(f"[bold]run {run}[/bold]")
        columns = ["at", "actor", "action", "field", "before", "after", "source", "reason"]
        if chosen is None:
            columns.insert(3, "entity")
        table = Table(*columns)
        for entry in entries:
            row = [
                entry.at.strftime("%Y-%m-%d %H:%M:%S"), f"{entry.actor_kind}:{entry.actor}",
                entry.action, entry.field or "", _show(entry.before), _show(entry.after),
                entry.source or "", entry.reason or "",
            ]  # fmt: skip
            if chosen is None:
                row.insert(3, f"{entry.entity_kind or ''} {entry.entity_id or ''}".strip())
            table.add_row(*row)
    out.print(table)
    out.print(f"{len(entries)} entries", highlight=False)


def _chosen(session: Session, entity: str) -> Entity:
    found = find_entities(session, entity)
    if not found:
        err.print(f"[red]error[/red] no entity with id or name {entity!r}", highlight=False)
        raise typer.Exit(ExitCode.FAILED)
    if len(found) > 1:
        err.print(f"{len(found)} entities are named {entity!r}; give one id:", highlight=False)
        for candidate in found:
            err.print(f"  {candidate.id}  {candidate.kind} ({candidate.status})", highlight=False)
        raise typer.Exit(ExitCode.FAILED)
    return found[0]
