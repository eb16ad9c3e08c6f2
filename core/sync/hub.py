"""References across CRMs: a CRM's record ids to entity ids and back (one transaction's cache).

Each CRM names a contact's customer by its own id (Zoho `Account_Name.id`, Fxiaoke
`account_id`). The sync compares and stores references as the entity they point to, and the
planner turns them back into the target CRM's id through the links. The owner is not a field
here: it is assignment's (`entities.owner_id`), written as the target CRM's user id.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.assignment import OwnerDirectory
from core.matching.store_index import active_ids
from core.store import Link
from core.store.base import chunked
from core.sync.fields import SYSTEM_FIELDS
from core.sync.links import LinkStatus
from core.sync.values import flatten
from mapping.maps import Mapper, RecordMappingError
from mapping.model import MODEL_BY_KIND, CanonicalValidationError, EntityKind, validate_record

__all__ = ["REF_KINDS", "Refs", "hub_fields", "target_record"]

# reference fields -> the kind of record they point to
REF_KINDS = {"customer": "customer", "contact": "contact"}


class Refs:
    """Resolves references through the links, caching what it read."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._entity: dict[tuple[str, str, str], uuid.UUID | None] = {}
        self._remote: dict[tuple[uuid.UUID, str], str | None] = {}
        self._active: dict[uuid.UUID, uuid.UUID] = {}

    def learn(self, connection: str, kind: str, remote_id: str, entity_id: uuid.UUID) -> None:
        """A record was just linked (to `entity_id`, active)."""
        self._entity[(connection, kind, remote_id)] = entity_id
        self._active[entity_id] = entity_id
        self._remote.pop((entity_id, connection), None)

    def active(self, entity_id: uuid.UUID) -> uuid.UUID:
        if entity_id not in self._active:
            self._active.update(active_ids(self.session, [entity_id]))
            self._active.setdefault(entity_id, entity_id)
        return self._active[entity_id]

    def preload(self, connection: str, kind: str, remote_ids: Iterable[str]) -> None:
        """Resolve many records' entities in two queries (a page's customer references)."""
        wanted = sorted({r for r in remote_ids if (connection, kind, r) not in self._entity})
        if not wanted:
            return
        found: dict[str, uuid.UUID] = {}
        # a page's references are a few hundred; the invariant checker's, a whole CRM's
        for part in chunked(wanted):
            rows = self.session.execute(
                sa.select(Link.remote_id, Link.entity_id).where(
                    Link.connection == connection, Link.kind == kind, Link.remote_id.in_(part)
                )
            )
            found.update((row[0], row[1]) for row in rows)
        missing = [e for e in set(found.values()) if e not in self._active]
        if missing:
            resolved = active_ids(self.session, missing)
            self._active.update({e: resolved.get(e, e) for e in missing})
        for remote in wanted:
            entity = found.get(remote)
            self._entity[(connection, kind, remote)] = (
                self._active[entity] if entity is not None else None
            )

    def preload_planning(
        self,
        golden: Iterable[Mapping[str, Any]],
        bases: Iterable[tuple[str, Mapping[str, Any]]],
        connections: Sequence[str],
    ) -> None:
        """What planning a chunk of entities resolves, in a few queries instead of a few per
        entity: the entities their golden records refer to (as they are now) with their records
        in `connections`, and the entities that those records and the bases' references
        (`(connection, values)`, each CRM's own ids) mean."""
        referred: dict[str, set[uuid.UUID]] = defaultdict(set)
        for record in golden:
            for path, kind in REF_KINDS.items():
                ref = record.get(path)
                if isinstance(ref, Mapping) and ref.get("entity_id"):
                    try:
                        referred[kind].add(uuid.UUID(str(ref["entity_id"])))
                    except ValueError:
                        continue
        ids = set().union(*referred.values())
        missing = [e for e in ids if e not in self._active]
        if missing:
            resolved = active_ids(self.session, missing)
            self._active.update({e: resolved.get(e, e) for e in missing})
        self._preload_remotes({self._active[e] for e in ids}, connections)
        remote: dict[tuple[str, str], set[str]] = defaultdict(set)
        for kind, entity_ids in referred.items():
            for entity_id in entity_ids:
                for connection in connections:
                    found = self._remote.get((self._active[entity_id], connection))
                    if found:
                        remote[(connection, kind)].add(found)
        for connection, values in bases:
            for path, kind in REF_KINDS.items():
                ref = values.get(path)
                if isinstance(ref, Mapping) and ref.get("remote_id"):
                    remote[(connection, kind)].add(str(ref["remote_id"]))
        for (connection, kind), remote_ids in remote.items():
            self.preload(connection, kind, remote_ids)

    def _preload_remotes(self, entity_ids: Iterable[uuid.UUID], connections: Sequence[str]) -> None:
        """`remote_of` for many active entities and connections in one query."""
        wanted = sorted(
            {e for e in entity_ids if any((e, c) not in self._remote for c in connections)},
            key=str,
        )
        if not wanted:
            return
        rows = self.session.execute(
            sa.select(Link.entity_id, Link.connection, Link.remote_id)
            .where(
                Link.entity_id.in_(wanted),
                Link.connection.in_(list(connections)),
                Link.status == LinkStatus.ACTIVE.value,
            )
            .order_by(Link.id)
        ).all()
        oldest: dict[tuple[uuid.UUID, str], str] = {}
        for entity_id, connection, remote_id in rows:
            oldest.setdefault((entity_id, connection), remote_id)
        for entity_id in wanted:
            for connection in connections:
                self._remote.setdefault(
                    (entity_id, connection), oldest.get((entity_id, connection))
                )

    def entity_of(self, connection: str, kind: str, remote_id: str) -> uuid.UUID | None:
        """The active entity `connection`'s record `remote_id` belongs to, if linked."""
        key = (connection, kind, remote_id)
        if key not in self._entity:
            found = self.session.scalar(
                sa.select(Link.entity_id).where(
                    Link.connection == connection, Link.kind == kind, Link.remote_id == remote_id
                )
            )
            self._entity[key] = self.active(found) if found is not None else None
        return self._entity[key]

    def remote_of(self, entity_id: uuid.UUID, connection: str) -> str | None:
        """The record of `entity_id` in `connection` (its oldest live link), if any."""
        entity_id = self.active(entity_id)
        key = (entity_id, connection)
        if key not in self._remote:
            self._remote[key] = self.session.scalar(
                sa.select(Link.remote_id)
                .where(
                    Link.entity_id == entity_id,
                    Link.connection == connection,
                    Link.status == LinkStatus.ACTIVE.value,
                )
                .order_by(Link.id)
                .limit(1)
            )
        return self._remote[key]

    def ref(self, value: Any, connection: str | None, kind: str) -> Any:
        """A reference as the entity it points to (`{"entity_id", "name"}`); one that cannot be
        resolved stays as the CRM wrote it."""
        if not isinstance(value, Mapping):
            return value
        name = value.get("name")
        target: uuid.UUID | None = None
        if connection is not None and value.get("remote_id"):
            # the CRM's own id, through its links, is the truth (an entity id noted beside it
            # may be stale after an unmerge)
            target = self.entity_of(connection, kind, str(value["remote_id"]))
        elif value.get("entity_id"):
            target = self.active(uuid.UUID(str(value["entity_id"])))
        if target is None:
            # not (or no longer) linked: the CRM's own id is all there is; an entity id noted
            # beside it must not make it look resolved
            return {k: v for k, v in value.items() if k != "entity_id" or connection is None}
        resolved: dict[str, Any] = {"entity_id": str(target)}
        if name:
            resolved["name"] = name
        return resolved


