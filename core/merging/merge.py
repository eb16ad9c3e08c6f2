"""Merging two entities (MERGED_INTO) and undoing it exactly (SPLIT_FROM).

A merge moves the merged entity's links to the survivor, recomputes the survivor's golden
record by survivorship (from the kept source records, or from both golden records when no
source record is stored), unions their blocking keys, and keeps a snapshot of both entities
as they were. `unmerge` puts back the links, the golden values and the keys from that
snapshot. Entity ids never change; every step is audited in the caller's transaction.

Every writer of a golden record bumps `Entity.version`; `unmerge` relies on it: a survivor
unchanged since the merge gets its exact previous state back, one changed since gets its
golden record recomputed from what it still holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, AuditRecord, record_audit
from core.config.matching import SurvivorshipConfig
from core.merging.golden import SourceValues, golden_from_sources
from core.merging.keep_apart import forget_keep_apart, kept_apart_from
from core.merging.keys import Key, insert_keys, keys_of, replace_keys
from core.merging.sources import audit_golden_change, stored_sources
from core.store import BlockingKey, Entity, EntityMerge, Link
from core.store.base import utcnow

__all__ = [
    "MergeError",
    "check_active",
    "merge_audits",
    "merge_entities",
    "merge_snapshot",
    "unmerge",
]


class MergeError(ValueError):
    """A merge or unmerge that cannot be done as asked (the message says why)."""


def _active(session: Session, entity_id: uuid.UUID) -> Entity:
    return check_active(session.get(Entity, entity_id, with_for_update=True), entity_id)


def _both(session: Session, a: uuid.UUID, b: uuid.UUID) -> tuple[Entity, Entity]:
    # one locking read for both (the sync matches many records: statements count)
    rows = session.scalars(sa.select(Entity).where(Entity.id.in_([a, b])).with_for_update()).all()
    found = {entity.id: entity for entity in rows}
    return check_active(found.get(a), a), check_active(found.get(b), b)


def _keys_of_both(
    session: Session, a: uuid.UUID, b: uuid.UUID
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    rows = session.execute(
        sa.select(BlockingKey.entity_id, BlockingKey.key_type, BlockingKey.key_value)
        .where(BlockingKey.entity_id.in_([a, b]))
        .order_by(BlockingKey.key_type, BlockingKey.key_value)
    ).all()
    return (
        [(t, v) for e, t, v in rows if e == a],
        [(t, v) for e, t, v in rows if e == b],
    )


def check_active(entity: Entity | None, entity_id: uuid.UUID) -> Entity:
    """`entity` if it is active, else MergeError saying what it is."""
    if entity is None:
        raise MergeError(f"entity {entity_id} does not exist")
    if entity.status != "active":
        into = f" into {entity.merged_into}" if entity.merged_into else ""
        raise MergeError(f"entity {entity_id} is {entity.status}{into}, not active")
    return entity


def merge_snapshot(
    survivor: Entity,
    survivor_keys: Sequence[Key],
    merged_data: dict[str, Any],
    merged_version: int,
    merged_keys: Sequence[Key],
    links: Sequence[int],
) -> dict[str, Any]:
    """What `unmerge` puts back: both golden records, versions and keys as they were before
    the merge (the survivor's taken before it changes), and the links the merge moved."""
    return {
        "survivor": {"data": survivor.data, "version": survivor.version, "keys": survivor_keys},
        "merged": {"data": merged_data, "version": merged_version, "keys": merged_keys},
        "links": links,
    }


def merge_audits(
    survivor: Entity,
    merged_id: uuid.UUID,
    moved: Sequence[int],
    *,
    actor_kind: ActorKind,
    actor: str,
    reason: str,
) -> list[AuditRecord]:
    """The audit entries of a merge besides golden value changes: MERGED_INTO and absorbed."""
    return [
        AuditRecord(
            actor_kind, actor, "entity.merged_into", merged_id, survivor.kind,
            before={"status": "active"}, after={"merged_into": str(survivor.id)}, reason=reason,
        ),
        AuditRecord(
            actor_kind, actor, "entity.absorbed", survivor.id, survivor.kind,
            after={"absorbed": str(merged_id), "links": list(moved)}, reason=reason,
        ),
    ]  # fmt: skip


def _own(entity: Entity) -> SourceValues:
    return SourceValues(entity.data, f"entity:{entity.id}", entity.updated_at)


def merge_entities(
    session: Session,
    *,
    survivor_id: uuid.UUID,
    merged_id: uuid.UUID,
    survivorship: SurvivorshipConfig,
    decision: str = "auto_merge",
    actor_kind: ActorKind = ActorKind.SYNC,
    actor: str = "sync",
    score: float | None = None,
    evidence: Sequence[dict[str, Any]] = (),
    reason: str | None = None,
) -> EntityMerge:
    """Merge `merged_id` into `survivor_id` (see the module docstring); returns the merge.

    An automatic merge of a pair kept apart is refused (MergeError); an operator's merge
    overrides the keep-apart memory and forgets the pair.
    """
    if survivor_id == merged_id:
        raise MergeError("an entity cannot be merged into itself")
    survivor, merged = _both(session, survivor_id, merged_id)
    if survivor.kind != merged.kind:
        raise MergeError(f"cannot merge a {merged.kind} into a {survivor.kind}")
    if kept_apart_from(session, survivor.id, [merged.id]):
        if actor_kind != ActorKind.OPERATOR:
            raise MergeError(f"entities {survivor.id} and {merged.id} were kept apart")
        forget_keep_apart(session, survivor.id, merged.id)
    survivor_keys, merged_keys = _keys_of_both(session, survivor.id, merged.id)
    moved = sorted(
        session.scalars(
            sa.update(Link)
            .where(Link.entity_id == merged.id)
            .values(entity_id=survivor.id)
            .returning(Link.id),
            execution_options={"synchronize_session": False},
        ).all()
    )
    snapshot = merge_snapshot(
        survivor, survivor_keys, merged.data, merged.version, merged_keys, moved
    )
    sources = stored_sources(session, survivor.id) or [_own(survivor), _own(merged)]
    before = dict(survivor.data)
    survivor.data = golden_from_sources(survivor.kind, sources, survivorship)
    survivor.version += 1
    merged.status, merged.merged_into = "merged", survivor.id
    merged.version += 1
    session.execute(sa.delete(BlockingKey).where(BlockingKey.entity_id == merged.id))
    insert_keys(session, survivor.id, survivor.kind, set(merged_keys) - set(survivor_keys))
    why = reason or f"{decision}: {merged.id} merged into {survivor.id}"
    audit_golden_change(
        session, survivor, before, survivor.data, actor_kind=actor_kind, actor=actor, reason=why
    )
    for entry in merge_audits(
        survivor, merged.id, moved, actor_kind=actor_kind, actor=actor, reason=why
    ):
        record_audit(session, **asdict(entry))
    merge = EntityMerge(
        kind=survivor.kind,
        survivor_id=survivor.id,
        merged_id=merged.id,
        snapshot=snapshot,
        survivor_version=survivor.version,
        decision=decision,
        score=score,
        evidence=list(evidence),
        actor=actor,
    )
    session.add(merge)
    session.flush()
    return merge


def _survivor_sources(session: Session, survivor: Entity, merge: EntityMerge) -> list[SourceValues]:
    stored = stored_sources(session, survivor.id)
    if stored:
        return stored
    # Nothing stored: the survivor as it was before this merge, plus the entities merged into
    # it since (their golden records are frozen while merged: they are the kept records).
    others = session.scalars(
        sa.select(Entity).where(Entity.merged_into == survivor.id, Entity.id != merge.merged_id)
    ).all()
    before = merge.snapshot["survivor"]["data"]
    return [SourceValues(before, f"entity:{survivor.id}", merge.created_at)] + [
        _own(e) for e in others
    ]


def unmerge(
    session: Session,
    merged_id: uuid.UUID,
    *,
    survivorship: SurvivorshipConfig,
    actor_kind: ActorKind = ActorKind.OPERATOR,
    actor: str,
    reason: str | None = None,
) -> EntityMerge:
    """Undo the latest merge of `merged_id` (SPLIT_FROM); returns that merge, now undone.

    Both entities get back their golden values, links and blocking keys from the snapshot;
    a survivor changed since the merge gets its golden record recomputed instead, and keeps
    the keys it gained since. Links made after the merge stay with the survivor.
    """
    merge = session.scalars(
        sa.select(EntityMerge)
        .where(EntityMerge.merged_id == merged_id, EntityMerge.undone_at.is_(None))
        .order_by(EntityMerge.id.desc())
        .limit(1)
    ).first()
    if merge is None:
        raise MergeError(f"entity {merged_id} has no merge to undo")
    merged = session.get(Entity, merged_id, with_for_update=True)
    survivor = _active(session, merge.survivor_id)
    if merged is None or merged.merged_into != survivor.id:
        raise MergeError(f"entity {merged_id} is no longer merged into {survivor.id}")
    snap: dict[str, Any] = merge.snapshot
    session.execute(
        sa.update(Link)
        .where(Link.id.in_(snap["links"]), Link.entity_id == survivor.id)
        .values(entity_id=merged.id)
    )
    merged.status, merged.merged_into = "active", None
    merged.data = snap["merged"]["data"]
    merged.version += 1
    replace_keys(session, merged.id, merged.kind, [tuple(k) for k in snap["merged"]["keys"]])
    before = dict(survivor.data)
    survivor_keys = {tuple(k) for k in snap["survivor"]["keys"]}
    if survivor.version == merge.survivor_version:
        survivor.data = snap["survivor"]["data"]
    else:
        sources = _survivor_sources(session, survivor, merge)
        survivor.data = golden_from_sources(survivor.kind, sources, survivorship)
        only_merged = {tuple(k) for k in snap["merged"]["keys"]} - survivor_keys
        survivor_keys = set(keys_of(session, survivor.id)) - only_merged
    replace_keys(session, survivor.id, survivor.kind, survivor_keys)
    survivor.version += 1
    why = reason or f"unmerge: {merged.id} split from {survivor.id}"
    audit_golden_change(
        session, survivor, before, survivor.data, actor_kind=actor_kind, actor=actor, reason=why
    )
    record_audit(
        session,
        actor_kind=actor_kind,
        actor=actor,
        action="entity.split_from",
        entity_id=merged.id,
        entity_kind=merged.kind,
        before={"merged_into": str(survivor.id)},
        after={"status": "active", "split_from": str(survivor.id), "links": snap["links"]},
        reason=why,
    )
    merge.undone_at, merge.undone_by = utcnow(), actor
    session.flush()
    return merge
