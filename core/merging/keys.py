"""An entity's rows in `blocking_keys`: read, add, replace (merges move and restore them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.store import BlockingKey, metadata

__all__ = ["Key", "insert_keys", "keys_of", "replace_keys"]

Key = tuple[str, str]  # (key_type, key_value)


def keys_of(session: Session, entity_id: uuid.UUID) -> list[Key]:
    rows = session.execute(
        sa.select(BlockingKey.key_type, BlockingKey.key_value)
        .where(BlockingKey.entity_id == entity_id)
        .order_by(BlockingKey.key_type, BlockingKey.key_value)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _table() -> sa.Table:
    # Core statements: keys are never loaded as objects, the session has nothing to sync
    return metadata.tables[BlockingKey.__tablename__]


def insert_keys(session: Session, entity_id: uuid.UUID, kind: str, keys: Iterable[Key]) -> None:
    """Add `keys` to the entity (Core insert: none of them may be there yet)."""
    rows = [
        {"entity_id": entity_id, "kind": kind, "key_type": t, "key_value": v}
        for t, v in sorted(set(keys))
    ]
    if rows:
        session.execute(sa.insert(_table()), rows)


def replace_keys(session: Session, entity_id: uuid.UUID, kind: str, keys: Iterable[Key]) -> None:
    """Make the entity's keys exactly `keys`: two statements (the sync re-indexes an entity
    whenever its golden record changes)."""
    table = _table()
    session.execute(sa.delete(table).where(table.c.entity_id == entity_id))
    insert_keys(session, entity_id, kind, keys)
