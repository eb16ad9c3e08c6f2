"""Deletes through both emulators: each policy, operator decisions, and the mass-delete guard."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sync_harness import POLICIES, SyncWorld, disagreements, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from connectors.protocol import PushItem, PushOutcome, WriteOp
from core.reviews import ReviewKind, list_reviews
from core.store import Entity, Link, Store
from core.sync.deletes import DeleteAction, resolve_delete_review
from mapping.model import EntityKind

WORLD = generate_world(WorldSpec(customers=10, contacts=10, opportunities=4, seed=13))


def policies(**deletes: str) -> dict[str, Any]:
    return {**POLICIES, "deletes": deletes}


def delete_in(sw: SyncWorld, connection: str, kind: str, remote_ids: list[str]) -> None:
    """Somebody deletes records in that CRM (through its API, as any user could)."""
    connector = sw.crms[connection].connector
    items = [PushItem(f"user-{r}", WriteOp.DELETE, {}, r) for r in remote_ids]
    results = connector.push(EntityKind(kind), items)
    assert all(r.outcome is PushOutcome.OK for r in results), results


def customers_in_both(sw: SyncWorld, count: int) -> list[tuple[Any, str, str]]:
    found = []
    for entity in sorted(sw.entities("customer"), key=lambda e: str(e.id)):
        zoho, fxiaoke = sw.remote_ids(entity.id, "zoho"), sw.remote_ids(entity.id, "fxiaoke")
        if zoho and fxiaoke:
            found.append((entity.id, zoho[0], fxiaoke[0]))
    assert len(found) >= count
    return found[:count]


def status(store: Store, entity_id: Any) -> str:
    with store.transaction() as session:
        entity = session.get(Entity, entity_id)
        assert entity is not None
        return entity.status


def link_statuses(store: Store, entity_id: Any) -> dict[str, str]:
    with store.transaction() as session:
        return {
            link.connection: link.status
            for link in session.scalars(sa.select(Link).where(Link.entity_id == entity_id))
        }


def test_propagate_deletes_the_record_in_the_other_crm(store: Store) -> None:
    with sync_world(store, WORLD, policies=policies(customer="propagate")) as sw:
        sw.settle()
        [(entity_id, in_zoho, in_fxiaoke)] = customers_in_both(sw, 1)
        delete_in(sw, "zoho", "customer", [in_zoho])
        _, drained = sw.cycle()
        assert drained.writes == {"fxiaoke": {"delete": 1}}
        assert status(store, entity_id) == "deleted"
        assert in_fxiaoke not in sw.crms["fxiaoke"].rows("customer")  # invalidated (作废)
        assert link_statuses(store, entity_id) == {"zoho": "deleted", "fxiaoke": "deleted"}
        # the invalidation is reported back by Fxiaoke: nothing more happens, nothing comes back
        assert [sw.cycle()[1].pushed for _ in range(3)] == [0, 0, 0]
        assert in_zoho not in sw.crms["zoho"].rows("customer")
        assert disagreements(sw) == []


def test_unlink_forgets_the_deleted_record_and_keeps_the_entity(store: Store) -> None:
    with sync_world(store, WORLD, policies=policies(customer="unlink")) as sw:
        sw.settle()
        [(entity_id, in_zoho, _)] = customers_in_both(sw, 1)
        delete_in(sw, "zoho", "customer", [in_zoho])
        assert [sw.cycle()[1].pushed for _ in range(3)] == [0, 0, 0]  # not re-created in Zoho
        assert status(store, entity_id) == "active"
        assert link_statuses(store, entity_id) == {"zoho": "deleted", "fxiaoke": "active"}
        assert disagreements(sw) == []


def test_ask_opens_a_review_and_the_operator_decides(store: Store) -> None:
    with sync_world(store, WORLD, policies=policies(customer="ask")) as sw:
        sw.settle()
        [(kept, kept_zoho, _), (gone, gone_zoho, gone_fx)] = customers_in_both(sw, 2)
        delete_in(sw, "zoho", "customer", [kept_zoho, gone_zoho])
        assert sw.cycle()[1].pushed == 0
        with store.transaction() as session:
            reviews = {r.entity_id: r.id for r in list_reviews(session, kind=ReviewKind.DELETE)}
        assert set(reviews) == {kept, gone}
        assert status(store, kept) == status(store, gone) == "active"
        with store.transaction() as session:
            resolve_delete_review(session, reviews[kept], DeleteAction.RESTORE, actor="li.na")
            resolve_delete_review(
                session, reviews[gone], DeleteAction.PROPAGATE, actor="li.na", reason="倒闭"
            )
        _, drained = sw.cycle()
        assert drained.writes["fxiaoke"] == {"delete": 1}
        # the restored customer is created again; its contacts and deals in Zoho (if any)
        # are pointed at the new record
        assert drained.writes["zoho"]["create"] == 1
        assert set(drained.writes["zoho"]) <= {"create", "update"}
        assert gone_fx not in sw.crms["fxiaoke"].rows("customer")
        [restored] = sw.remote_ids(kept, "zoho")
        assert restored != kept_zoho
        assert restored in sw.crms["zoho"].rows("customer")
        assert sw.settle()[-1] == 0
        assert disagreements(sw) == []
        with store.transaction() as session:
            assert list_reviews(session, kind=ReviewKind.DELETE) == []


def test_the_mass_delete_guard_holds_back_propagation(store: Store) -> None:
    guarded = {
        **policies(customer="propagate"),
        "mass_delete": {"max_count": 2, "max_share": 0.5, "min_count": 2},
    }
    with sync_world(store, WORLD, policies=guarded) as sw:
        sw.settle()
        lot = customers_in_both(sw, 3)
        delete_in(sw, "zoho", "customer", [zoho for _, zoho, _ in lot])
        assert sw.cycle()[1].pushed == 0
        with store.transaction() as session:
            [review] = list_reviews(session, kind=ReviewKind.DELETE)
            assert review.payload["guard"] is True
            assert len(review.payload["records"]) == 3
            review_id = review.id
        assert {status(store, entity_id) for entity_id, _, _ in lot} == {"active"}
        # repeated reports of the same deletions change nothing
        assert sw.cycle()[1].pushed == 0
        with store.transaction() as session:
            assert len(list_reviews(session, kind=ReviewKind.DELETE)) == 1
            resolve_delete_review(session, review_id, DeleteAction.UNLINK, actor="li.na")
        assert [sw.cycle()[1].pushed for _ in range(2)] == [0, 0]
        assert {status(store, entity_id) for entity_id, _, _ in lot} == {"active"}
        assert disagreements(sw) == []