def hub_fields(record: Mapping[str, Any], connection: str | None, refs: Refs) -> dict[str, Any]:
    """A record's synced fields by path, references as entities (`connection`: whose ids the
    record's references use; None for a golden record)."""
    fields = {p: v for p, v in flatten(record).items() if p not in SYSTEM_FIELDS}
    for path, kind in REF_KINDS.items():
        if path in fields:
            fields[path] = refs.ref(fields[path], connection, kind)
    return fields


def target_record(
    golden: Mapping[str, Any],
    owner_id: uuid.UUID | None,
    connection: str,
    refs: Refs,
    directory: OwnerDirectory,
) -> tuple[dict[str, Any], set[str]]:
    """The golden record in `connection`'s terms (its record ids, its user as the owner), and
    the references it cannot express there yet (their record is not in that CRM yet)."""
    record = {k: v for k, v in golden.items() if k not in ("created_at", "modified_at")}
    waiting: set[str] = set()
    for path, kind in REF_KINDS.items():
        value = record.pop(path, None)
        if not isinstance(value, Mapping):
            continue
        hub = refs.ref(value, None, kind)
        target = hub.get("entity_id") if isinstance(hub, Mapping) else None
        remote = refs.remote_of(uuid.UUID(str(target)), connection) if target else None
        if remote is None:
            if target:
                waiting.add(path)
            continue
        record[path] = {"remote_id": remote, **({"name": hub["name"]} if hub.get("name") else {})}
    owner = directory.remote_ref(owner_id, connection)
    record.pop("owner", None)
    if owner is not None:
        record["owner"] = owner.model_dump(mode="json", exclude_none=True)
    return record, waiting


def same_in_crm_terms(
    mapper: Mapper,
    kind: EntityKind,
    wanted: Mapping[str, Any],
    held: Mapping[str, Any],
    fields: Sequence[str],
) -> bool:
    """Whether writing `fields` of `wanted` would send the CRM what `held` (what it has) sends:
    values that differ in the canonical model but are one value in that CRM's terms. A golden
    full name "杜" beside the parts 刚 and 杜 goes to Fxiaoke's one name field as the parts
    joined, "杜刚", which Fxiaoke holds already: writing it again changes nothing there, and
    every sync wrote it again (the 100k run: 1,041 contacts a sync). Either side failing to
    map: not the same (write, and let the write report it)."""
    model = MODEL_BY_KIND[kind]
    try:
        want = mapper.push(kind, validate_record(model, dict(wanted)), fields=fields)
        have = mapper.push(kind, validate_record(model, dict(held)), fields=fields)
    except (RecordMappingError, CanonicalValidationError, ValueError):
        return False
    return want == have
