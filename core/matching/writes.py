"""Writing what `match_record` decided in few statements (the sync matches every new record).

Each step is a Core INSERT of all its rows at once; nothing waits for a flush. A record that
joins a candidate gets its entity already merged: the result is what creating the record's own
entity and then `merge_entities` would leave (the entity MERGED_INTO the survivor, its link on
the survivor, the survivor's golden record by survivorship, the keys it gained, the same
snapshot, so `unmerge` restores exactly), without inserting keys and a link only to delete and
move them in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached

from core.audit import ActorKind, AuditRecord
from core.config.matching import SurvivorshipConfig
from core.merging.golden import SourceValues, golden_from_sources
from core.merging.keys import Key, insert_keys
from core.merging.merge import MergeError, check_active, merge_audits, merge_snapshot
from core.merging.sources import golden_change_audits, stored_sources
from core.store import BlockingKey, Entity, EntityMerge, Link, metadata
from core.store.base import utcnow

__all__ = ["NewEntity", "insert_new_entity", "join_new_entity", "table"]


def table(model: type[Any]) -> sa.Table:
    """The Core table of a mapped class (Core inserts track no objects in the session)."""
    return metadata.tables[model.__tablename__]


@dataclass(frozen=True)
class NewEntity:
    """A matched record's own entity before it is written: its id (stable forever), golden
    record, blocking keys, and the link (connection, remote id) that names the record."""

    id: uuid.UUID
    kind: str
    data: dict[str, Any]
    keys: tuple[Key, ...]
    connection: str
    remote_id: str

    def row(self, now: datetime, **state: Any) -> dict[str, Any]:
        """Its `entities` row, every column given (see `insert_new_entity`)."""
        return {
            "id": self.id, "kind": self.kind, "data": self.data, "status": "active",
            "merged_into": None, "owner_id": None, "version": 1, "planned_version": None,
            "created_at": now, "updated_at": now, **state,
        }  # fmt: skip

    def link_row(self, entity_id: uuid.UUID) -> dict[str, Any]:
        link = {"connection": self.connection, "kind": self.kind, "remote_id": self.remote_id}
        return {**link, "entity_id": entity_id}


def insert_new_entity(session: Session, new: NewEntity) -> tuple[Entity, int]:
    """The record's own entity (active), its link and its keys; returns the entity and the
    link's id. The entity is a persistent object of the session, as if the ORM had inserted
    it: callers read it next (`session.get`) and must not pay a query for what was just
    written."""
    row = new.row(utcnow())
    session.execute(sa.insert(table(Entity)), row)
    link_id = _insert_link(session, new, new.id)
    insert_keys(session, new.id, new.kind, new.keys)
    entity = Entity(**row)
    make_transient_to_detached(entity)  # every column is set: nothing is left to load
    session.add(entity)
    return entity, link_id


def _insert_link(session: Session, new: NewEntity, entity_id: uuid.UUID) -> int:
    links = table(Link)
    inserted = sa.insert(links).values(new.link_row(entity_id)).returning(links.c.id)
    return int(session.execute(inserted).scalar_one())


def _lock_with_keys(session: Session, entity_id: uuid.UUID) -> tuple[Entity, list[Key]]:
    """The survivor, locked, and its keys in the order a merge snapshot keeps them."""
    rows = session.execute(
        sa.select(Entity, BlockingKey.key_type, BlockingKey.key_value)
        .outerjoin(BlockingKey, BlockingKey.entity_id == Entity.id)
        .where(Entity.id == entity_id)
        .order_by(BlockingKey.key_type, BlockingKey.key_value)
        .with_for_update(of=Entity)
    ).all()
    entity = check_active(rows[0][0] if rows else None, entity_id)
    return entity, [(t, v) for _, t, v in rows if t is not None]


def join_new_entity(
    session: Session,
    new: NewEntity,
    *,
    survivor_id: uuid.UUID,
    survivorship: SurvivorshipConfig,
    decision: str,
    actor_kind: ActorKind,
    actor: str,
    score: float | None,
    evidence: Sequence[dict[str, Any]],
    reason: str,
) -> tuple[list[AuditRecord], int, Entity]:
    """Write `new` merged into `survivor_id` (see the module docstring); returns the merge's
    audit entries for the caller to write with its own, the record's link id and the
    survivor (loaded and locked here: the caller reads it without a query). The
    record's entity was made just now, so no operator can have kept it apart from anything."""
    # the survivor is locked before any row refers to it (as merge_entities does)
    survivor, survivor_keys = _lock_with_keys(session, survivor_id)
    if survivor.kind != new.kind:
        raise MergeError(f"cannot merge a {new.kind} into a {survivor.kind}")
    now = utcnow()
    merged_row = new.row(now, status="merged", merged_into=survivor.id, version=2)
    session.execute(sa.insert(table(Entity)), merged_row)
    link_id = _insert_link(session, new, survivor.id)
    merged_keys = sorted(set(new.keys))
    snapshot = merge_snapshot(survivor, survivor_keys, new.data, 1, merged_keys, [link_id])
    sources = stored_sources(session, survivor.id) or [
        SourceValues(survivor.data, f"entity:{survivor.id}", survivor.updated_at),
        SourceValues(new.data, f"entity:{new.id}", now),
    ]
    before = dict(survivor.data)
    survivor.data = golden_from_sources(survivor.kind, sources, survivorship)
    survivor.version += 1
    insert_keys(session, survivor.id, survivor.kind, set(merged_keys) - set(survivor_keys))
    session.execute(
        sa.insert(table(EntityMerge)),
        {
            "kind": survivor.kind, "survivor_id": survivor.id, "merged_id": new.id,
            "snapshot": snapshot, "survivor_version": survivor.version, "decision": decision,
            "score": score, "evidence": list(evidence), "actor": actor,
        },
    )  # fmt: skip
    golden = golden_change_audits(
        survivor.id, survivor.kind, before, survivor.data,
        actor_kind=actor_kind, actor=actor, reason=reason,
    )  # fmt: skip
    merged = merge_audits(
        survivor, new.id, [link_id], actor_kind=actor_kind, actor=actor, reason=reason
    )
    return golden + merged, link_id, survivor
