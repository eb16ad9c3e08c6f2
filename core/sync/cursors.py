"""Stored checkpoints per connection, kind and stream (`changes`, `deletions`, `pass`).

The `pass` stream says whether the last pull of a connection's kind read every page and its
deletions (`complete`). It is marked incomplete when a pull starts and complete when it ends,
so a pull that failed midway (throttled, timed out, killed) leaves it incomplete: records of
that kind in that CRM may exist that crmhub has not read, and creating there could make the
duplicate of one of them. The planner creates only where the kind's last pass completed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.store import Cursor
from mapping.model import EntityKind

__all__ = [
    "CHANGES",
    "DELETIONS",
    "PASS",
    "complete_passes",
    "load_cursor",
    "mark_pass",
    "save_cursor",
]

CHANGES = "changes"
DELETIONS = "deletions"
PASS = "pass"  # noqa: S105 (a stream name, not a secret)


def load_cursor(
    session: Session, connection: str, kind: EntityKind, stream: str
) -> dict[str, Any] | None:
    row = session.get(Cursor, (connection, kind.value, stream))
    return dict(row.value) if row is not None else None


def save_cursor(
    session: Session, connection: str, kind: EntityKind, stream: str, value: dict[str, Any]
) -> None:
    """Store the checkpoint in the caller's transaction (with the rows it follows)."""
    row = session.get(Cursor, (connection, kind.value, stream))
    if row is None:
        session.add(Cursor(connection=connection, kind=kind.value, stream=stream, value=value))
    else:
        row.value = value


def mark_pass(
    session: Session, connection: str, kind: EntityKind, *, complete: bool, at: datetime
) -> None:
    """A pull of `kind` started (`complete=False`) or read everything (`complete=True`)."""
    key = "completed_at" if complete else "started_at"
    previous = load_cursor(session, connection, kind, PASS) or {}
    save_cursor(session, connection, kind, PASS, {**previous, "complete": complete,
                                                  key: at.isoformat()})  # fmt: skip


def complete_passes(session: Session) -> set[tuple[str, str]]:
    """(connection, kind) whose last pull read every page and its deletions."""
    rows = session.execute(
        sa.select(Cursor.connection, Cursor.kind, Cursor.value).where(Cursor.stream == PASS)
    )
    return {(c, k) for c, k, value in rows if isinstance(value, dict) and value.get("complete")}
