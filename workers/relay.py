"""The outbox relay: pending items to the broker, and published-but-not-done items again.

The outbox is the source of truth. The relay publishes an item, then marks it `published`;
a crash between the two leaves it pending and it is published again (a repeated message finds
its item done and changes nothing). An item published `republish_after` ago and still not done
(its message lost, its writer killed) is published again. An item is only published when no
older item of the same entity and connection is still unfinished, so writes of one entity go
out one at a time, in order, whatever happens to their messages. Budgets hold back what a
connection may not spend now (urgent writes first when it runs low).

Backpressure: at most `max_in_flight` items of each connection are published and not yet done
at any time (per connection: a slow CRM's backlog must not keep a fast one's writes waiting). A
first sync plans tens of thousands of writes; published all at once they would sit in the
broker longer than `republish_after` (Fxiaoke takes one record a call) and be published again
and again, and the embedded broker lists its whole folder on every read. Held back, they wait
in the outbox, which is where waiting belongs.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from core.store import OutboxItem, Store
from core.store.base import utcnow
from workers.broker import PARTITIONS, Broker, WriteMessage
from workers.budget import WriteBudgets
from workers.transactions import write_transaction

__all__ = ["LIVE", "DueItem", "RelayCounts", "due_items", "outbox_connections", "relay_once"]

# statuses of an item still on its way
LIVE = ("pending", "published")


@dataclass
class RelayCounts:
    published: int = 0
    republished: int = 0
    held: dict[str, int] = field(default_factory=dict)  # per connection: held for the budget
    waiting_room: int = 0  # pending items held back: `max_in_flight` are on their way already


@dataclass(frozen=True, slots=True)
class DueItem:
    """What the relay needs of an outbox item to publish it (its payload stays in the table)."""

    id: int
    status: str
    priority: int
    partition: int
    connection: str
    kind: str
    published_at: datetime | None


_DUE_COLUMNS = (
    OutboxItem.id,
    OutboxItem.status,
    OutboxItem.priority,
    OutboxItem.partition,
    OutboxItem.connection,
    OutboxItem.kind,
    OutboxItem.published_at,
)


def due_items(
    session: Session, now: datetime, republish_before: datetime, *, connection: str, limit: int
) -> list[DueItem]:
    """The items of `connection` to publish now, most urgent first (priority, then age): stale
    published ones and due pending ones, each the oldest unfinished item of its entity.

    Pending items are read one priority at a time, oldest first, along the (status,
    connection, priority, id) index, stopping at `limit`: one statement ordering all of them
    by priority and id read every pending row of a first sync's outbox each pass (400,000
    rows: 1.1 s; now ~0.05 s). Only the columns a message needs are read, as plain rows:
    loading `limit` whole items (their payloads decoded) every pass was most of the relay's
    time in a first sync."""
    older = aliased(OutboxItem)
    blocked = (
        sa.select(older.id)
        .where(
            older.connection == OutboxItem.connection,
            older.entity_id == OutboxItem.entity_id,
            older.status.in_(LIVE),
            older.id < OutboxItem.id,
        )
        .exists()
    )
    stale = session.execute(
        sa.select(*_DUE_COLUMNS)
        .where(
            OutboxItem.status == "published",
            OutboxItem.connection == connection,
            OutboxItem.published_at <= republish_before,
            ~blocked,
        )
        .order_by(OutboxItem.priority.desc(), OutboxItem.id)
        .limit(limit)
    ).all()
    due: list[Any] = []  # rows of _DUE_COLUMNS
    for priority in _pending_priorities(session, connection):
        if len(due) >= limit:
            break
        due += session.execute(
            sa.select(*_DUE_COLUMNS)
            .where(
                OutboxItem.status == "pending",
                OutboxItem.connection == connection,
                OutboxItem.priority == priority,
                OutboxItem.not_before.is_(None) | (OutboxItem.not_before <= now),
                ~blocked,
            )
            .order_by(OutboxItem.id)
            .limit(limit - len(due))
        ).all()
    urgent_first = heapq.merge(stale, due, key=lambda row: (-row.priority, row.id))
    return [DueItem(*row) for row in itertools.islice(urgent_first, limit)]


def outbox_connections(session: Session) -> list[str]:
    """The connections the outbox holds items for: one index probe each (there are few)."""
    found: list[str] = []
    while True:
        query = sa.select(sa.func.min(OutboxItem.connection))
        if found:
            query = query.where(OutboxItem.connection > found[-1])
        name = session.scalar(query)
        if name is None:
            return found
        found.append(str(name))


def _pending_priorities(session: Session, connection: str) -> list[int]:
    """The priorities pending items of `connection` have, highest first: one index probe each."""
    found: list[int] = []
    while True:
        query = sa.select(sa.func.max(OutboxItem.priority)).where(
            OutboxItem.status == "pending", OutboxItem.connection == connection
        )
        if found:
            query = query.where(OutboxItem.priority < found[-1])
        highest = session.scalar(query)
        if highest is None:
            return found
        found.append(int(highest))


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


def relay_once(
    store: Store,
    broker: Broker,
    *,
    republish_after: timedelta,
    budgets: WriteBudgets | None = None,
    limit: int = 2000,
    max_in_flight: int = 2000,
    now: datetime | None = None,
) -> RelayCounts:
    """Publish what is due (at most `limit` items of each connection, and new ones only while
    fewer than `max_in_flight` of that connection's items are on their way); returns what was
    done."""
    now = now or utcnow()
    counts = RelayCounts()
    chosen: list[DueItem] = []
    with store.transaction() as session:
        on_the_way: dict[str, int] = dict(
            session.execute(
                sa.select(OutboxItem.connection, sa.func.count())
                .where(
                    OutboxItem.status == "published",
                    OutboxItem.published_at > now - republish_after,
                )
                .group_by(OutboxItem.connection)
            ).all()
        )
        for connection in outbox_connections(session):
            room = max_in_flight - int(on_the_way.get(connection, 0))
            due = due_items(session, now, now - republish_after, connection=connection, limit=limit)
            # the budget is read only for a connection with something due (one query each)
            state = budgets.state(connection, now) if budgets is not None and due else None
            for item in due:
                if item.status == "pending" and room <= 0:
                    counts.waiting_room += 1
                    continue
                if budgets is not None and not budgets.admits(state, item.priority):
                    counts.held[connection] = counts.held.get(connection, 0) + 1
                    continue
                if item.status == "pending":
                    room -= 1
                chosen.append(item)
    if not chosen:
        return counts
    # published first, marked after: a crash between leaves the item pending, published again
    broker.publish(
        WriteMessage(item.id, item.partition % PARTITIONS, item.connection, item.kind)
        for item in chosen
    )
    with write_transaction(store) as session:
        for item in chosen:
            # only if no writer finished it meanwhile (it may have taken the message already)
            marked = _rowcount(
                session.execute(
                    sa.update(OutboxItem)
                    .where(
                        OutboxItem.id == item.id,
                        OutboxItem.status == item.status,
                        OutboxItem.published_at.is_(None)
                        if item.published_at is None
                        else OutboxItem.published_at == item.published_at,
                    )
                    .values(status="published", published_at=now)
                    .execution_options(synchronize_session=False)
                )
            )
            if marked and item.status == "published":
                counts.republished += 1
            elif marked:
                counts.published += 1
    return counts
