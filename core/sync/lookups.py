"""What applying one batch of write results looks up, read per batch, not per result.

`apply_push_results` needs, per result, the link of the record written or answered, its base
snapshot, the entity's active id (following merges) and its version. Read one by one that was
several queries per result (about 25 ms each on a loaded machine); here a few IN queries per
batch, and what is not preloaded (or made while applying) is read or kept on demand.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import PushResult
from core.matching.store_index import active_ids
from core.store import BaseSnapshot, Entity, Link, OutboxItem
from core.sync.links import active_entity, find_link

__all__ = ["ResultLookups"]

CHUNK = 500


class ResultLookups:
    """What one batch of results looks up: the links of the records written and answered, their
    base snapshots, the entities' active ids and versions. Read in a few IN queries per batch
    (not a few queries per result); links made while applying the batch are added."""

    def __init__(
        self, session: Session, rows: Iterable[OutboxItem], by_key: Mapping[str, PushResult]
    ):
        self.session = session
        wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
        entity_ids: set[uuid.UUID] = set()
        for row in rows:
            entity_ids.add(row.entity_id)
            result = by_key.get(row.idempotency_key)
            for remote_id in (row.remote_id, result.remote_id if result else None):
                if remote_id:
                    wanted[(row.connection, row.kind)].add(remote_id)
        self.links: dict[tuple[str, str, str], Link | None] = {}
        for (connection, kind), remote_ids in wanted.items():
            ids = sorted(remote_ids)
            self.links.update({(connection, kind, r): None for r in ids})
            for start in range(0, len(ids), CHUNK):
                for link in session.scalars(
                    sa.select(Link)
                    .where(
                        Link.connection == connection,
                        Link.kind == kind,
                        Link.remote_id.in_(ids[start : start + CHUNK]),
                    )
                    .order_by(Link.id)
                ):
                    key = (link.connection, link.kind, link.remote_id)
                    self.links[key] = self.links[key] or link
        linked = [link for link in self.links.values() if link is not None]
        self.bases: dict[int, BaseSnapshot | None] = {link.id: None for link in linked}
        link_ids = sorted(self.bases)
        for start in range(0, len(link_ids), CHUNK):
            for base in session.scalars(
                sa.select(BaseSnapshot).where(
                    BaseSnapshot.link_id.in_(link_ids[start : start + CHUNK])
                )
            ):
                self.bases[base.link_id] = base
        entity_ids.update(link.entity_id for link in linked)
        self.active: dict[uuid.UUID, uuid.UUID] = {}
        ordered = sorted(entity_ids, key=str)
        for start in range(0, len(ordered), CHUNK):
            part = ordered[start : start + CHUNK]
            found = active_ids(session, part)
            self.active.update({e: found.get(e, e) for e in part})
        self.versions: dict[uuid.UUID, int] = {}
        wanted_versions = sorted(entity_ids | set(self.active.values()), key=str)
        for start in range(0, len(wanted_versions), CHUNK):
            part = wanted_versions[start : start + CHUNK]
            versions = session.execute(
                sa.select(Entity.id, Entity.version).where(Entity.id.in_(part))
            )
            for entity_id, version in versions:
                self.versions[entity_id] = version

    def link(self, connection: str, kind: str, remote_id: str) -> Link | None:
        key = (connection, kind, remote_id)
        if key not in self.links:
            self.links[key] = find_link(self.session, connection, kind, remote_id)
        return self.links[key]

    def made(self, link: Link) -> None:
        """A link made while applying the batch: it has no base yet (nor, before the session
        is flushed, an id)."""
        self.links[(link.connection, link.kind, link.remote_id)] = link
        if link.id is not None:
            self.bases[link.id] = None

    def base(self, link: Link) -> BaseSnapshot | None:
        if link.id not in self.bases:
            self.bases[link.id] = self.session.get(BaseSnapshot, link.id)
        return self.bases[link.id]

    def entity(self, entity_id: uuid.UUID) -> uuid.UUID:
        """The entity `entity_id` is now (following merges)."""
        if entity_id not in self.active:
            self.active[entity_id] = active_entity(self.session, entity_id)
        return self.active[entity_id]

    def version(self, entity_id: uuid.UUID) -> int | None:
        if entity_id not in self.versions:
            version = self.session.scalar(sa.select(Entity.version).where(Entity.id == entity_id))
            if version is None:
                return None
            self.versions[entity_id] = version
        return self.versions[entity_id]
