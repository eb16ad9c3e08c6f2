"""The relay keeps at most `max_in_flight` writes published and not done: the rest wait in
the outbox (a first sync's tens of thousands of writes must not flood the broker, where they
would outlive `republish_after` and be published again and again)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from broker_backends import BrokerBackend
from writes_seed import outbox_statuses, plan_accounts

from core.store import OutboxItem, Store
from core.store.base import utcnow
from workers.broker import Broker
from workers.relay import due_items, relay_once

MINUTES = timedelta(minutes=2)


def test_new_writes_wait_while_enough_are_on_their_way(
    store: Store, broker_backend: BrokerBackend
) -> None:
    plan_accounts(store, 10, versions=1)
    with Broker(broker_backend.target) as broker:
        broker.purge()
        first = relay_once(store, broker, republish_after=MINUTES, max_in_flight=4)
        assert (first.published, first.waiting_room) == (4, 6)
        again = relay_once(store, broker, republish_after=MINUTES, max_in_flight=4)
        assert (again.published, again.waiting_room) == (0, 6)
        assert sum(broker.depths().values()) == 4  # nothing published twice
        with store.transaction() as session:  # a writer finishes one
            done = session.scalars(
                sa.select(OutboxItem).where(OutboxItem.status == "published").limit(1)
            ).one()
            done.status = "done"
        refill = relay_once(store, broker, republish_after=MINUTES, max_in_flight=4)
        assert (refill.published, refill.waiting_room) == (1, 5)
    assert outbox_statuses(store) == {"done": 1, "published": 4, "pending": 5}


def test_stale_writes_are_published_again_whatever_the_room(
    store: Store, broker_backend: BrokerBackend
) -> None:
    """A message lost with its writer is sent again even when the room is full."""
    plan_accounts(store, 3, versions=1)
    with Broker(broker_backend.target) as broker:
        broker.purge()
        assert relay_once(store, broker, republish_after=MINUTES, max_in_flight=3).published == 3
        later = relay_once(  # their writer died: 3 minutes on, none is done
            store, broker, republish_after=MINUTES, max_in_flight=3,
            now=utcnow() + timedelta(minutes=3),
        )  # fmt: skip
    assert later.republished == 3


def test_the_most_urgent_go_first_then_the_oldest(store: Store) -> None:
    plan_accounts(store, 6, versions=1)
    with store.transaction() as session:
        ids = session.scalars(sa.select(OutboxItem.id).order_by(OutboxItem.id)).all()
        urgent = {ids[4]: 10, ids[2]: 5}  # the newest urgent one first, then a middling one
        for outbox_id, priority in urgent.items():
            session.get(OutboxItem, outbox_id).priority = priority  # type: ignore[union-attr]
        session.get(OutboxItem, ids[5]).status = "published"  # type: ignore[union-attr]
        session.get(OutboxItem, ids[5]).published_at = utcnow() - MINUTES * 2  # type: ignore[union-attr]
    with store.transaction() as session:
        now = utcnow()
        due = due_items(session, now, now - MINUTES, connection="zoho", limit=5)
        order = [item.id for item in due]
    # a stale published item counts like a pending one of its priority (0, newest: last);
    # the limit cuts the oldest-but-least-urgent tail
    assert order == [ids[4], ids[2], ids[0], ids[1], ids[3]]


def test_each_connection_has_its_own_room(store: Store, broker_backend: BrokerBackend) -> None:
    """A slow CRM's backlog fills its own room, not the others': their writes go on."""
    plan_accounts(store, 10, versions=1, connection="fxiaoke", tag="slow")
    plan_accounts(store, 3, versions=1, connection="zoho", tag="fast")  # planned after
    with Broker(broker_backend.target) as broker:
        broker.purge()
        first = relay_once(store, broker, republish_after=MINUTES, max_in_flight=4)
    assert (first.published, first.waiting_room) == (7, 6)
    with store.transaction() as session:
        published = session.execute(
            sa.select(OutboxItem.connection, sa.func.count())
            .where(OutboxItem.status == "published")
            .group_by(OutboxItem.connection)
        ).all()
    assert dict(published) == {"fxiaoke": 4, "zoho": 3}
