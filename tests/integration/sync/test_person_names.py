"""A contact's name edited in Zoho settles in both CRMs: a mixed name (pinyin surname, hanzi
given name) once alternated between 'Xie 芳' and '芳 Xie' on every sync, and the golden full
name changed without an audit row."""

from __future__ import annotations

import sqlalchemy as sa
from sync_harness import sync_world

from connectors.emulator.world import WorldSpec, generate_world
from core.audit import audit_trail
from core.store import Entity, Link, Store
from core.sync.invariants import Invariant, check_invariants, golden_baseline
from core.sync.snapshots import mark_dirty

WORLD = generate_world(WorldSpec(customers=6, contacts=8, opportunities=0, seed=3))


def test_a_mixed_name_settles_with_zero_writes_and_every_change_audited(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        sw.settle()
        with store.transaction() as session:
            entity_id, zoho_id = session.execute(
                sa.select(Link.entity_id, Link.remote_id)
                .join(Entity, Entity.id == Link.entity_id)
                .where(Link.kind == "contact", Link.connection == "zoho", Entity.status == "active")
                .order_by(Link.id)
                .limit(1)
            ).one()
        (fxiaoke_id,) = sw.remote_ids(entity_id, "fxiaoke")
        baseline = golden_baseline(store)
        sw.crms["zoho"].edit("contact", zoho_id, {"First_Name": "芳", "Last_Name": "Xie"})
        writes = sw.settle(max_cycles=5)
        assert writes == [1, 0], writes  # Fxiaoke's name, then nothing
        assert [sw.cycle()[1].pushed for _ in range(2)] == [0, 0]
        assert sw.crms["fxiaoke"].rows("contact")[fxiaoke_id]["name"] == "Xie 芳"
        with store.transaction() as session:
            golden = session.get(Entity, entity_id)
            assert golden is not None
            assert (golden.data["first_name"], golden.data["last_name"]) == ("芳", "Xie")
            assert golden.data["full_name"] == "Xie 芳"
            trail = audit_trail(session, entity_id=entity_id)  # newest first
            full = next(e for e in trail if e.action == "golden.set" and e.field == "full_name")
            assert (full.after, full.reason) == ("Xie 芳", "derived from first_name, last_name")
        for crm in sw.crms.values():
            crm.emulator.clock.advance(2)
        report = check_invariants(store, sw.ctx, sw.connectors, baseline=baseline)
        assert [v for v in report.violations if v.invariant is Invariant.UNAUDITED] == []
        assert [v for v in report.violations if v.invariant is Invariant.AGREEMENT] == []


def test_a_full_name_the_crm_holds_as_its_parts_joined_is_not_written_again(store: Store) -> None:
    """An older engine left golden contacts whose full name was their surname alone beside
    both parts ("杜" with 刚 and 杜). Fxiaoke's one name field takes the parts joined ("杜刚"),
    which it holds already: the update was planned, sent and read back every sync, forever
    (1,041 contacts a sync in the 100k run). Nothing is sent now, and the checker counts the
    field as equal in Fxiaoke's terms instead of a disagreement."""
    with sync_world(store, WORLD) as sw:
        sw.settle()
        with store.transaction() as session:
            entity = session.scalars(
                sa.select(Entity)
                .join(Link, Link.entity_id == Entity.id)
                .where(
                    Entity.kind == "contact",
                    Entity.status == "active",
                    Link.connection == "fxiaoke",
                    Link.status == "active",
                )
                .order_by(Entity.id)
                .limit(1)
            ).one()
            first, last = entity.data["first_name"], entity.data["last_name"]
            assert first
            assert last
            entity.data = {**entity.data, "full_name": last}  # the parts no longer match it
            mark_dirty(session, [entity.id])
            entity_id = entity.id
        (fxiaoke_id,) = sw.remote_ids(entity_id, "fxiaoke")
        held = sw.crms["fxiaoke"].rows("contact")[fxiaoke_id]["name"]

        assert sw.settle(max_cycles=4) == [0]
        assert sw.crms["fxiaoke"].rows("contact")[fxiaoke_id]["name"] == held
        for crm in sw.crms.values():
            crm.emulator.clock.advance(2)
        report = check_invariants(store, sw.ctx, sw.connectors)
        assert [v for v in report.violations if v.invariant is Invariant.AGREEMENT] == []
        assert report.excused["fields_equal_in_the_crms_terms"] >= 1
