"""Reading a batch of customers for the engine, and the locks that keep workers fair.

Every assignment transaction starts with `serialise_assignment`: on SQLite it takes the write
lock at once (`BEGIN IMMEDIATE`; SQLite has one writer at a time, and a transaction that read
first could not upgrade safely), on PostgreSQL it locks the policy's turn rows in key order
(`SELECT … FOR UPDATE`). Batches therefore run one at a time across workers, which keeps
rotations and capacity counts exact; customers are claimed with `SKIP LOCKED` so a worker
never waits on a customer another transaction is editing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.assignment.currency import Amount
from core.assignment.decision import CustomerCase
from core.assignment.directory import OwnerDirectory
from core.assignment.disputes import SourceOwner
from core.assignment.state import Loads, TurnState
from core.reviews import ReviewKind, ReviewStatus
from core.store import AssignmentDecision, AssignmentTurn, Entity, Link, ReviewItem, SourceRecord
from core.store.base import utcnow
from mapping.model import EntityKind, Stage

__all__ = [
    "CustomerRow",
    "claim_customers",
    "load_cases",
    "load_loads",
    "load_sides",
    "lock_customers",
    "save_turns",
    "serialise_assignment",
]

CUSTOMER = EntityKind.CUSTOMER.value
CLOSED = {Stage.CLOSED_WON.value, Stage.CLOSED_LOST.value}
CHUNK = 900  # ids per IN list, below every driver's parameter limit


class CustomerRow(NamedTuple):
    id: uuid.UUID
    data: dict[str, Any]
    owner_id: uuid.UUID | None
    version: int


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def serialise_assignment(session: Session, keys: Sequence[str]) -> dict[str, TurnState]:
    """Take the assignment locks (see module doc) and return the rotations they guard."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite" and not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    existing = set(
        session.scalars(sa.select(AssignmentTurn.key).where(AssignmentTurn.key.in_(keys)))
    )
    missing = [k for k in keys if k not in existing]
    if missing:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        rows = [{"key": k, "counts": {}, "turns": 0, "updated_at": utcnow()} for k in missing]
        session.execute(
            insert(AssignmentTurn).values(rows).on_conflict_do_nothing(index_elements=["key"])
        )
    locked = session.execute(
        sa.select(
            AssignmentTurn.key,
            AssignmentTurn.last_owner_id,
            AssignmentTurn.counts,
            AssignmentTurn.turns,
        )
        .where(AssignmentTurn.key.in_(keys))
        .order_by(AssignmentTurn.key)
        .with_for_update()
    )
    return {
        key: TurnState(key, last, dict(counts or {}), turns) for key, last, counts, turns in locked
    }


def save_turns(session: Session, turns: Iterable[TurnState]) -> None:
    changed = [t for t in turns if t.changed]
    for turn in changed:
        session.execute(
            sa.update(AssignmentTurn)
            .where(AssignmentTurn.key == turn.key)
            .values(
                last_owner_id=turn.last_owner_id,
                counts=turn.counts,
                turns=turn.turns,
                updated_at=utcnow(),
            )
        )


def _customers() -> sa.Select[tuple[uuid.UUID, dict[str, Any], uuid.UUID | None, int]]:
    return sa.select(Entity.id, Entity.data, Entity.owner_id, Entity.version).where(
        Entity.kind == CUSTOMER, Entity.status == "active"
    )


def claim_customers(
    session: Session,
    *,
    after: uuid.UUID | None,
    limit: int,
    unowned: Sequence[uuid.UUID] | None = None,
    skip: Set[uuid.UUID] = frozenset(),
) -> tuple[uuid.UUID | None, list[CustomerRow]]:
    """The next `limit` active customers after `after` (by id), skipping rows locked elsewhere.

    With `unowned` (ids of inactive owners), only customers without an active owner: the ones
    every run must place. Workers claiming these leapfrog each other instead of trailing.
    Otherwise the owned ones, less those in `skip` (decided earlier in this run). Returns the
    last id claimed (the next `after`; None when there are no more) and the rows to decide.
    """
    query = sa.select(Entity.id).where(Entity.kind == CUSTOMER, Entity.status == "active")
    if unowned is not None:
        query = query.where(Entity.owner_id.is_(None) | Entity.owner_id.in_(unowned))
    else:
        query = query.where(Entity.owner_id.is_not(None))
    if after is not None:
        query = query.where(Entity.id > after)
    query = query.order_by(Entity.id).limit(limit).with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return None, []
    wanted = [i for i in ids if i not in skip]
    rows: list[CustomerRow] = []
    for chunk in _chunks(wanted):
        found = session.execute(_customers().where(Entity.id.in_(chunk)).order_by(Entity.id))
        rows.extend(CustomerRow(*row) for row in found)
    return ids[-1], rows


def lock_customers(session: Session, ids: Sequence[uuid.UUID]) -> list[CustomerRow]:
    rows: list[CustomerRow] = []
    for chunk in _chunks(sorted(set(ids))):
        query = _customers().where(Entity.id.in_(chunk)).order_by(Entity.id).with_for_update()
        rows.extend(CustomerRow(*row) for row in session.execute(query))
    return rows


