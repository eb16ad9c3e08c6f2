"""One pulled record into the golden record: echo check, link or match, three-way merge.

Called for every mapped record of a page, in the page's transaction:

- a record whose link's base already holds its values is unchanged (our own write read back
  is the usual case: the base became what we wrote) -> nothing but the base's remote time;
- a record without a link is matched (customers and contacts by `match_record`, opportunities
  by customer and name): a new entity, a grey-zone entity parked with its review, or a join
  to an existing entity, whose golden record then takes the new record three-way with no base;
- a linked record is merged field by field (`core.sync.merge`); changed golden fields are
  audited with their source and reason, `manual` fields open conflicts.

The link's base becomes the record as pulled, and the entity is marked for the planner.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from connectors.protocol import RemoteRecord
from core.audit import ActorKind, AuditRecord, record_audit, record_audits
from core.matching import MATCHED_KINDS, Decision, index_entity, match_record
from core.merging import Candidate
from core.merging.sources import golden_change_audits, stored_sources
from core.store import BaseSnapshot, Entity, EntityMerge, Link
from core.sync.conflicts import ConflictSide, open_conflict, open_conflict_paths
from core.sync.context import ConnectionSync, SyncContext
from core.sync.fields import FieldSpace
from core.sync.hub import Refs, hub_fields
from core.sync.links import LinkStatus, find_link
from core.sync.merge import RecordMerge, apply_changes, changed_record, merge_record, rederived
from core.sync.opportunities import OpportunityTwins, link_opportunity
from core.sync.snapshots import record_pulled
from core.sync.values import same, unflatten
from mapping.model import CanonicalValidationError, EntityKind

__all__ = ["Reconciler"]

# another link's base: (connection, its fields by path in hub terms, remote modified time)
OtherBase = tuple[str, dict[str, Any], datetime | None]


class Reconciler:
    """Reconciles the records of one connection and kind within one transaction."""

    def __init__(
        self,
        session: Session,
        ctx: SyncContext,
        connection: ConnectionSync,
        kind: EntityKind,
        *,
        run_id: int | None = None,
        refs: Refs | None = None,
        twins: OpportunityTwins | None = None,
    ) -> None:
        space = connection.space(kind)
        if space is None:
            raise ValueError(f"connection {connection.name} does not map {kind.value} records")
        self.session = session
        self.ctx = ctx
        self.connection = connection
        self.name = connection.name
        self.kind = kind
        self.space: FieldSpace = space
        self.run_id = run_id
        self.refs = refs or Refs(session)
        # where new opportunities look for their twin (one per pull: see OpportunityTwins)
        self.twins = twins or OpportunityTwins()
        self.counts: Counter[str] = Counter()
        self._links: dict[str, Link | None] = {}
        self._bases: dict[int, BaseSnapshot] = {}
        self._entities: dict[uuid.UUID, Entity] = {}  # held: the session holds them weakly
        # new records' base snapshots, added to the session together (one INSERT a page, not
        # one a record): before anything reads base snapshots, and before the commit
        self._unsaved: list[BaseSnapshot] = []
        sa.event.listen(session, "before_commit", self._save_bases)

    def _save_bases(self, session: Session | None = None) -> None:
        if self._unsaved:
            self.session.add_all(self._unsaved)
            self._unsaved.clear()

    def preload(self, remote_ids: Sequence[str]) -> None:
        """Read the links, bases and entities of a page's records in three queries (not three
        per record)."""
        links = self.session.scalars(
            sa.select(Link).where(
                Link.connection == self.name,
                Link.kind == self.kind.value,
                Link.remote_id.in_(list(remote_ids)),
            )
        ).all()
        self._links.update(dict.fromkeys(remote_ids))
        self._links.update({link.remote_id: link for link in links})
        ids = [link.id for link in links]
        if ids:
            bases = self.session.scalars(
                sa.select(BaseSnapshot).where(BaseSnapshot.link_id.in_(ids))
            )
            self._bases.update({base.link_id: base for base in bases})
            entity_ids = {link.entity_id for link in links}
            entities = self.session.scalars(sa.select(Entity).where(Entity.id.in_(entity_ids)))
            self._entities.update({entity.id: entity for entity in entities})

    # -- views ------------------------------------------------------------------------------

    def view(self, record: Mapping[str, Any], connection: str | None) -> dict[str, Any]:
        """What this CRM holds of `record`, as the sync compares it."""
        space = self.space
        return {
            p: space.cut(p, v) for p, v in hub_fields(record, connection, self.refs).items()
            if space.holds(p)
        }  # fmt: skip

    def golden_form(self, mapped: Mapping[str, Any]) -> dict[str, Any]:
        """A pulled record as a golden record: references as entities, no owner."""
        return self._golden_model(mapped).model_dump(mode="json")

    def _golden_model(self, mapped: Mapping[str, Any]) -> BaseModel:
        return changed_record(
            self.kind.value, unflatten(hub_fields(mapped, self.name, self.refs)), {}
        )

    # -- one record -------------------------------------------------------------------------

    def record(self, remote: RemoteRecord, mapped: Mapping[str, Any]) -> str:
        """Reconcile one mapped record; returns what happened (also counted in `counts`)."""
        if remote.remote_id in self._links:
            link = self._links[remote.remote_id]
        else:
            link = find_link(self.session, self.name, self.kind.value, remote.remote_id)
        outcome = self._new(remote, mapped) if link is None else self._linked(link, remote, mapped)
        self.counts[outcome] += 1
        return outcome

    def _linked(self, link: Link, remote: RemoteRecord, mapped: Mapping[str, Any]) -> str:
        if link.status != LinkStatus.ACTIVE:
            link.status = LinkStatus.ACTIVE.value  # the CRM has the record again (restored)
            self._audit_link(link, "link.revived", "the record is back in the CRM")
        entity = self._entities.get(link.entity_id) or self.session.get(Entity, link.entity_id)
        base = self._bases.get(link.id) or self.session.get(BaseSnapshot, link.id)
        incoming = self.view(mapped, self.name)
        if entity is None or entity.status != "active":
            record_pulled(self.session, link, mapped, remote.modified_at, base=base)
            return "inactive"
        if base is not None and _same_view(incoming, self.view(base.values, self.name)):
            base.remote_modified_at = remote.modified_at or base.remote_modified_at
            return "echo" if base.write_fingerprint else "unchanged"
        base_view = None if base is None else self.view(base.values, self.name)
        self._merge(entity, link, incoming, base_view, remote.modified_at)
        record_pulled(self.session, link, mapped, remote.modified_at, base=base)
        entity.planned_version = None  # its base moved: the planner looks again
        return "merged"

    def _new(self, remote: RemoteRecord, mapped: Mapping[str, Any]) -> str:
        model = self._golden_model(mapped)
        data = model.model_dump(mode="json")
        if self.kind.value in MATCHED_KINDS:
            outcome = match_record(
                self.session, self.kind.value, model, connection=self.name,
                remote_id=remote.remote_id, config=self.ctx.matching,
                unlinked=True,  # record() has just found no link
                resolved=True,  # golden_form resolved the customer through the page's refs
            )  # fmt: skip
        else:
            outcome = link_opportunity(
                self.session, data, connection=self.name, remote_id=remote.remote_id,
                matching=self.ctx.matching, twins=self.twins,
            )  # fmt: skip
        link_id = outcome.link_id
        if link_id is None:
            found = find_link(self.session, self.name, self.kind.value, remote.remote_id)
            assert found is not None  # matching made it
            link_id = found.id
        # the link is not loaded (its id is all this needs): the page's record again, if it
        # comes again, looks it up
        self._links.pop(remote.remote_id, None)
        self.refs.learn(self.name, self.kind.value, remote.remote_id, outcome.entity_id)
        entity = outcome.entity or self.session.get(Entity, outcome.entity_id)
        assert entity is not None
        self._entities[entity.id] = entity
        if outcome.decision is Decision.AUTO_MERGE:
            self._join(entity, self.view(mapped, self.name), remote.modified_at)
        else:
            entity.data = data  # its own record, references as entities, no owner
        base = record_pulled(
            self.session, link_id, mapped, remote.modified_at, fresh=True, add=False
        )
        self._bases[link_id] = base  # the page's record again, if it comes again, finds it
        self._unsaved.append(base)
        entity.planned_version = None
        return {Decision.AUTO_MERGE: "joined", Decision.REVIEW: "parked"}.get(
            outcome.decision, "new"
        )

    # -- merging ----------------------------------------------------------------------------

    def _join(self, entity: Entity, incoming: dict[str, Any], modified_at: datetime | None) -> None:
        """A record just joined `entity`: its golden record as before the join, merged with the
        record three-way without a base (the join's survivorship result is replaced)."""
        merge = self.session.scalars(
            sa.select(EntityMerge)
            .where(EntityMerge.survivor_id == entity.id, EntityMerge.undone_at.is_(None))
            .order_by(EntityMerge.id.desc())
            .limit(1)
        ).first()
        assert merge is not None
        before: dict[str, Any] = merge.snapshot["survivor"]["data"]
        joined = self._merge(entity, None, incoming, None, modified_at, start=before)
        if joined:
            merge.survivor_version = entity.version  # an unmerge still restores exactly

    def _merge(
        self,
        entity: Entity,
        link: Link | None,
        incoming: dict[str, Any],
        base: dict[str, Any] | None,
        modified_at: datetime | None,
        *,
        start: dict[str, Any] | None = None,
    ) -> bool:
        """Merge `incoming` into the golden record; True if the golden record changed."""
        joining = start is not None
        start = dict(entity.data) if start is None else start
        golden = hub_fields(start, None, self.refs)
        held = {p for p in golden if self.space.holds(p)}
        paths = set(incoming) | set(base or {}) | held
        waiting = open_conflict_paths(self.session, entity.id)
        others: list[OtherBase] | None = None

        def golden_sides(path: str) -> list[Candidate[Any]]:
            nonlocal others  # read once for the record, however many fields ask
            if others is None:
                others = self._other_bases(entity, link)
            return self._golden_sides(entity, others, path, golden.get(path))

        result = merge_record(
            self.kind.value, incoming=incoming, base=base, golden=golden, source=self.name,
            modified_at=modified_at, paths=paths, policies=self.ctx.policies,
            golden_sides=golden_sides, slots=self.space.slots, skip=waiting,
        )  # fmt: skip
        self._conflicts(entity, link, result)
        self._conflict_sides(entity, link, waiting, incoming, base, modified_at)
        try:
            data = apply_changes(self.kind.value, start, result.changes)
        except CanonicalValidationError as exc:
            self.counts["invalid"] += 1
            record_audit(
                self.session, actor_kind=ActorKind.SYNC, actor="sync", action="merge.refused",
                entity_id=entity.id, entity_kind=entity.kind, source=self.name,
                after=result.changes, reason=str(exc), run_id=self.run_id,
            )  # fmt: skip
            return False
        if data == entity.data:
            return False
        if joining:
            record_audits(self.session, golden_change_audits(
                entity.id, entity.kind, entity.data, data, actor_kind=ActorKind.SYNC,
                actor="sync", reason=f"{self.name} record joined: merged three-way without a base",
            ))  # fmt: skip
        else:
            self._audit_changes(entity, result, data)
        entity.data = data
        entity.version += 1
        if self.kind.value in MATCHED_KINDS:
            index_entity(
                self.session, entity.id, entity.kind, data, config=self.ctx.matching,
                variants=self._variants(entity.id),
            )  # fmt: skip
        self.counts["fields_changed"] += len(result.changes)
        return True

    def _other_bases(self, entity: Entity, link: Link | None) -> list[OtherBase]:
        """The bases of the entity's other active links: (connection, fields by path in hub
        terms, remote time)."""
        self._save_bases()  # the query below flushes them
        rows = self.session.execute(
            sa.select(Link.connection, BaseSnapshot.values, BaseSnapshot.remote_modified_at)
            .join(BaseSnapshot, BaseSnapshot.link_id == Link.id)
            .where(
                Link.entity_id == entity.id,
                Link.status == LinkStatus.ACTIVE.value,
                Link.id != (link.id if link is not None else -1),
            )
            .order_by(Link.id)
        ).all()
        return [(c, hub_fields(values, c, self.refs), at) for c, values, at in rows]

    def _golden_sides(
        self, entity: Entity, others: list[OtherBase], path: str, value: Any
    ) -> list[Candidate[Any]]:
        """Who holds the golden value of `path`: the other links whose base has it, else the
        hub itself (an operator's or a rule's value not yet written anywhere)."""
        sides = []
        for connection, fields, at in others:
            held = fields.get(path)
            if same(held, value) or same(held, self.space.cut(path, value)):
                sides.append(Candidate(value, connection, at))
        return sides or [Candidate(value, "crmhub", entity.updated_at)]

    def _conflicts(self, entity: Entity, link: Link | None, result: RecordMerge) -> None:
        for field in result.conflicts:
            sides = [
                ConflictSide.of(c, self._remote_of(entity, link, c.source))
                for c in field.candidates
            ]
            open_conflict(
                self.session, entity, field.path, base=field.base, sides=sides,
                policy=field.policy or "manual", run_id=self.run_id,
            )  # fmt: skip
            self.counts["conflicts"] += 1

    def _conflict_sides(
        self,
        entity: Entity,
        link: Link | None,
        waiting: set[str],
        incoming: dict[str, Any],
        base: dict[str, Any] | None,
        modified_at: datetime | None,
    ) -> None:
        """Fields with an open conflict changed here again: the conflict records the change."""
        for path in sorted(waiting):
            if not self.space.holds(path):
                continue
            mine = incoming.get(path)
            if base is not None and same(mine, base.get(path)):
                continue
            side = ConflictSide.of(
                Candidate(mine, self.name, modified_at), link.remote_id if link else None
            )
            open_conflict(self.session, entity, path, base=None, sides=[side], policy="manual")

    def _remote_of(self, entity: Entity, link: Link | None, connection: str) -> str | None:
        if link is not None and connection == link.connection:
            return link.remote_id
        return self.session.scalar(
            sa.select(Link.remote_id)
            .where(Link.entity_id == entity.id, Link.connection == connection)
            .order_by(Link.id)
            .limit(1)
        )

    def _variants(self, entity_id: uuid.UUID) -> list[Any]:
        return [source.data for source in stored_sources(self.session, entity_id)]

    def _audit_changes(self, entity: Entity, result: RecordMerge, data: Mapping[str, Any]) -> None:
        """One entry per changed golden field, written in one INSERT (not one a field)."""
        entries = [
            AuditRecord(
                ActorKind.SYNC, "sync", "golden.set", entity.id, entity.kind, field=field.path,
                before=field.golden, after=field.value, source=self.name, reason=field.why(),
                run_id=self.run_id,
            )
            for field in result.fields
            if field.changes_golden
        ]  # fmt: skip
        derived = rederived(entity.kind, entity.data, data, result.changes)
        entries += [
            AuditRecord(
                ActorKind.SYNC, "sync", "golden.set", entity.id, entity.kind, field=path,
                before=before, after=after, source=self.name,
                reason=f"derived from {', '.join(parts)}", run_id=self.run_id,
            )
            for path, (before, after, parts) in derived.items()
        ]  # fmt: skip
        record_audits(self.session, entries)

    def _audit_link(self, link: Link, action: str, reason: str) -> None:
        record_audit(
            self.session, actor_kind=ActorKind.SYNC, actor="sync", action=action,
            entity_id=link.entity_id, entity_kind=link.kind, source=link.connection,
            after={"connection": link.connection, "remote_id": link.remote_id},
            reason=reason, run_id=self.run_id,
        )  # fmt: skip


def _same_view(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(same(a.get(p), b.get(p)) for p in set(a) | set(b))
