"""Stored checkpoints per connection, kind and stream (`changes`, `deletions`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.store import Cursor
from mapping.model import EntityKind

__all__ = ["CHANGES", "DELETIONS", "load_cursor", "save_cursor"]

CHANGES = "changes"
DELETIONS = "deletions"


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
