"""The remote half of the invariant check: read every record of every CRM (a full pull through
its connector, mapped by its field map, nothing stored) and compare it with the golden record
it is linked to, the way the planner compares (`core.sync.invariants` has the rules).
A pull reads up to a signpost a little before now, so records changed in the last seconds are
not read: check a settled sync, not one in progress.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import Connector
from core.assignment import OwnerDirectory
from core.matching.store_index import active_ids
from core.store import Conflict, DeadLetter, Entity, Link, ReviewItem, SourceRecord
from core.sync.context import KINDS, ConnectionSync, SyncContext
from core.sync.fields import FieldSpace
from core.sync.hub import REF_KINDS, Refs, hub_fields, same_in_crm_terms, target_record
from core.sync.ingest import map_page
from core.sync.invariants import Invariant, InvariantReport
from core.sync.values import get_path, same, set_path
from mapping.model import EntityKind

__all__ = ["check_remote"]


@dataclass
class _Store:
    """What the comparison needs from the store, read in a few queries."""

    links: dict[tuple[str, str, str], uuid.UUID]  # (connection, kind, remote id) -> entity
    entities: dict[uuid.UUID, Entity]
    conflicts: dict[uuid.UUID, set[str]]
    parked: set[uuid.UUID]
    dead: set[tuple[uuid.UUID, str]]
    seen: set[tuple[str, str, str]]  # source records the hub has stored
    quarantined: set[tuple[str, str, str]]
    truths: dict[uuid.UUID, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> _Store:
        rows = session.execute(
            sa.select(Link.connection, Link.kind, Link.remote_id, Link.entity_id).where(
                Link.status == "active"
            )
        ).all()
        resolved = active_ids(session, sorted({r[3] for r in rows}, key=str))
        links = {(r[0], r[1], r[2]): resolved.get(r[3], r[3]) for r in rows}
        entities = {
            e.id: e for e in session.scalars(sa.select(Entity).where(Entity.status == "active"))
        }
        conflicts: dict[uuid.UUID, set[str]] = defaultdict(set)
        for entity_id, path in session.execute(
            sa.select(Conflict.entity_id, Conflict.field).where(Conflict.status == "open")
        ):
            conflicts[entity_id].add(path)
        parked = {
            entity_id
            for entity_id in session.scalars(
                sa.select(ReviewItem.entity_id).where(
                    ReviewItem.kind == "match", ReviewItem.status == "open"
                )
            )
            if entity_id is not None
        }
        dead = {
            (r[0], r[1])
            for r in session.execute(
                sa.select(DeadLetter.entity_id, DeadLetter.connection).where(
                    DeadLetter.status == "open"
                )
            )
        }
        seen: set[tuple[str, str, str]] = set()
        quarantined: set[tuple[str, str, str]] = set()
        for connection, kind, remote_id, status in session.execute(
            sa.select(
                SourceRecord.connection, SourceRecord.kind, SourceRecord.remote_id,
                SourceRecord.status,
            )
        ):  # fmt: skip
            seen.add((connection, kind, remote_id))
            if status == "quarantined":
                quarantined.add((connection, kind, remote_id))
        return cls(links, entities, dict(conflicts), parked, dead, seen, quarantined)

    def is_parked(self, entity: Entity) -> bool:
        customer = entity.data.get("customer")
        ref = customer.get("entity_id") if isinstance(customer, Mapping) else None
        return entity.id in self.parked or (ref is not None and uuid.UUID(str(ref)) in self.parked)


def _remote_records(
    connector: Connector, conn: ConnectionSync, kind: EntityKind
) -> dict[str, dict[str, Any] | None]:
    """Every record of `kind` in the CRM: remote id -> mapped record (None: does not map)."""
    found: dict[str, dict[str, Any] | None] = {}
    for page in connector.pull(kind, None, full=True):
        mapped = map_page(conn.mapper, kind, page.records)
        for record in page.records:
            found[record.remote_id] = mapped.records.get(record.remote_id)
    return found


def _view(
    space: FieldSpace, record: Mapping[str, Any], connection: str, refs: Refs
) -> dict[str, Any]:
    return {
        p: space.cut(p, v)
        for p, v in hub_fields(record, connection, refs).items()
        if space.holds(p)
    }


def check_remote(
    session: Session,
    ctx: SyncContext,
    connectors: Mapping[str, Connector],
    report: InvariantReport,
    truth: Mapping[tuple[str, str], str],
) -> None:
    """Agreement of every CRM with the golden records, and duplicates by ground truth."""
    known = _Store.load(session)
    refs = Refs(session)
    directory = OwnerDirectory.load(session)
    for (connection, _, remote_id), entity_id in known.links.items():
        if (connection, remote_id) in truth:
            known.truths.setdefault(entity_id, set()).add(truth[(connection, remote_id)])
    report.notes["entities_holding_several_truths"] = sum(
        1 for ids in known.truths.values() if len(ids) > 1
    )
    for name, connector in connectors.items():
        conn = ctx.connections.get(name)
        if conn is None or conn.mapper is None:
            continue
        for kind in KINDS:
            space = conn.space(kind)
            if space is None or kind not in connector.entities():
                continue
            records = _remote_records(connector, conn, kind)
            for path, ref_kind in REF_KINDS.items():
                refs.preload(name, ref_kind, {
                    str(r[path]["remote_id"]) for r in records.values()
                    if r and isinstance(r.get(path), Mapping) and r[path].get("remote_id")
                })  # fmt: skip
            compare = _Compare(report, known, refs, directory, conn, space, kind)
            for remote_id, mapped in records.items():
                compare.record(remote_id, mapped)
            compare.duplicates(truth)


class _Compare:
    """One connection and kind: each remote record against its golden record."""

    def __init__(
        self,
        report: InvariantReport,
        known: _Store,
        refs: Refs,
        directory: OwnerDirectory,
        conn: ConnectionSync,
        space: FieldSpace,
        kind: EntityKind,
    ) -> None:
        self.report, self.known, self.refs, self.directory = report, known, refs, directory
        self.conn, self.space, self.kind = conn, space, kind
        self.by_truth: dict[str, list[str]] = defaultdict(list)
        self.entity_of: dict[str, uuid.UUID] = {}
        self.remote_ids: list[str] = []

    def record(self, remote_id: str, mapped: dict[str, Any] | None) -> None:
        report, name, kind = self.report, self.conn.name, self.kind.value
        report.checked["remote_records"] += 1
        key = (name, kind, remote_id)
        self.remote_ids.append(remote_id)
        entity_id = self.known.links.get(key)
        if entity_id is None:
            if key in self.known.quarantined:
                report.notes["quarantined_remote_records"] += 1
            elif key not in self.known.seen:
                report.notes["remote_records_never_pulled"] += 1
            else:
                report.notes["remote_records_without_link"] += 1
            return
        self.entity_of[remote_id] = entity_id
        entity = self.known.entities.get(entity_id)
        if entity is None:
            report.notes["records_of_inactive_entities"] += 1
            return
        if mapped is None:
            report.excused["unmappable_now"] += 1
            return
        if self.known.is_parked(entity):
            report.excused["parked_in_review"] += 1
            return
        self._compare(entity, remote_id, mapped)

    def _compare(self, entity: Entity, remote_id: str, mapped: dict[str, Any]) -> None:
        report, conn, space = self.report, self.conn, self.space
        target, waiting = target_record(entity.data, entity.owner_id, conn.name, self.refs,
                                        self.directory)  # fmt: skip
        for path, value in conn.target.defaults.get(self.kind, {}).items():
            if get_path(target, path) is None:
                target = set_path(target, path, value)
        have = _view(space, mapped, conn.name, self.refs)
        want = _view(space, target, conn.name, self.refs)
        differ = [
            p for p in sorted(set(have) | set(want))
            if space.writes(p) and p not in waiting and not same(have.get(p), want.get(p))
        ]  # fmt: skip
        report.checked["fields_compared"] += len([p for p in set(have) | set(want)
                                                  if space.writes(p)])  # fmt: skip
        owner_id = entity.owner_id
        if (
            owner_id is not None
            and space.writes("owner")
            and self.directory.remote_ref(owner_id, conn.name) is not None
            and self.directory.resolve(conn.name, mapped.get("owner")) != owner_id
        ):
            differ.append("owner")
        if not differ:
            return
        open_conflicts = self.known.conflicts.get(entity.id, set())
        rest = [p for p in differ if p not in open_conflicts]
        report.excused["fields_in_open_conflict"] += len(differ) - len(rest)
        if not rest:
            return
        if (entity.id, conn.name) in self.known.dead:
            report.excused["fields_of_dead_lettered_writes"] += len(rest)
            return
        if self.kind not in conn.target.update:
            report.excused["fields_of_kinds_not_updated"] += len(rest)
            return
        assert conn.mapper is not None
        if "owner" not in rest and same_in_crm_terms(conn.mapper, self.kind, target, mapped, rest):
            # the CRM cannot hold the golden value any closer (and the planner writes nothing)
            report.excused["fields_equal_in_the_crms_terms"] += len(rest)
            return
        for path in rest:
            theirs = mapped.get("owner") if path == "owner" else have.get(path)
            mine = owner_id if path == "owner" else want.get(path)
            report.add(
                Invariant.AGREEMENT,
                f"{self.kind.value} {remote_id}: {path} is {theirs!r} there, golden {mine!r}",
                entity.id,
                conn.name,
            )

    def duplicates(self, truth: Mapping[tuple[str, str], str]) -> None:
        """Two records of one CRM that are the same real thing (by ground truth)."""
        if not truth:
            return
        name = self.conn.name
        for remote_id in self.remote_ids:
            own = truth.get((name, remote_id))
            entity_id = self.entity_of.get(remote_id)
            ids = {own} if own else self.known.truths.get(entity_id, set()) if entity_id else set()
            if len(ids) == 1:
                self.by_truth[next(iter(ids))].append(remote_id)
        for truth_id, remote_ids in self.by_truth.items():
            if len(remote_ids) > 1:
                entities = {str(self.entity_of.get(r, "unlinked")) for r in remote_ids}
                self.report.add(
                    Invariant.DUPLICATE,
                    f"{self.kind.value} {truth_id} is in {name} {len(remote_ids)} times "
                    f"({', '.join(remote_ids)}; entities {', '.join(sorted(entities))})",
                    sorted(entities)[0],
                    name,
                )
