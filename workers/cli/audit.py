"""`crmhub audit ENTITY`: the trail of one entity (by id, or by its customer name or contact
or opportunity name): every golden value, link, merge, assignment, conflict, delete and write,
newest first, with who did it, from which source, and why."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.table import Table
from sqlalchemy.orm import Session

from core.audit import audit_trail
from core.store import Entity
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
    entity: Annotated[str, typer.Argument(metavar="ENTITY", help="Entity id or exact name.")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many entries.")] = 200,
) -> None:
    """The audit trail of one entity, newest first."""
    with state(ctx).store().transaction() as session:
        found = find_entities(session, entity)
        if not found:
            err.print(f"[red]error[/red] no entity with id or name {entity!r}", highlight=False)
            raise typer.Exit(ExitCode.FAILED)
        if len(found) > 1:
            err.print(f"{len(found)} entities are named {entity!r}; give one id:", highlight=False)
            for candidate in found:
                err.print(
                    f"  {candidate.id}  {candidate.kind} ({candidate.status})", highlight=False
                )
            raise typer.Exit(ExitCode.FAILED)
        [chosen] = found
        entries = audit_trail(session, entity_id=chosen.id, limit=limit)
        name = chosen.data.get("name") or chosen.data.get("full_name") or ""
        out.print(f"[bold]{chosen.kind} {name}[/bold] {chosen.id} ({chosen.status})")
        table = Table("at", "actor", "action", "field", "before", "after", "source", "reason")
        for entry in entries:
            table.add_row(
                entry.at.strftime("%Y-%m-%d %H:%M:%S"), f"{entry.actor_kind}:{entry.actor}",
                entry.action, entry.field or "", _show(entry.before), _show(entry.after),
                entry.source or "", entry.reason or "",
            )  # fmt: skip
    out.print(table)
    out.print(f"{len(entries)} entries", highlight=False)
