"""The blocking index in the store: write an entity's keys, find candidates by index lookups.

Lookups read `blocking_keys` through its index on (kind, key_type, key_value), one bounded
query per key (`LIMIT max_block_size + 1`): a key that returns more rows than the cap is a
pathological block (a common name, a group switchboard) and is skipped and reported.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.merging.keys import Key
from core.store import BlockingKey, Entity

__all__ = ["Candidates", "active_ids", "as_json", "find_candidates"]

_LOOKUP = (
    sa.select(BlockingKey.entity_id)
    .where(
        BlockingKey.kind == sa.bindparam("kind"),
        BlockingKey.key_type == sa.bindparam("key_type"),
        BlockingKey.key_value == sa.bindparam("key_value"),
    )
    .limit(sa.bindparam("cap"))
)


@dataclass(frozen=True)
class Candidates:
    """Entity ids sharing keys with a record (most shared keys first) and the skipped keys."""

    entity_ids: tuple[uuid.UUID, ...]
    skipped: tuple[str, ...]


def find_candidates(
    session: Session,
    kind: str,
    keys: Iterable[Key],
    *,
    max_block_size: int,
    max_candidates: int,
    exclude: Iterable[uuid.UUID] = (),
) -> Candidates:
    shared: Counter[uuid.UUID] = Counter()
    skipped: list[str] = []
    for key_type, key_value in keys:
        rows = (
            session.execute(
                _LOOKUP,
                {
                    "kind": kind,
                    "key_type": key_type,
                    "key_value": key_value,
                    "cap": max_block_size + 1,
                },
            )
            .scalars()
            .all()
        )
        if len(rows) > max_block_size:
            skipped.append(f"{key_type}={key_value} (more than {max_block_size} entities)")
            continue
        shared.update(set(rows))
    for entity_id in exclude:
        shared.pop(entity_id, None)
    ranked = tuple(entity_id for entity_id, _ in shared.most_common(max_candidates))
    return Candidates(ranked, tuple(skipped))


def active_ids(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Each id → the active entity it is now (following MERGED_INTO), for the ids that exist."""
    resolved: dict[uuid.UUID, uuid.UUID] = {}
    pending: dict[uuid.UUID, uuid.UUID] = {i: i for i in ids}
    for _ in range(32):  # merge chains are short; the bound guards against a cycle
        if not pending:
            break
        rows = session.execute(
            sa.select(Entity.id, Entity.status, Entity.merged_into).where(
                Entity.id.in_(set(pending.values()))
            )
        ).all()
        step: dict[uuid.UUID, Any] = {row[0]: (row[1], row[2]) for row in rows}
        still: dict[uuid.UUID, uuid.UUID] = {}
        for origin, current in pending.items():
            if current not in step:
                continue
            status, into = step[current]
            if status == "merged" and into is not None:
                still[origin] = into
            else:
                resolved[origin] = current
        pending = still
    return resolved


def as_json(record: Any) -> Mapping[str, Any]:
    """A canonical record in its JSON form (pydantic models are dumped, mappings pass)."""
    if isinstance(record, Mapping):
        return record
    dumped: Mapping[str, Any] = record.model_dump(mode="json")
    return dumped
