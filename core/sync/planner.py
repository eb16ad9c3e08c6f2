"""The planner: for each entity that needs it and each connection, the minimal writes. Pure
over the store (it reads; `core.sync.outbox` commits what it returns).

Per target connection: the golden record in that CRM's terms (its record ids in references,
its user as the owner) against the link's base snapshot, field by field, over the fields the
CRM both holds and writes. Differences are one update; nothing different, nothing planned. No
link: a create (when the connection's `targets` allow it), never for an entity in a grey-zone
match review (or a contact or opportunity of one), and never into a CRM whose last pull of
that kind did not complete (`core.sync.cursors`): a record crmhub has not read there may be
the one it would create; the create waits for a complete pull. A reference to a record the
target does not have yet waits: customers are planned before contacts and opportunities, and
what waits is planned again once the customer's create result has linked it (the next
planning pass). A deleted entity is deleted where it is still linked. Fields with an open
conflict are not written. Writes already in flight count as done, so they are not planned
twice. A field the CRM requires on create (`required: create` in its map: Fxiaoke's owner)
is filled from the connection's declared default or the create is blocked with the reason.
An entity that waits (a pull not complete, a reference not there yet, a match review, a held
create) counts as planned and keeps what it waits for (`core.sync.waits`): it is planned again
in the first pass after that is over, not in every pass before.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import WriteMode, WriteOp
from core.assignment import OwnerDirectory
from core.store import Entity, Link
from core.sync.context import KINDS, ConnectionSync, SyncContext
from core.sync.counterparts import hold_counterparts
from core.sync.create_guard import CreateGuard
from core.sync.cursors import complete_passes
from core.sync.fields import FieldSpace
from core.sync.hub import REF_KINDS, Refs, hub_fields, same_in_crm_terms, target_record
from core.sync.links import LinkStatus
from core.sync.plan import Blocked, Plan, PlannedWrite
from core.sync.plan_inputs import PlanInputs
from core.sync.snapshots import base_version
from core.sync.values import fingerprint, flatten, get_path, same, set_path, unflatten
from core.sync.waits import Wait, WaitReason, count_waits, woken_entities
from mapping.maps import RecordMappingError
from mapping.model import MODEL_BY_KIND, CanonicalValidationError, EntityKind, validate_record

__all__ = ["dirty_entities", "plan_entities"]

_ORDER = {kind.value: index for index, kind in enumerate(KINDS)}
CHUNK = 500


def dirty_entities(
    session: Session,
    only: Iterable[uuid.UUID] | None = None,
    *,
    woken: Collection[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """Entities whose golden record, links or bases changed since they were last planned, and
    those whose wait is over (`woken`; found here when not given)."""
    if woken is None:
        woken = woken_entities(session, complete_passes(session))
    query = sa.select(Entity.id, Entity.kind).where(
        Entity.status != "merged",
        sa.or_(Entity.planned_version.is_(None), Entity.planned_version != Entity.version),
    )
    rows: list[tuple[uuid.UUID, str]] = []
    if only is None:
        rows = [(r[0], r[1]) for r in session.execute(query)]
    else:
        wanted = sorted(set(only), key=str)
        for start in range(0, len(wanted), CHUNK):
            part = query.where(Entity.id.in_(wanted[start : start + CHUNK]))
            rows.extend((r[0], r[1]) for r in session.execute(part))
    found = {r[0] for r in rows}
    extra = sorted(
        {e for e in woken if e not in found and (only is None or e in set(only))}, key=str
    )
    for start in range(0, len(extra), CHUNK):
        rows.extend(
            (r[0], r[1])
            for r in session.execute(
                sa.select(Entity.id, Entity.kind).where(
                    Entity.id.in_(extra[start : start + CHUNK]), Entity.status != "merged"
                )
            )
        )
    rows.sort(key=lambda r: (_ORDER.get(r[1], 9), str(r[0])))
    return [r[0] for r in rows]


def plan_entities(
    session: Session, ctx: SyncContext, entity_ids: Iterable[uuid.UUID] | None = None
) -> Plan:
    """The writes for the entities that need planning (or only those of `entity_ids`)."""
    plan = Plan()
    readable = complete_passes(session)
    plan.woken = woken_entities(session, readable)
    ids = dirty_entities(session, entity_ids, woken=plan.woken)
    plan.still_waiting = max(0, count_waits(session) - len(plan.woken))
    refs = Refs(session)
    directory = OwnerDirectory.load(session)
    placeholders = _placeholders(ctx, directory)
    guard = CreateGuard(session, ctx.matching)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        loaded = PlanInputs(session, chunk)
        loaded.preload_refs(refs, list(ctx.connections))
        for entity_id in chunk:
            entity = loaded.entities[entity_id]
            planning = _Entity(plan, ctx, loaded, entity, refs, directory, placeholders, readable)
            planning.guard = guard
            planning.run()
    hold_counterparts(session, plan)
    return plan


def _placeholders(ctx: SyncContext, directory: OwnerDirectory) -> dict[str, dict[str, Any]]:
    """Per connection, the user owning what crmhub creates there for a record whose owner has
    no user in that CRM: policies' `default_owner` (e-mail), else the first of assignment's
    `unowned_users` with a user there, else the connection's own (`default_owner` option, or
    the user its API acts as). A CRM that needs an owner on create and has none of these gets
    no create: its field map marks the owner `required: create` and the write is blocked."""
    found: dict[str, dict[str, Any]] = {}
    unowned = sorted(ctx.assignment.unowned_users) if ctx.assignment is not None else []
    for name, conn in ctx.connections.items():
        emails = [conn.target.default_owner] if conn.target.default_owner else []
        for email in [*emails, *unowned]:
            owner = directory.by_email(email)
            ref = directory.remote_ref(owner.id, name) if owner is not None else None
            if ref is not None:
                found[name] = ref.model_dump(mode="json", exclude_none=True)
                break
        if name not in found and conn.create_owner:
            found[name] = {"remote_id": conn.create_owner}
    return found


def _refused(connection: str, kind: str, missing: list[str]) -> str:
    """Why a create is held: what the CRM requires on a new record, and how to give it."""
    how = [
        f"declare `targets.{connection}.default_owner` (policies) or the connection's "
        "`options.default_owner`"
        if path == "owner"
        else f"give the golden record a {path} or declare `targets.{connection}.defaults."
        f"{kind}.{path}` (policies)"
        for path in missing
    ]
    return (
        f"{connection} requires {', '.join(missing)} on a new {kind} and none is known: "
        + "; ".join(how)
    )


class _Entity:
    """Planning one entity against every connection."""

    def __init__(
        self,
        plan: Plan,
        ctx: SyncContext,
        loaded: PlanInputs,
        entity: Entity,
        refs: Refs,
        directory: OwnerDirectory,
        placeholders: Mapping[str, dict[str, Any]],
        readable: set[tuple[str, str]],
    ) -> None:
        self.plan, self.ctx, self.loaded, self.entity = plan, ctx, loaded, entity
        self.refs, self.directory, self.placeholders = refs, directory, placeholders
        # (connection, kind) whose last pull read everything: creates may go there
        self.readable = readable
        self.links = loaded.links.get(entity.id, [])
        self.conflicts = loaded.conflicts.get(entity.id, set())
        self.golden = hub_fields(entity.data, None, refs)
        self.guard: CreateGuard | None = None  # no create guard: creates are not checked
        self.label = str(entity.data.get("name") or entity.data.get("full_name") or entity.id)

    def run(self) -> None:
        entity = self.entity
        self.plan.entities[entity.id] = entity.version
        for link in self.links:
            base = self.loaded.bases.get(link.id)
            if base is not None:
                self.plan.bases[link.id] = base_version(base)
        for conn in self.ctx.connections.values():
            space = conn.space(entity.kind)
            if space is None or conn.mapper is None:
                continue
            mine = [link for link in self.links if link.connection == conn.name]
            live = [link for link in mine if link.status == LinkStatus.ACTIVE]
            kind = EntityKind(entity.kind)
            if entity.status == "deleted":
                if kind in conn.target.delete:
                    for link in live:
                        self._delete(conn, link)
            elif live:
                if kind in conn.target.update:
                    for link in live:
                        self._update(conn, space, link)
            elif not mine and kind in conn.target.create:
                if (conn.name, kind.value) in self.readable:
                    self._create(conn, space)
                else:  # that CRM may hold it unread: the create waits for a complete pull
                    self.plan.wait(entity.id, Wait(conn.name, WaitReason.PASS))

    # -- the three kinds of write -----------------------------------------------------------

    def _delete(self, conn: ConnectionSync, link: Link) -> None:
        if self.loaded.in_flight.get((self.entity.id, conn.name, link.remote_id)):
            return
        self._add(conn, WriteOp.DELETE, WriteMode.UPDATE_ONLY, {}, link.remote_id, {}, None, {})

    def _update(self, conn: ConnectionSync, space: FieldSpace, link: Link) -> None:
        base = self.loaded.bases.get(link.id)
        if base is None:
            return  # linked by a write's answer and not pulled yet: the next pull brings it
        held = flatten(base.values)
        for item in self.loaded.in_flight.get((self.entity.id, conn.name, link.remote_id), []):
            held.update(item.canonical or {})
        current = unflatten(held)
        target, waiting = self._target(conn)
        have = self._view(space, current, conn.name)
        want = self._view(space, target, conn.name)
        diff = [
            p
            for p in sorted(set(have) | set(want))
            if space.writes(p) and p not in self.conflicts and not same(have.get(p), want.get(p))
        ]
        diff = [p for p in diff if p not in waiting]
        if waiting & (set(have) | set(want)):
            self._wait_for_refs(conn, waiting & (set(have) | set(want)))
        owner = self._owner_change(conn.name, space, current)
        if owner:
            diff.append("owner")
        if not diff:
            return
        assert conn.mapper is not None
        if not owner and same_in_crm_terms(conn.mapper, EntityKind(self.entity.kind), target,
                                           current, diff):  # fmt: skip
            return  # what the update would send is what the CRM holds
        changes = {p: [have.get(p), want.get(p)] for p in diff if p != "owner"}
        if owner:
            changes["owner"] = [current.get("owner"), target.get("owner")]
        self._write(conn, space, WriteOp.UPDATE, target, diff, link, base_version(base),
                    changes)  # fmt: skip

    def _create(self, conn: ConnectionSync, space: FieldSpace) -> None:
        entity = self.entity
        customer = entity.data.get("customer")
        customer_id = customer.get("entity_id") if isinstance(customer, Mapping) else None
        reviewed = [
            e
            for e in (entity.id, uuid.UUID(str(customer_id)) if customer_id else None)
            if e is not None and e in self.loaded.under_review
        ]
        if reviewed:  # a grey-zone match: no duplicate before it is decided
            self.plan.wait(entity.id, *(Wait(conn.name, WaitReason.REVIEW, e) for e in reviewed))
            return
        if any(key[0] == entity.id and key[1] == conn.name for key in self.loaded.in_flight):
            return  # a create is on its way
        target, waiting = self._target(conn)
        if waiting:
            self._wait_for_refs(conn, waiting)  # its customer is not in that CRM yet
            return
        held = self.guard.check(entity, conn.name) if self.guard is not None else None
        if held is not None:  # that CRM probably holds it already: an operator decides first
            self.plan.held.append(held)
            self.plan.wait(entity.id, Wait(conn.name, WaitReason.HELD, held.candidate_id))
            return
        if "owner" not in target and conn.name in self.placeholders:
            target["owner"] = dict(self.placeholders[conn.name])
        missing = sorted(p for p in space.required_on_create if get_path(target, p) is None)
        if missing:  # the CRM would refuse it: held with the reason, never sent
            self.plan.blocked.append(
                Blocked(
                    conn.name, entity.kind, entity.id, _refused(conn.name, entity.kind, missing)
                )
            )
            return
        fields = sorted(p for p in space.view(target) if space.writes(p))
        if target.get("owner") and space.writes("owner"):
            fields.append("owner")
        golden = self._view(space, entity.data, None)  # once, not once per field
        changes = {p: [None, golden.get(p)] for p in fields}
        if "owner" in changes:  # people read the owner's name, not its ids
            owner = target["owner"]
            changes["owner"] = [
                None,
                owner.get("name") or owner.get("email") or owner.get("remote_id"),
            ]
        before = self.loaded.created.get((entity.id, conn.name), 0)
        generation = fingerprint(["created before", before]) if before else None
        self._write(conn, space, WriteOp.CREATE, target, None, None, generation, changes,
                    canonical_fields=fields)  # fmt: skip

    # -- helpers ----------------------------------------------------------------------------

    def _wait_for_refs(self, conn: ConnectionSync, paths: Iterable[str]) -> None:
        """Waiting in `conn` for the entities the references at `paths` point to (one that
        does not resolve has no subject: such a wait is over at the next planning pass)."""
        waits = []
        for path in sorted(paths):
            hub = self.refs.ref(self.entity.data.get(path), None, REF_KINDS.get(path, path))
            target = hub.get("entity_id") if isinstance(hub, Mapping) else None
            subject = uuid.UUID(str(target)) if target else None
            waits.append(Wait(conn.name, WaitReason.REFERENCE, subject))
        self.plan.wait(self.entity.id, *waits)

    def _target(self, conn: ConnectionSync) -> tuple[dict[str, Any], set[str]]:
        """The golden record in `conn`'s terms, with that CRM's defaults where it is empty."""
        target, waiting = target_record(
            self.entity.data, self.entity.owner_id, conn.name, self.refs, self.directory
        )
        for path, value in conn.target.defaults.get(EntityKind(self.entity.kind), {}).items():
            if get_path(target, path) is None:
                target = set_path(target, path, value)
        return target, waiting

    def _view(
        self, space: FieldSpace, record: Mapping[str, Any], connection: str | None
    ) -> dict[str, Any]:
        return {
            p: space.cut(p, v)
            for p, v in hub_fields(record, connection, self.refs).items()
            if space.holds(p)
        }

    def _owner_change(self, connection: str, space: FieldSpace, current: Mapping[str, Any]) -> bool:
        owner_id = self.entity.owner_id
        if owner_id is None or not space.writes("owner"):
            return False
        if self.directory.remote_ref(owner_id, connection) is None:
            return False  # the owner has no user in that CRM
        return self.directory.resolve(connection, current.get("owner")) != owner_id

    def _write(
        self,
        conn: ConnectionSync,
        space: FieldSpace,
        op: WriteOp,
        target: dict[str, Any],
        diff: list[str] | None,
        link: Link | None,
        base_fingerprint: str | None,
        changes: dict[str, list[Any]],
        canonical_fields: list[str] | None = None,
    ) -> None:
        assert conn.mapper is not None
        kind = self.entity.kind
        remote_id = link.remote_id if link is not None else None
        try:
            model = validate_record(MODEL_BY_KIND[EntityKind(kind)], target)
            payload = conn.mapper.push(kind, model, fields=diff, remote_id=remote_id)
        except (RecordMappingError, CanonicalValidationError) as exc:
            self.plan.blocked.append(Blocked(conn.name, kind, self.entity.id, str(exc)))
            return
        written = space.view(target)
        paths = diff if diff is not None else canonical_fields or []
        canonical = {p: (target.get("owner") if p == "owner" else written.get(p)) for p in paths}
        for path in paths:  # what the CRM derives from what we write shows in the echo too
            for companion in space.companions.get(path, ()):
                canonical[companion] = written.get(companion)
        mode = WriteMode.UPDATE_ONLY
        if op is WriteOp.CREATE:
            mode = WriteMode(conn.target.create_modes.get(EntityKind(kind), "insert_only"))
        self._add(conn, op, mode, payload, remote_id, canonical, base_fingerprint, changes)

    def _add(
        self,
        conn: ConnectionSync,
        op: WriteOp,
        mode: WriteMode,
        payload: dict[str, Any],
        remote_id: str | None,
        canonical: dict[str, Any],
        base_fingerprint: str | None,
        changes: dict[str, list[Any]],
    ) -> None:
        self.plan.writes.append(
            PlannedWrite(
                connection=conn.name,
                kind=self.entity.kind,
                entity_id=self.entity.id,
                operation=op,
                mode=mode,
                payload=payload,
                remote_id=remote_id,
                canonical=canonical,
                entity_version=self.entity.version,
                base_fingerprint=base_fingerprint,
                label=self.label,
                changes=changes,
            )
        )
