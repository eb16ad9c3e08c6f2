"""Owners in a sync: each CRM's users into the owner directory, then assignment for what the
cycle touched (customers by the rules, contacts and opportunities after their customer), so the
plan writes current owners."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import Connector
from core.assignment import (
    OwnerDirectory,
    assign_customers,
    inherit_owner,
    prepare_assigner,
    sync_crm_users,
)
from core.assignment.inherit import customer_of
from core.store import Entity, Store
from core.store.base import chunked
from core.sync.context import SyncContext
from core.sync.planner import dirty_entities

__all__ = ["settle_owners", "sync_users"]


def sync_users(
    store: Store,
    ctx: SyncContext,
    connection: str,
    connector: Connector,
    *,
    run_id: int | None = None,
) -> int:
    """Read the connection's users into the owner directory; returns how many were read."""
    users = connector.list_owners()
    settings = ctx.assignment.owners if ctx.assignment is not None else ()
    with store.transaction(run_id=run_id) as session:
        sync_crm_users(session, connection, users, settings=settings)
    return len(users)


def settle_owners(session: Session, ctx: SyncContext) -> Mapping[str, int]:
    """Assign the customers that need planning and let their contacts and opportunities follow
    (nothing without an assignment config: owners stay as each CRM has them)."""
    if ctx.assignment is None:
        return {}
    ids = dirty_entities(session)
    if not ids:
        return {}
    rows = _active_kinds(session, ids)
    customers = [entity_id for entity_id, kind in rows if kind == "customer"]
    decisions = []
    if customers:
        assigner = prepare_assigner(session, ctx.assignment)
        decisions = assign_customers(session, assigner, customers)
    # assignment writes with Core statements: read entities afresh from here on
    session.expire_all()
    directory = OwnerDirectory.load(session)
    followers = [entity_id for entity_id, kind in rows if kind in ("contact", "opportunity")]
    loaded = _load(session, followers)
    # their customers too, held here (the session holds objects weakly): inherit_owner's
    # lookups of them then find them in the session instead of one query each
    customer_ids = {c for e in loaded.values() if (c := customer_of(e.data)) is not None}
    held = {**_load(session, customer_ids), **loaded}
    followed = 0
    for entity_id in followers:
        entity = held.get(entity_id)
        if entity is not None and inherit_owner(session, entity, directory) is not None:
            followed += 1
    session.flush()
    changed = sum(1 for d in decisions if d.owner_changed)
    return {"assigned": len(decisions), "owners_changed": changed, "followed": followed}


def _active_kinds(session: Session, ids: Sequence[uuid.UUID]) -> list[tuple[uuid.UUID, str]]:
    """(id, kind) of the active entities among `ids`, an IN list per chunk (a first sync's
    dirty entities outnumber what one statement may bind: SQLite takes 32,766)."""
    rows: list[tuple[uuid.UUID, str]] = []
    for part in chunked(ids):
        rows += (
            (entity_id, kind)
            for entity_id, kind in session.execute(
                sa.select(Entity.id, Entity.kind).where(
                    Entity.id.in_(part), Entity.status == "active"
                )
            )
        )
    return rows


def _load(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Entity]:
    """Entities by id in one IN query per chunk (not one `session.get` each)."""
    wanted = sorted(ids, key=str)
    found: dict[uuid.UUID, Entity] = {}
    for part in chunked(wanted):
        found.update(
            (e.id, e) for e in session.scalars(sa.select(Entity).where(Entity.id.in_(part)))
        )
    return found
