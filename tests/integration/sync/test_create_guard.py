"""The create guard: a customer matching left apart (too little evidence to merge) is not created
in a CRM that already holds it under another entity; a match review asks an operator, and the
create waits for the decision. Emulators on loopback, the shipped field maps."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sync_harness import SyncWorld, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from core.matching import ReviewAction, decide_match_review
from core.store import AuditEntry, Link, MatchDecision, OutboxItem, ReviewItem, Store

WORLD = generate_world(WorldSpec(customers=4, contacts=4, opportunities=0, seed=11))
PHONE = "+8675588883333"
# one switchboard, two names that share nothing (not even a trade name): matching scores the
# pair far below review, so each record gets an entity of its own
ZOHO_NAME, FXIAOKE_NAME = "Northwind Traders Inc.", "蓝海贸易有限公司"


def _seed_pair(sw: SyncWorld) -> None:
    zoho, fxiaoke = sw.crms["zoho"].emulator, sw.crms["fxiaoke"].emulator
    with zoho.lock:
        zoho.create_row(
            "Accounts", {"Account_Name": ZOHO_NAME, "Phone": "+86 755 8888 3333"}, zoho.api_user_id
        )
    acting = fxiaoke.credentials()["currentOpenUserId"]
    with fxiaoke.lock:
        fxiaoke.create_row(
            "AccountObj", {"name": FXIAOKE_NAME, "tel": "0755-88883333", "owner": [acting]}, acting
        )


def _holding_phone(sw: SyncWorld, name: str) -> list[str]:
    field = "Phone" if name == "zoho" else "tel"
    rows = sw.crms[name].rows("customer")
    return sorted(
        str(row.get("Account_Name") or row.get("name"))
        for row in rows.values()
        if str(row.get(field) or "").replace(" ", "").replace("-", "").endswith("88883333")
    )


def _guard_review(store: Store) -> ReviewItem:
    with store.transaction() as session:
        items = [
            item
            for item in session.scalars(sa.select(ReviewItem).where(ReviewItem.kind == "match"))
            if "held_create" in item.payload
        ]
        session.expunge_all()
    assert len(items) == 1, [i.summary for i in items]
    return items[0]


def _held_and_reviewed(sw: SyncWorld) -> ReviewItem:
    _seed_pair(sw)
    sw.settle()
    item = _guard_review(sw.store)
    assert item.status == "open"
    # nothing was created for the pair: each CRM holds its own record only
    assert _holding_phone(sw, "zoho") == [ZOHO_NAME]
    assert _holding_phone(sw, "fxiaoke") == [FXIAOKE_NAME]
    payload: dict[str, Any] = item.payload
    evidence = payload["candidates"][0]["evidence"]
    assert {"comparison": "create_guard", "level": "same_phone"}.items() <= evidence[0].items()
    assert PHONE in evidence[0]["detail"]
    with sw.store.transaction() as session:
        # matching had left them apart: two entities, each decided "new"
        decisions = session.scalars(
            sa.select(MatchDecision.decision).where(MatchDecision.kind == "customer")
        ).all()
        assert "new" in decisions
        held = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "create.held")
        ).all()
        assert [a.after["review"] for a in held] == [item.id]  # audited once, not per cycle
        creates = session.scalars(
            sa.select(OutboxItem.entity_id).where(
                OutboxItem.operation == "create",
                OutboxItem.entity_id.in_(
                    [item.entity_id, uuid.UUID(payload["candidates"][0]["entity_id"])]
                ),
            )
        ).all()
        assert creates == []  # held: neither queued nor dead-lettered
    # the rest of the world synced as usual, and further cycles keep it held without
    # planning it again (nothing it waits for changed)
    report, drained = sw.cycle()
    assert drained.pushed == 0
    assert item.entity_id not in report.plan.entities
    return item


def _decide(sw: SyncWorld, item: ReviewItem, action: ReviewAction, reason: str) -> None:
    with sw.store.transaction() as session:
        decide_match_review(
            session, item.id, action, config=sw.ctx.matching, actor="李娜", reason=reason
        )


def test_a_likely_duplicate_is_reviewed_not_created(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        _held_and_reviewed(sw)


def test_after_a_merge_the_records_are_linked_and_nothing_is_created(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        item = _held_and_reviewed(sw)
        _decide(sw, item, ReviewAction.MERGE, "同一家公司")
        sw.settle()
        # one record each (renamed to the golden name perhaps), none created
        assert len(_holding_phone(sw, "zoho")) == 1
        assert len(_holding_phone(sw, "fxiaoke")) == 1
        survivor = uuid.UUID(item.payload["candidates"][0]["entity_id"])
        with store.transaction() as session:
            links = session.execute(
                sa.select(Link.connection, Link.remote_id).where(
                    Link.entity_id == survivor, Link.status == "active"
                )
            ).all()
        assert sorted(c for c, _ in links) == ["fxiaoke", "zoho"]


def test_after_keep_apart_the_create_goes_ahead(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        item = _held_and_reviewed(sw)
        _decide(sw, item, ReviewAction.KEEP_APART, "两家公司")
        sw.settle()
        assert _holding_phone(sw, "zoho") == sorted([ZOHO_NAME, FXIAOKE_NAME])
        assert _holding_phone(sw, "fxiaoke") == sorted([ZOHO_NAME, FXIAOKE_NAME])
        with store.transaction() as session:
            open_items = session.scalars(
                sa.select(ReviewItem.id).where(
                    ReviewItem.kind == "match", ReviewItem.status == "open"
                )
            ).all()
        assert open_items == []  # kept apart: not asked again
        assert sw.cycle()[1].pushed == 0
