"""Write results against the store: links, base snapshots, retries, dead letters (both backends)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from connectors.protocol import PushItem, PushOutcome, PushResult, WriteOp
from core.reviews import ReviewKind, list_reviews
from core.store import BaseSnapshot, DeadLetter, Entity, Link, OutboxItem, Store
from core.sync import (
    MAX_ATTEMPTS,
    apply_push_results,
    discard_dead_letter,
    mark_sent,
    push_items,
    retry_dead_letter,
)
from core.sync.drain import drain_outbox
from mapping.model import EntityKind

MODIFIED = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def _entity(store: Store) -> uuid.UUID:
    with store.transaction() as session:
        entity = Entity(kind="customer", data={"name": "华腾科技有限公司"})
        session.add(entity)
        session.flush()
        return entity.id


def _item(
    store: Store, entity_id: uuid.UUID, op: WriteOp = WriteOp.CREATE, remote_id: str | None = None
) -> OutboxItem:
    with store.transaction() as session:
        item = OutboxItem(
            connection="zoho",
            kind="customer",
            entity_id=entity_id,
            operation=op.value,
            mode="upsert" if op is WriteOp.CREATE else "update_only",
            payload={"Account_Name": "华腾科技有限公司", "Phone": "+8675512345678"},
            remote_id=remote_id,
            canonical={"name": "华腾科技有限公司", "phones": ["+8675512345678"]},
            idempotency_key=uuid.uuid4().hex,
        )
        session.add(item)
        session.flush()
        session.expunge(item)
        return item


def test_a_created_record_is_linked_with_what_was_written_as_its_base(store: Store) -> None:
    entity_id = _entity(store)
    item = _item(store, entity_id)
    [pushed] = push_items([item])
    assert (pushed.key, pushed.op, pushed.remote_id) == (item.idempotency_key, WriteOp.CREATE, None)
    ok = PushResult(item.idempotency_key, PushOutcome.OK, "9001", MODIFIED)
    with store.transaction() as session:
        counts = apply_push_results(session, [item], [ok])
    assert (counts.done, counts.linked) == (1, 1)
    with store.transaction() as session:
        link = session.scalars(sa.select(Link)).one()
        assert (link.entity_id, link.remote_id, link.status) == (entity_id, "9001", "active")
        base = session.get(BaseSnapshot, link.id)
        assert base is not None
        assert base.values == {"name": "华腾科技有限公司", "phones": ["+8675512345678"]}
        assert base.write_fingerprint
        assert base.remote_modified_at == MODIFIED
        assert session.get(OutboxItem, item.id).status == "done"  # type: ignore[union-attr]
    # the same answer applied again (a republished message) changes nothing
    with store.transaction() as session:
        again = apply_push_results(session, [item], [ok])
        assert (again.ignored, again.done) == (1, 0)
        assert session.scalar(sa.select(sa.func.count()).select_from(Link)) == 1


def test_a_transient_failure_waits_then_gives_up_as_a_dead_letter(store: Store) -> None:
    item = _item(store, _entity(store))
    retry = PushResult(item.idempotency_key, PushOutcome.RETRY, error_code="429", error_message="x")
    with store.transaction() as session:
        assert apply_push_results(session, [item], [retry]).retried == 1
        row = session.get(OutboxItem, item.id)
        assert row is not None
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.not_before is not None
        assert row.not_before > datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS - 1):
        with store.transaction() as session:
            apply_push_results(session, [item], [retry])
    with store.transaction() as session:
        row = session.get(OutboxItem, item.id)
        assert row is not None
        assert row.status == "dead"
        assert "gave up" in (row.last_error or "")
        assert session.scalars(sa.select(DeadLetter)).one().attempts == MAX_ATTEMPTS


def test_a_refused_write_is_a_dead_letter_an_operator_retries_or_discards(store: Store) -> None:
    entity_id = _entity(store)
    first, second = _item(store, entity_id), _item(store, entity_id)
    refused = [
        PushResult(i.idempotency_key, PushOutcome.FAILED, None, None, "INVALID_DATA", "bad phone")
        for i in (first, second)
    ]
    with store.transaction() as session:
        assert apply_push_results(session, [first, second], refused).dead == 2
        reviews = list_reviews(session, kind=ReviewKind.DEAD_LETTER)
        assert len(reviews) == 2
        assert reviews[0].payload["error_code"] == "INVALID_DATA"
        letters = session.scalars(sa.select(DeadLetter).order_by(DeadLetter.id)).all()
        ids = [letter.id for letter in letters]
    with store.transaction() as session:
        again = retry_dead_letter(session, ids[0], actor="li.na")
        assert (again.status, again.payload["Phone"]) == ("pending", "+8675512345678")
        discard_dead_letter(session, ids[1], actor="li.na", reason="wrong record")
    with store.transaction() as session:
        statuses = [
            d.status for d in session.scalars(sa.select(DeadLetter).order_by(DeadLetter.id))
        ]
        assert statuses == ["retried", "discarded"]
        assert list_reviews(session, kind=ReviewKind.DEAD_LETTER) == []
        with pytest.raises(ValueError, match="already retried"):
            retry_dead_letter(session, ids[0], actor="li.na")


def test_a_create_answered_with_another_entitys_record_opens_a_match_review(store: Store) -> None:
    ours, theirs = _entity(store), _entity(store)
    with store.transaction() as session:
        session.add(Link(entity_id=theirs, connection="zoho", kind="customer", remote_id="77"))
    item = _item(store, ours)
    with store.transaction() as session:
        counts = apply_push_results(
            session, [item], [PushResult(item.idempotency_key, PushOutcome.OK, "77")]
        )
        assert counts.duplicates == 1
        [review] = list_reviews(session, kind=ReviewKind.MATCH)
        assert review.payload["candidates"][0]["entity_id"] == str(theirs)
        assert session.scalar(sa.select(sa.func.count()).select_from(Link)) == 1


def test_already_exists_links_the_record_and_marks_the_entity_for_planning(store: Store) -> None:
    entity_id = _entity(store)
    item = _item(store, entity_id)
    with store.transaction() as session:
        session.execute(sa.update(Entity).values(planned_version=1))
        counts = apply_push_results(
            session, [item], [PushResult(item.idempotency_key, PushOutcome.ALREADY_EXISTS, "55")]
        )
        assert (counts.already_existed, counts.linked) == (1, 1)
        entity = session.get(Entity, entity_id)
        assert entity is not None
        assert entity.planned_version is None


def test_an_update_merges_what_it_wrote_into_the_base(store: Store) -> None:
    entity_id = _entity(store)
    with store.transaction() as session:
        link = Link(entity_id=entity_id, connection="zoho", kind="customer", remote_id="5")
        session.add(link)
        session.flush()
        session.add(BaseSnapshot(link_id=link.id, values={"name": "旧名", "industry": "software"}))
    item = _item(store, entity_id, WriteOp.UPDATE, "5")
    with store.transaction() as session:
        apply_push_results(session, [item], [PushResult(item.idempotency_key, PushOutcome.OK)])
        base = session.scalars(sa.select(BaseSnapshot)).one()
        assert base.values == {
            "name": "华腾科技有限公司",
            "industry": "software",
            "phones": ["+8675512345678"],
        }


def _linked_updates(store: Store, count: int) -> list[OutboxItem]:
    """`count` linked customers (a base each) with an update waiting to be answered."""
    items = []
    for n in range(count):
        entity_id = _entity(store)
        remote_id = f"r{uuid.uuid4().hex}"
        with store.transaction() as session:
            link = Link(entity_id=entity_id, connection="zoho", kind="customer",
                        remote_id=remote_id, status="active")  # fmt: skip
            session.add(link)
            session.flush()
            session.add(BaseSnapshot(link_id=link.id, values={"name": f"old {n}"}))
        items.append(_item(store, entity_id, WriteOp.UPDATE, remote_id))
    return items


def _reads(store: Store, items: list[OutboxItem]) -> int:
    selects: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    results = [PushResult(i.idempotency_key, PushOutcome.OK, i.remote_id, MODIFIED) for i in items]
    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.transaction() as session:
            assert apply_push_results(session, items, results).done == len(items)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)
    return len(selects)


def test_a_batch_of_results_reads_the_store_per_batch_not_per_result(store: Store) -> None:
    few, many = _linked_updates(store, 2), _linked_updates(store, 12)
    assert _reads(store, many) == _reads(store, few)
    with store.transaction() as session:
        bases = session.scalars(sa.select(BaseSnapshot)).all()
        assert len(bases) == 14
        assert all(b.values["name"] == "华腾科技有限公司" and b.write_fingerprint for b in bases)


class _AnswerLost:
    """A connector whose create reaches the CRM but whose answer never comes back (a timeout
    after processing), then answers normally; keeps the items it was pushed."""

    def __init__(self) -> None:
        self.pushed: list[PushItem] = []

    def push(self, kind: EntityKind, items: list[PushItem]) -> list[PushResult]:
        self.pushed += items
        outcome = PushOutcome.RETRY if len(self.pushed) == 1 else PushOutcome.OK
        return [PushResult(i.key, outcome, "9001" if outcome is PushOutcome.OK else None)
                for i in items]  # fmt: skip


def test_a_create_pushed_again_says_when_it_was_first_sent(store: Store) -> None:
    item = _item(store, _entity(store))
    crm = _AnswerLost()
    first = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    drain_outbox(store, {"zoho": crm}, now=lambda: first)  # type: ignore[dict-item]
    with store.transaction() as session:
        row = session.get(OutboxItem, item.id)
        assert row is not None
        assert row.status == "pending"
        assert row.sent_at is not None
        sent = row.sent_at
        row.not_before = None  # due again now
    drain_outbox(store, {"zoho": crm})  # type: ignore[dict-item]
    assert [p.sent_at for p in crm.pushed] == [None, sent]  # the repeat knows it may be one
    with store.transaction() as session:
        row = session.get(OutboxItem, item.id)
        assert row is not None
        assert (row.status, row.sent_at) == ("done", sent)


def test_updates_and_deletes_are_not_marked_as_sent_creates(store: Store) -> None:
    entity_id = _entity(store)
    items = [
        _item(store, entity_id, WriteOp.UPDATE, "9001"),
        _item(store, entity_id, WriteOp.DELETE, "9001"),
    ]
    with store.transaction() as session:
        mark_sent(session, items)
    with store.transaction() as session:
        assert session.scalars(sa.select(OutboxItem.sent_at)).all() == [None, None]
    assert [p.sent_at for p in push_items(items)] == [None, None]
