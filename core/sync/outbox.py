"""Committing a plan to the outbox, in the caller's transaction (the transactional outbox).

Each planned write becomes a pending item keyed by its idempotency key. A pending item of a
planned entity that the new plan does not repeat is stale (the golden record or the base moved
on) and is superseded, so a CRM never gets a write it no longer needs; items already sent
(published) are left to finish. The same write planned again is the same item: a pending one
is kept, a superseded one comes back, a done or dead one is not queued twice. Entities planned
get `planned_version = version`; those that wait keep what they wait for (`core.sync.waits`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.store import Entity, OutboxItem, metadata
from core.sync.create_guard import hold_creates
from core.sync.plan import Plan, PlannedWrite, partition_of, priority_of
from core.sync.results import ItemStatus
from core.sync.waits import record_waits

__all__ = ["CommitCounts", "commit_plan"]

CHUNK = 500


@dataclass
class CommitCounts:
    queued: int = 0
    kept: int = 0  # the same write was already pending
    superseded: int = 0
    skipped: int = 0  # the same write was already done or dead

    def to_data(self) -> dict[str, int]:
        return {
            "queued": self.queued,
            "kept": self.kept,
            "superseded": self.superseded,
            "skipped": self.skipped,
        }


def _chunks(ids: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _item(write: PlannedWrite, run_id: int | None) -> OutboxItem:
    return OutboxItem(
        run_id=run_id,
        connection=write.connection,
        kind=write.kind,
        entity_id=write.entity_id,
        operation=write.operation.value,
        mode=write.mode.value,
        payload=write.payload,
        remote_id=write.remote_id,
        canonical=write.canonical,
        entity_version=write.entity_version,
        base_fingerprint=write.base_fingerprint,
        partition=partition_of(write.entity_id),
        priority=priority_of(write.kind),
        status=ItemStatus.PENDING.value,
        attempts=0,
        idempotency_key=write.key,
    )


def commit_plan(session: Session, plan: Plan, *, run_id: int | None = None) -> CommitCounts:
    """Queue `plan`'s writes and mark its entities planned (see the module docstring)."""
    counts = CommitCounts()
    wanted = {write.key: write for write in plan.writes}
    ids = sorted(plan.entities, key=str)
    existing: dict[str, OutboxItem] = {}
    for chunk in _chunks(ids):
        for item in session.scalars(
            sa.select(OutboxItem).where(
                OutboxItem.entity_id.in_(chunk),
                OutboxItem.status == ItemStatus.PENDING.value,
            )
        ):
            if item.idempotency_key in wanted:
                existing[item.idempotency_key] = item
            else:
                item.status = ItemStatus.SUPERSEDED.value
                counts.superseded += 1
    keys = [k for k in wanted if k not in existing]
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        for item in session.scalars(
            sa.select(OutboxItem).where(OutboxItem.idempotency_key.in_(part))
        ):
            existing[item.idempotency_key] = item
    for key, write in wanted.items():
        found = existing.get(key)
        if found is None:
            session.add(_item(write, run_id))
            counts.queued += 1
        elif found.status == ItemStatus.SUPERSEDED:
            found.status = ItemStatus.PENDING.value
            counts.queued += 1
        elif found.status in (ItemStatus.PENDING, ItemStatus.PUBLISHED):
            counts.kept += 1
        else:
            counts.skipped += 1
    hold_creates(session, plan.held, run_id=run_id)
    # a waiting entity counts as planned: its waits say when to look at it again
    planned = [
        {"planned_id": entity_id, "planned_at": version}
        for entity_id, version in plan.entities.items()
    ]
    session.flush()
    record_waits(session, set(plan.entities) | plan.woken, plan.waits)
    if planned:
        # one executemany, not one statement per entity; an entity whose version moved since
        # it was planned keeps needing planning
        table = metadata.tables[Entity.__tablename__]
        session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("planned_id"))
            .where(table.c.version == sa.bindparam("planned_at"))
            .values(planned_version=sa.bindparam("planned_at")),
            planned,
        )
    return counts