def load_loads(session: Session) -> Loads:
    """Active customers per owner and tier, counted now (under the assignment lock)."""
    tier = Entity.data["tier"].as_string()
    query = (
        sa.select(Entity.owner_id, tier, sa.func.count())
        .where(Entity.kind == CUSTOMER, Entity.status == "active", Entity.owner_id.is_not(None))
        .group_by(Entity.owner_id, tier)
    )
    loads = Loads()
    for owner, tier_value, n in session.execute(query):
        loads.add(owner, tier_value, n)
    return loads


def _since(mapped_created: Any, linked_at: datetime | None) -> datetime | None:
    if isinstance(mapped_created, str):
        try:
            return datetime.fromisoformat(mapped_created)
        except ValueError:
            pass
    return linked_at


def load_sides(
    session: Session, ids: Sequence[uuid.UUID], directory: OwnerDirectory, unowned: frozenset[str]
) -> dict[uuid.UUID, list[SourceOwner]]:
    """What each linked CRM record says about each customer's owner, resolved to owners."""
    joined = sa.and_(
        SourceRecord.connection == Link.connection,
        SourceRecord.kind == Link.kind,
        SourceRecord.remote_id == Link.remote_id,
    )
    sides: dict[uuid.UUID, list[SourceOwner]] = defaultdict(list)
    for chunk in _chunks(ids):
        query = (
            sa.select(
                Link.entity_id,
                Link.connection,
                Link.remote_id,
                Link.created_at,
                SourceRecord.mapped["owner"],
                SourceRecord.mapped["created_at"].as_string(),
            )
            .outerjoin(SourceRecord, joined)
            .where(Link.kind == CUSTOMER, Link.entity_id.in_(chunk))
            .order_by(Link.entity_id, Link.connection, Link.remote_id)
        )
        for entity_id, connection, remote_id, linked_at, ref, created in session.execute(query):
            owner_id = directory.resolve(connection, ref) if isinstance(ref, dict) else None
            owner = directory.get(owner_id)
            if owner is not None and owner.email in unowned:
                owner_id = None
            remote_user = ref.get("remote_id") if isinstance(ref, dict) else None
            sides[entity_id].append(
                SourceOwner(
                    connection, remote_id, owner_id, remote_user, _since(created, linked_at)
                )
            )
    return sides


def load_cases(
    session: Session,
    rows: Sequence[CustomerRow],
    directory: OwnerDirectory,
    *,
    unowned: frozenset[str] = frozenset(),
    pipeline: bool = False,
) -> list[CustomerCase]:
    """Everything the engine needs about `rows`, in a handful of queries per batch."""
    ids = [row.id for row in rows]
    sides = load_sides(session, ids, directory, unowned)
    last = _last_decisions(session, ids)
    reviews = _open_reviews(session, ids)
    amounts = _open_pipeline(session, ids) if pipeline else {}
    cases = []
    for entity_id, data, owner_id, version in rows:
        own = sides.get(entity_id, [])
        rule, last_owner, last_sides = last.get(entity_id, (None, None, None))
        cases.append(
            CustomerCase(
                entity_id=entity_id,
                data=data,
                owner_id=owner_id,
                version=version,
                connections=tuple(sorted({s.connection for s in own})),
                sides=tuple(own),
                pipeline=tuple(amounts.get(entity_id, ())),
                last_sides=last_sides,
                last_rule=rule,
                last_owner_id=last_owner,
                open_review=reviews.get(entity_id),
            )
        )
    return cases


def _last_decisions(
    session: Session, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[Any, Any, Any]]:
    found = {}
    for chunk in _chunks(ids):
        newest = (
            sa.select(sa.func.max(AssignmentDecision.id))
            .where(AssignmentDecision.entity_id.in_(chunk))
            .group_by(AssignmentDecision.entity_id)
        )
        query = sa.select(
            AssignmentDecision.entity_id,
            AssignmentDecision.rule_id,
            AssignmentDecision.owner_id,
            AssignmentDecision.criteria["sides"],
        ).where(AssignmentDecision.id.in_(newest))
        for entity_id, rule, owner, sides in session.execute(query):
            found[entity_id] = (rule, owner, sides if isinstance(sides, dict) else None)
    return found


def _open_reviews(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    found: dict[uuid.UUID, int] = {}
    for chunk in _chunks(ids):
        query = sa.select(ReviewItem.entity_id, ReviewItem.id).where(
            ReviewItem.kind == ReviewKind.DISPUTE.value,
            ReviewItem.status == ReviewStatus.OPEN.value,
            ReviewItem.entity_id.in_(chunk),
        )
        for entity_id, item in session.execute(query):
            if entity_id is not None:
                found.setdefault(entity_id, item)
    return found


def _open_pipeline(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Amount]]:
    customer = Entity.data[("customer", "entity_id")].as_string()
    found: dict[uuid.UUID, list[Amount]] = defaultdict(list)
    for chunk in _chunks(ids):
        query = sa.select(customer, Entity.data["amount"], Entity.data["stage"].as_string()).where(
            Entity.kind == EntityKind.OPPORTUNITY.value,
            Entity.status == "active",
            customer.in_([str(i) for i in chunk]),
        )
        for customer_id, money, stage in session.execute(query):
            amount = Amount.from_money(money)
            if amount is not None and stage not in CLOSED:
                found[uuid.UUID(customer_id)].append(amount)
    return found
