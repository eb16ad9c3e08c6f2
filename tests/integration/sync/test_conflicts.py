"""Conflicts through both emulators: opened when two CRMs change a `manual` field differently,
left alone by the planner, resolved by an operator (a side or a typed value), then written."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sync_harness import POLICIES, SyncWorld, disagreements, edit, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from core.audit import audit_trail
from core.reviews import ReviewKind, list_reviews
from core.store import Entity, Store
from core.sync.conflicts import ConflictError, list_conflicts, resolve_conflict
from core.sync.outbox import commit_plan
from core.sync.planner import plan_entities

WORLD = generate_world(WorldSpec(customers=8, contacts=6, opportunities=4, seed=12))
MANUAL = {
    **POLICIES,
    "fields": {
        "custom.description": {"policy": "manual"},
        "phones": {"policy": "manual"},
        "address.city": {"policy": "newest"},
    },
}


def linked_pair(sw: SyncWorld) -> tuple[Any, str, str]:
    """A customer and its record in each CRM."""
    for entity in sorted(sw.entities("customer"), key=lambda e: str(e.id)):
        zoho, fxiaoke = sw.remote_ids(entity.id, "zoho"), sw.remote_ids(entity.id, "fxiaoke")
        if zoho and fxiaoke:
            return entity.id, zoho[0], fxiaoke[0]
    raise AssertionError("no customer in both CRMs")


def golden(sw: SyncWorld, entity_id: Any) -> dict[str, Any]:
    with sw.store.transaction() as session:
        entity = session.get(Entity, entity_id)
        assert entity is not None
        return dict(entity.data)


def test_a_manual_field_changed_on_both_sides_waits_for_an_operator(store: Store) -> None:
    with sync_world(store, WORLD, policies=MANUAL) as sw:
        sw.settle()
        entity_id, in_zoho, in_fxiaoke = linked_pair(sw)
        before = golden(sw, entity_id)["custom"].get("description")
        edit(sw.crms["zoho"], "customer", in_zoho, "custom.description", "大客户，季度回访")
        edit(sw.crms["fxiaoke"], "customer", in_fxiaoke, "custom.description", "暂停合作")
        sw.cycle()
        with store.transaction() as session:
            [conflict] = list_conflicts(session)
            assert (conflict.entity_id, conflict.field) == (entity_id, "custom.description")
            assert conflict.base == before
            assert {s["connection"]: s["value"] for s in conflict.sides} == {
                "zoho": "大客户，季度回访",
                "fxiaoke": "暂停合作",
            }
            assert all(s["modified_at"] for s in conflict.sides)
            assert conflict.policy == "manual"
            [review] = list_reviews(session, kind=ReviewKind.CONFLICT)
            assert review.payload["conflict_id"] == conflict.id
            conflict_id = conflict.id
            # Zoho was pulled first: its change (then the only one) is the golden value the
            # conflict found, and it stays so until an operator decides
            assert conflict.golden == "大客户，季度回访"
        assert golden(sw, entity_id)["custom"].get("description") == "大客户，季度回访"
        # nothing written over either side while the conflict is open
        assert sw.cycle()[1].pushed == 0
        assert sw.crms["zoho"].rows("customer")[in_zoho]["Description"] == "大客户，季度回访"
        assert sw.crms["fxiaoke"].rows("customer")[in_fxiaoke]["remark"] == "暂停合作"
        assert disagreements(sw) == []  # open conflicts aside, every CRM agrees

        with store.transaction() as session:
            resolve_conflict(session, conflict_id, take="zoho", actor="li.na", why="客户确认")
            plan = plan_entities(session, sw.ctx, [entity_id])
            assert [(w.connection, w.operation.value, w.fields) for w in plan.writes] == [
                ("fxiaoke", "update", ["custom.description"])
            ]
            commit_plan(session, plan)
        assert golden(sw, entity_id)["custom"]["description"] == "大客户，季度回访"
        sw.cycle()
        assert sw.crms["fxiaoke"].rows("customer")[in_fxiaoke]["remark"] == "大客户，季度回访"
        assert disagreements(sw) == []
        with store.transaction() as session:
            assert list_conflicts(session) == []
            assert list_reviews(session, kind=ReviewKind.CONFLICT) == []
            trail = audit_trail(session, entity_id=entity_id)
            chosen = next(e for e in trail if e.action == "conflict.resolved")
            assert (chosen.actor_kind, chosen.actor, chosen.field, chosen.after) == (
                "operator", "li.na", "custom.description", "大客户，季度回访",
            )  # fmt: skip
            assert chosen.source == "zoho"
            assert chosen.before["golden"] == "大客户，季度回访"
            assert "客户确认" in (chosen.reason or "")
            assert any(e.action == "conflict.opened" for e in trail)


def test_a_typed_value_is_checked_by_the_canonical_model(store: Store) -> None:
    with sync_world(store, WORLD, policies=MANUAL) as sw:
        sw.settle()
        entity_id, in_zoho, in_fxiaoke = linked_pair(sw)
        edit(sw.crms["zoho"], "customer", in_zoho, "custom.description", "x")
        sw.crms["zoho"].edit("customer", in_zoho, {"Phone": "+86 755 8888 1111"})
        sw.crms["fxiaoke"].edit("customer", in_fxiaoke, {"tel": "0755-88882222"})
        sw.cycle()
        with store.transaction() as session:
            [conflict] = [c for c in list_conflicts(session) if c.field == "phones"]
            conflict_id = conflict.id
        with store.transaction() as session, pytest.raises(ConflictError, match=r"E\.164"):
            resolve_conflict(session, conflict_id, value=["call the desk"], actor="li.na")
        with (
            store.transaction() as session,
            pytest.raises(ConflictError, match="no side 'hubspot'"),
        ):
            resolve_conflict(session, conflict_id, take="hubspot", actor="li.na")
        with store.transaction() as session:
            resolve_conflict(session, conflict_id, value=["+8675588883333"], actor="li.na")
            commit_plan(session, plan_entities(session, sw.ctx, [entity_id]))
        assert golden(sw, entity_id)["phones"] == ["+8675588883333"]
        sw.cycle()
        assert disagreements(sw) == []
        with store.transaction() as session, pytest.raises(ConflictError, match="already resolved"):
            resolve_conflict(session, conflict_id, take="zoho", actor="li.na")


def test_newest_wins_when_both_sides_changed_a_newest_field(store: Store) -> None:
    with sync_world(store, WORLD, policies=MANUAL) as sw:
        sw.settle()
        entity_id, in_zoho, in_fxiaoke = linked_pair(sw)
        edit(sw.crms["zoho"], "customer", in_zoho, "address.city", "克拉玛依")
        sw.crms["fxiaoke"].emulator.clock.advance(30)  # Fxiaoke's edit is the later one
        edit(sw.crms["fxiaoke"], "customer", in_fxiaoke, "address.city", "石河子")
        sw.cycle()
        assert golden(sw, entity_id)["address"]["city"] == "石河子"
        sw.cycle()
        assert sw.crms["zoho"].rows("customer")[in_zoho]["Billing_City"] == "石河子"
        assert disagreements(sw) == []
        with store.transaction() as session:
            assert list_conflicts(session) == []
            why = [
                e.reason
                for e in audit_trail(session, entity_id=entity_id)
                if e.field == "address.city"
            ]
            assert any("newest: fxiaoke wins" in (reason or "") for reason in why), why
            assert session.scalar(sa.select(sa.func.count()).select_from(Entity)) > 0
