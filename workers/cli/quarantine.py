"""`crmhub quarantine list`: remote records that could not be mapped (a field the canonical
model refuses), each with its connection, kind, remote id, field and reason. They stay here,
raw payload kept, until a later pull maps them (the row is then released)."""

from __future__ import annotations

import json
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.table import Table

from core.store import Quarantined
from workers.cli.context import out, state

__all__ = ["app"]

app = typer.Typer(help="Remote records crmhub could not map, and why.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    connection: Annotated[str | None, typer.Option(help="Only this connection.")] = None,
    status: Annotated[str, typer.Option(help="open or released.")] = "open",
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: Annotated[
        bool, typer.Option("--json", help="As JSON, raw payloads included.")
    ] = False,
) -> None:
    """Quarantined records, newest first."""
    query = sa.select(Quarantined).where(Quarantined.status == status)
    if connection is not None:
        query = query.where(Quarantined.connection == connection)
    with state(ctx).store().transaction() as session:
        rows = [
            {
                "id": row.id,
                "connection": row.connection,
                "kind": row.kind,
                "remote_id": row.remote_id,
                "field": row.field,
                "value": row.value,
                "reason": row.reason,
                "created_at": row.created_at.isoformat(timespec="seconds"),
                "raw": row.raw,
            }
            for row in session.scalars(query.order_by(Quarantined.id.desc()).limit(limit))
        ]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False, default=str))
        return
    table = Table("id", "connection", "kind", "remote id", "field", "value", "reason")
    for row in rows:
        value = row["value"] or ""
        table.add_row(
            str(row["id"]), row["connection"], row["kind"], row["remote_id"] or "?",
            row["field"] or "", value if len(value) <= 60 else value[:57] + "...", row["reason"],
        )  # fmt: skip
    out.print(table)
    out.print(f"{len(rows)} {status} (at most {limit} shown)", highlight=False)
