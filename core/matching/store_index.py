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
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.merging.keys import Key
from core.store import Entity
from core.store.base import chunked

__all__ = ["Candidates", "active_ids", "as_json", "find_candidates"]


_LINKED = -1  # key_index of the row naming the entity the record is linked to (as in the SQL)


@lru_cache(maxsize=128)
def _lookup_sql(count: int, with_link: bool) -> sa.TextualSelect:
    # Written out once per number of keys: building the same statement with the expression
    # language on every match costs more than the lookups themselves.
    part = (
        "SELECT {i} AS key_index, entity_id FROM (SELECT entity_id FROM blocking_keys"
        " WHERE kind = :kind AND key_type = :t{i} AND key_value = :v{i} LIMIT :cap) AS k{i}"
    )
    parts = [part.format(i=i) for i in range(count)]
    if with_link:
        parts.append(
            "SELECT -1 AS key_index, entity_id FROM links"
            " WHERE connection = :connection AND kind = :kind AND remote_id = :remote_id"
        )
    sql = " UNION ALL ".join(parts)
    return sa.text(sql).columns(sa.column("key_index", sa.Integer), sa.column("entity_id", sa.Uuid))


def _lookup(
    kind: str, keys: list[Key], cap: int, linked_as: tuple[str, str] | None
) -> tuple[sa.TextualSelect, dict[str, Any]]:
    """One statement for all keys: per key a LIMITed index lookup, glued by UNION ALL (one
    round trip instead of one per key; each part reads the index, never the table)."""
    params: dict[str, Any] = {"kind": kind, "cap": cap}
    for index, (key_type, key_value) in enumerate(keys):
        params[f"t{index}"], params[f"v{index}"] = key_type, key_value
    if linked_as is not None:
        params["connection"], params["remote_id"] = linked_as
    return _lookup_sql(len(keys), linked_as is not None), params


@dataclass(frozen=True)
class Candidates:
    """Entity ids sharing keys with a record (most shared keys first) and the skipped keys;
    `linked`: the entity the record is already linked to (when asked with `linked_as`)."""

    entity_ids: tuple[uuid.UUID, ...]
    skipped: tuple[str, ...]
    linked: uuid.UUID | None = None


def find_candidates(
    session: Session,
    kind: str,
    keys: Iterable[Key],
    *,
    max_block_size: int,
    max_candidates: int,
    exclude: Iterable[uuid.UUID] = (),
    linked_as: tuple[str, str] | None = None,
) -> Candidates:
    """`linked_as` (connection, remote id): the same statement also reads the record's link
    (matching a new record checks it is not linked yet: one round trip less)."""
    shared: Counter[uuid.UUID] = Counter()
    skipped: list[str] = []
    linked = None
    wanted = sorted(set(keys))
    if wanted or linked_as is not None:
        found: dict[int, list[uuid.UUID]] = {}
        statement, params = _lookup(kind, wanted, max_block_size + 1, linked_as)
        for index, entity_id in session.execute(statement, params):
            found.setdefault(index, []).append(entity_id)
        linked = found.pop(_LINKED, [None])[0]
        for index, ids in found.items():
            if len(ids) > max_block_size:
                key_type, key_value = wanted[index]
                skipped.append(f"{key_type}={key_value} (more than {max_block_size} entities)")
            else:
                shared.update(set(ids))
    for entity_id in exclude:
        shared.pop(entity_id, None)
    ranked = tuple(entity_id for entity_id, _ in shared.most_common(max_candidates))
    return Candidates(ranked, tuple(skipped), linked)


def active_ids(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Each id → the active entity it is now (following MERGED_INTO), for the ids that exist."""
    resolved: dict[uuid.UUID, uuid.UUID] = {}
    pending: dict[uuid.UUID, uuid.UUID] = {i: i for i in ids}
    for _ in range(32):  # merge chains are short; the bound guards against a cycle
        if not pending:
            break
        wanted = sorted(set(pending.values()), key=str)
        step: dict[uuid.UUID, Any] = {}
        for part in chunked(wanted):  # the checker resolves every entity of the store at once
            rows = session.execute(
                sa.select(Entity.id, Entity.status, Entity.merged_into).where(Entity.id.in_(part))
            )
            step.update((row[0], (row[1], row[2])) for row in rows)
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
