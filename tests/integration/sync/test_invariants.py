"""The invariant checker on a settled sync between two emulated CRMs: green as synced, and it
catches each violation when one is made on purpose."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sync_harness import SyncWorld, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from core.store import Entity, Link, OutboxItem, Store
from core.sync.cycle import run_cycle
from core.sync.invariants import (
    Invariant,
    InvariantReport,
    check_invariants,
    golden_baseline,
)


@pytest.fixture
def synced(store: Store) -> Iterator[SyncWorld]:
    world = generate_world(WorldSpec(customers=10, contacts=14, opportunities=6, seed=3))
    with sync_world(store, world) as sw:
        sw.settle()
        for crm in sw.crms.values():
            crm.emulator.clock.advance(2)  # the last writes lie in finished seconds
        yield sw


def truth(sw: SyncWorld) -> dict[tuple[str, str], str]:
    return {
        (name, remote_id): truth_id
        for name, crm in sw.crms.items()
        for remote_id, truth_id in crm.emulator.truth_ids.items()
    }


def check(sw: SyncWorld, **options: Any) -> InvariantReport:
    for crm in sw.crms.values():
        crm.emulator.clock.advance(2)  # a pull reads finished seconds only
    return check_invariants(sw.store, sw.ctx, sw.connectors, truth=truth(sw), **options)


def linked(sw: SyncWorld, kind: str, connection: str) -> tuple[uuid.UUID, str]:
    """An active entity of `kind` and its record in `connection`."""
    with sw.store.transaction() as session:
        row = session.execute(
            sa.select(Link.entity_id, Link.remote_id)
            .join(Entity, Entity.id == Link.entity_id)
            .where(Link.kind == kind, Link.connection == connection, Entity.status == "active")
            .order_by(Link.id)
            .limit(1)
        ).one()
    return row[0], row[1]


def test_a_settled_sync_holds_every_invariant(synced: SyncWorld) -> None:
    report = check(synced)
    assert report.counts() == {i.value: 0 for i in Invariant}, report.violations[:5]
    assert report.checked["remote_records"] > 0
    assert report.checked["fields_compared"] > 0


def test_a_remote_edit_not_yet_synced_breaks_agreement(synced: SyncWorld) -> None:
    entity_id, remote_id = linked(synced, "customer", "zoho")
    synced.crms["zoho"].edit("customer", remote_id, {"Description": "changed behind our back"})
    report = check(synced)
    found = [v for v in report.violations if v.invariant is Invariant.AGREEMENT]
    assert [(v.entity_id, v.connection) for v in found] == [(str(entity_id), "zoho")]
    assert "custom.description" in found[0].detail


def test_a_write_left_pending_is_a_lost_write(synced: SyncWorld) -> None:
    entity_id, remote_id = linked(synced, "customer", "fxiaoke")
    with synced.store.transaction() as session:
        session.add(
            OutboxItem(
                connection="fxiaoke", kind="customer", entity_id=entity_id, operation="update",
                remote_id=remote_id, payload={"remark": "x"}, idempotency_key="stuck-1",
            )
        )  # fmt: skip
    report = check_invariants(synced.store, synced.ctx)  # the store half needs no CRM
    assert report.counts()["lost_write"] == 1
    assert "still pending" in report.violations[0].detail


def test_two_records_of_one_entity_in_one_crm_are_a_duplicate(synced: SyncWorld) -> None:
    entity_id, remote_id = linked(synced, "customer", "zoho")
    zoho = synced.crms["zoho"].emulator
    with zoho.lock:
        original = zoho.modules["Accounts"].get(remote_id)
        copy = zoho.create_row("Accounts", {**original.fields, "Credit_Code": None},
                               zoho.api_user_id)  # fmt: skip
        zoho.truth_ids[copy.id] = zoho.truth_ids[remote_id]  # the same real company
    report = check(synced)
    assert report.counts()["duplicate"] == 1
    assert copy.id in report.violations[0].detail
    assert remote_id in report.violations[0].detail
    with synced.store.transaction() as session:  # now the hub links both to the entity
        session.add(Link(entity_id=entity_id, connection="zoho", kind="customer",
                         remote_id=copy.id))  # fmt: skip
    linked_twice = [v for v in check(synced).violations if v.invariant is Invariant.DUPLICATE]
    assert any("has 2 records in zoho" in v.detail for v in linked_twice)


def test_a_golden_change_without_an_audit_row_is_found(synced: SyncWorld) -> None:
    entity_id, _ = linked(synced, "contact", "zoho")
    baseline = golden_baseline(synced.store)
    with synced.store.transaction() as session:
        entity = session.get(Entity, entity_id)
        assert entity is not None
        entity.data = {**entity.data, "title": "Chief Unaudited Officer"}
    report = check_invariants(synced.store, synced.ctx, baseline=baseline)
    found = [v for v in report.violations if v.invariant is Invariant.UNAUDITED]
    assert found
    assert all(v.entity_id == str(entity_id) for v in found)
    assert any("title changed" in v.detail for v in found)


def test_a_change_made_while_the_create_is_in_flight_reaches_the_crm(store: Store) -> None:
    """Found by the soak: the golden record changed while its create was on its way (published,
    not answered); the planner skipped it then, and the create's result must plan it again."""
    world = generate_world(WorldSpec(customers=10, contacts=0, opportunities=0, seed=3))
    with sync_world(store, world) as sw:
        for crm in sw.crms.values():
            crm.emulator.clock.advance(2)
        run_cycle(store, sw.ctx, sw.connectors)
        with store.transaction() as session:
            entity_id = session.scalars(
                sa.select(OutboxItem.entity_id).where(
                    OutboxItem.connection == "zoho", OutboxItem.operation == "create"
                )
            ).first()
            session.execute(sa.update(OutboxItem).values(status="published"))  # in flight
        assert entity_id is not None
        (remote_id,) = sw.remote_ids(entity_id, "fxiaoke")
        sw.crms["fxiaoke"].edit("customer", remote_id, {"remark": "changed in flight"})
        sw.cycle()  # merges the change; the create is still on its way
        with store.transaction() as session:  # the lost message is published again
            session.execute(
                sa.update(OutboxItem)
                .where(OutboxItem.status == "published")
                .values(status="pending")
            )
        sw.settle()
        (zoho_id,) = sw.remote_ids(entity_id, "zoho")
        assert sw.crms["zoho"].rows("customer")[zoho_id]["Description"] == "changed in flight"
        assert check(sw).counts()["agreement"] == 0
