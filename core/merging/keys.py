"""An entity's rows in `blocking_keys`: read, add, replace (merges move and restore them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.store import BlockingKey

__all__ = ["Key", "keys_of", "replace_keys", "write_keys"]

Key = tuple[str, str]  # (key_type, key_value)


def keys_of(session: Session, entity_id: uuid.UUID) -> list[Key]:
    rows = session.execute(
        sa.select(BlockingKey.key_type, BlockingKey.key_value)
        .where(BlockingKey.entity_id == entity_id)
        .order_by(BlockingKey.key_type, BlockingKey.key_value)
    ).all()
    return [(row[0], row[1]) for row in rows]


def write_keys(session: Session, entity_id: uuid.UUID, kind: str, keys: Iterable[Key]) -> int:
    """Add the keys the entity does not have yet; returns how many were added."""
    have = set(keys_of(session, entity_id))
    new = sorted(set(keys) - have)
    if new:
        session.execute(
            sa.insert(BlockingKey),
            [{"entity_id": entity_id, "kind": kind, "key_type": t, "key_value": v} for t, v in new],
        )
    return len(new)


def replace_keys(session: Session, entity_id: uuid.UUID, kind: str, keys: Iterable[Key]) -> None:
    """Make the entity's keys exactly `keys`."""
    session.execute(sa.delete(BlockingKey).where(BlockingKey.entity_id == entity_id))
    write_keys(session, entity_id, kind, keys)
