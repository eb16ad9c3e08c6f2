"""An entity the planner cannot plan yet waits for a reason and is not planned again each cycle;
once the reason is gone, the next planning pass plans it. One test per reason on the emulators
(a pull that failed, a customer not created yet, an open match review; the create guard's
held create in test_create_guard.py), and the wake conditions on the store alone."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sync_harness import duplicates, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from connectors.protocol import WriteOp
from core.reviews import ReviewKind, ReviewStatus, close_review, open_review
from core.store import Entity, Link, PlanWait, ReviewItem, Store
from core.store.base import utcnow
from core.sync.cursors import complete_passes
from core.sync.cycle import plan_and_commit, pull_connection, run_cycle
from core.sync.drain import drain_outbox
from core.sync.waits import Wait, WaitReason, record_waits, woken_entities

WORLD = generate_world(WorldSpec(customers=12, contacts=16, opportunities=6, seed=3))


def _waiting(store: Store, reason: WaitReason, connection: str = "zoho") -> set[uuid.UUID]:
    with store.transaction() as session:
        return set(
            session.scalars(
                sa.select(PlanWait.entity_id).where(
                    PlanWait.reason == reason.value, PlanWait.connection == connection
                )
            )
        )


def _kind_of(store: Store, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    with store.transaction() as session:
        rows = session.execute(sa.select(Entity.id, Entity.kind).where(Entity.id.in_(ids)))
        return {row[0]: row[1] for row in rows}


def _creates(plan_writes: list, connection: str) -> set[uuid.UUID]:  # type: ignore[type-arg]
    return {
        w.entity_id
        for w in plan_writes
        if w.connection == connection and w.operation is WriteOp.CREATE
    }


def test_creates_waiting_for_a_complete_pull_are_planned_when_it_completes(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        zoho = sw.crms["zoho"]
        zoho.emulator.set_faults(rate_limit_rate=1.0)
        run_cycle(store, sw.ctx, sw.connectors)
        waiting = _waiting(store, WaitReason.PASS)
        assert waiting  # Fxiaoke's records wait to be created in Zoho
        again, _ = plan_and_commit(store, sw.ctx)
        assert set(again.entities) & waiting == set()  # still waiting: not read again
        assert again.still_waiting >= len(waiting)
        zoho.emulator.set_faults(rate_limit_rate=0.0)
        for crm in sw.crms.values():
            crm.emulator.clock.advance(2)
        report = run_cycle(store, sw.ctx, sw.connectors)
        assert waiting <= set(report.plan.entities)  # the pull completed: planned again
        assert _waiting(store, WaitReason.PASS) == set()
        customers = {e for e, kind in _kind_of(store, waiting).items() if kind == "customer"}
        created = _creates(report.plan.writes, "zoho")
        assert created
        # each is created there now, or was found there by the pull (linked)
        assert [c for c in customers if c not in created and not sw.remote_ids(c, "zoho")] == []
        assert sw.settle()[-1] == 0
        assert duplicates(sw) == []


def test_a_contact_waiting_for_its_customer_is_planned_once_the_customer_is_linked(
    store: Store,
) -> None:
    with sync_world(store, WORLD) as sw:
        first = run_cycle(store, sw.ctx, sw.connectors)
        waiting = _waiting(store, WaitReason.REFERENCE)
        contacts = {e for e, kind in _kind_of(store, waiting).items() if kind == "contact"}
        assert contacts  # their customers are created in this plan, not linked yet
        assert contacts <= first.plan.waiting
        again, _ = plan_and_commit(store, sw.ctx)
        assert set(again.entities) & waiting == set()  # nothing they wait for changed
        drain_outbox(store, sw.connectors)  # the customers' creates link them
        after, _ = plan_and_commit(store, sw.ctx)
        assert contacts <= set(after.entities)
        assert contacts <= _creates(after.writes, "zoho")
        assert sw.settle()[-1] == 0
        assert duplicates(sw) == []


def test_a_create_waiting_for_a_match_review_is_planned_once_it_is_closed(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        zoho = sw.crms["zoho"]
        zoho.emulator.set_faults(rate_limit_rate=1.0)
        run_cycle(store, sw.ctx, sw.connectors)  # Fxiaoke read; Zoho creates wait for its pull
        zoho.emulator.set_faults(rate_limit_rate=0.0)
        pull_connection(store, sw.ctx, "zoho", zoho.connector)  # read, not planned yet
        customer = next(
            e
            for e, kind in _kind_of(store, _waiting(store, WaitReason.PASS)).items()
            if kind == "customer" and not sw.remote_ids(e, "zoho")
        )
        with store.transaction() as session:
            review_id = open_review(
                session, ReviewKind.MATCH, "grey zone", {}, entity_id=customer
            ).id
        first, _ = plan_and_commit(store, sw.ctx)
        assert customer in first.entities
        assert customer not in _creates(first.writes, "zoho")
        assert customer in _waiting(store, WaitReason.REVIEW)
        again, _ = plan_and_commit(store, sw.ctx)
        assert customer not in again.entities  # the review is open: not read again
        with store.transaction() as session:
            item = session.get(ReviewItem, review_id)
            assert item is not None
            close_review(session, item, status=ReviewStatus.DISMISSED, actor="李娜",
                         resolution={"action": "keep_apart"})  # fmt: skip
        after, _ = plan_and_commit(store, sw.ctx)
        assert customer in _creates(after.writes, "zoho")
        assert customer not in _waiting(store, WaitReason.REVIEW)


# -- the wake conditions, on the store alone ------------------------------------------------


def _entity(store: Store, kind: str = "customer") -> uuid.UUID:
    with store.transaction() as session:
        entity = Entity(kind=kind, data={"name": f"{kind} {uuid.uuid4().hex[:6]}"})
        session.add(entity)
        session.flush()
        return entity.id


def _wait(store: Store, entity_id: uuid.UUID, wait: Wait) -> None:
    with store.transaction() as session:
        record_waits(session, [entity_id], {entity_id: [wait]})


def _woken(store: Store, readable: set[tuple[str, str]] | None = None) -> set[uuid.UUID]:
    with store.transaction() as session:
        return woken_entities(session, readable if readable is not None else set())


def test_a_reference_wait_ends_when_the_subject_is_linked_there_or_changes(store: Store) -> None:
    contact, customer = _entity(store, "contact"), _entity(store)
    _wait(store, contact, Wait("zoho", WaitReason.REFERENCE, customer))
    with store.transaction() as session:
        session.add(Link(entity_id=customer, connection="fxiaoke", kind="customer", remote_id="1"))
        session.add(Link(entity_id=customer, connection="zoho", kind="customer", remote_id="2",
                         status="deleted"))  # fmt: skip
    assert _woken(store) == set()  # linked elsewhere, or a tombstone: still waiting
    with store.transaction() as session:
        session.add(Link(entity_id=customer, connection="zoho", kind="customer", remote_id="3"))
    assert _woken(store) == {contact}
    other = _entity(store)
    _wait(store, contact, Wait("zoho", WaitReason.REFERENCE, other))
    assert _woken(store) == set()
    with store.transaction() as session:
        subject = session.get(Entity, other)
        assert subject is not None
        subject.version += 1  # merged, unmerged, renamed: the reference is resolved again
    assert _woken(store) == {contact}


def test_a_pass_wait_ends_when_the_pull_of_its_kind_completed(store: Store) -> None:
    contact = _entity(store, "contact")
    _wait(store, contact, Wait("zoho", WaitReason.PASS))
    with store.transaction() as session:
        assert complete_passes(session) == set()
    assert _woken(store, {("zoho", "customer"), ("fxiaoke", "contact")}) == set()
    assert _woken(store, {("zoho", "contact")}) == {contact}


def test_a_held_create_waits_for_the_review_naming_both(store: Store) -> None:
    entity, candidate, bystander = _entity(store), _entity(store), _entity(store)
    with store.transaction() as session:
        session.add(Link(entity_id=candidate, connection="zoho", kind="customer", remote_id="9"))
        # the candidate's own review of another pair does not keep this create held
        other = {"entity_id": str(candidate), "candidates": [{"entity_id": str(bystander)}]}
        open_review(session, ReviewKind.MATCH, "other", other, entity_id=candidate)
        pair = {"entity_id": str(entity), "candidates": [{"entity_id": str(candidate)}]}
        held_id = open_review(session, ReviewKind.MATCH, "held", pair, entity_id=entity).id
    _wait(store, entity, Wait("zoho", WaitReason.HELD, candidate))
    assert _woken(store) == set()
    with store.transaction() as session:
        item = session.get(ReviewItem, held_id)
        assert item is not None
        close_review(session, item, status=ReviewStatus.RESOLVED, actor="李娜",
                     resolution={"action": "keep_apart"})  # fmt: skip
    assert _woken(store) == {entity}
    # the candidate's record there retired: the guard's reason is gone too
    _wait(store, entity, Wait("zoho", WaitReason.HELD, bystander))
    assert _woken(store) == {entity}


def test_a_review_wait_ends_when_no_match_review_is_open_on_the_subject(store: Store) -> None:
    contact, customer = _entity(store, "contact"), _entity(store)
    with store.transaction() as session:
        first = open_review(session, ReviewKind.MATCH, "a", {}, entity_id=customer).id
        second = open_review(session, ReviewKind.MATCH, "b", {}, entity_id=customer).id
        open_review(session, ReviewKind.CONFLICT, "c", {}, entity_id=customer)
    _wait(store, contact, Wait("zoho", WaitReason.REVIEW, customer))
    for review_id, expected in ((first, set()), (second, {contact})):
        with store.transaction() as session:
            item = session.get(ReviewItem, review_id)
            assert item is not None
            close_review(session, item, status=ReviewStatus.DISMISSED, actor="李娜",
                         resolution={})  # fmt: skip
        assert _woken(store) == expected  # a conflict review is no match review


def test_every_wait_is_looked_at_again_after_the_recheck_interval(store: Store) -> None:
    contact, customer = _entity(store, "contact"), _entity(store)
    _wait(store, contact, Wait("zoho", WaitReason.REFERENCE, customer))
    with store.transaction() as session:
        assert woken_entities(session, set()) == set()
        later = utcnow() + timedelta(hours=2)
        assert woken_entities(session, set(), now=later) == {contact}
