"""The Fxiaoke emulator's queries narrowed by the store's equality index answer like a scan."""

from __future__ import annotations

import random
from typing import Any

import pytest

from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.fxiaoke.emulator.objects import OBJECTS
from connectors.fxiaoke.emulator.query import plan_query

ACCOUNTS = OBJECTS["AccountObj"]
ORDERS = [
    [{"fieldName": "create_time", "isAsc": True}],
    [{"fieldName": "last_modified_time", "isAsc": False}],
    [{"fieldName": "_id", "isAsc": True}],
    [{"fieldName": "name", "isAsc": True}, {"fieldName": "_id", "isAsc": True}],
    [{"fieldName": "account_level", "isAsc": False}],
]
EQUALITY_FIELDS = ["name", "owner", "account_level", "industry_level1", "city", "life_status"]


@pytest.fixture
def emulator() -> FxiaokeEmulator:
    spec = WorldSpec(customers=150, contacts=0, opportunities=0, overlap=1.0, crms=("fxiaoke",))
    return FxiaokeEmulator.from_world(generate_world(spec))


def _filter(field: str, op: str, *values: Any) -> dict[str, Any]:
    return {"field_name": field, "operator": op, "field_values": list(values)}


def _ids(emulator: FxiaokeEmulator, info: dict[str, Any], user: str | None = None) -> list[str]:
    user = user or emulator.admin.open_user_id
    store = emulator.modules["AccountObj"]
    plan = plan_query(ACCOUNTS, store, info, emulator.visibility(user), user)
    return [r.id for r in plan.page(0, 100)[0]]


def test_an_equality_search_is_narrowed_and_follows_writes(emulator: FxiaokeEmulator) -> None:
    store, admin = emulator.modules["AccountObj"], emulator.admin.open_user_id
    row = next(iter(store.rows.values()))
    old = row.fields["name"]
    info = {"filters": [_filter("name", "EQ", old)], "orders": ORDERS[0]}
    plan = plan_query(ACCOUNTS, store, info, None, admin)
    assert plan.among is not None
    assert row.id in plan.among
    assert len(plan.among) < len(store)
    emulator.update_row("AccountObj", row, {"name": "改名后的公司"}, admin)
    assert _ids(emulator, {"filters": [_filter("name", "EQ", "改名后的公司")]}) == [row.id]
    assert row.id not in _ids(emulator, info)
    assert _ids(emulator, {"filters": [_filter("name", "EQ", "")]}) == []  # "" is no value
    numeric = {"filters": [_filter("version", "EQ", 1)]}
    assert plan_query(ACCOUNTS, store, numeric, None, admin).among is None  # Decimal compare


def _values(emulator: FxiaokeEmulator, field: str, rng: random.Random) -> list[Any]:
    rows = list(emulator.modules["AccountObj"].rows.values())
    held = [rng.choice(rows).fields.get(field) for _ in range(3)]
    items = [v for h in held for v in (h if isinstance(h, list) else [h]) if v is not None]
    return [*items, rng.choice(["", "无此值", 0])]


def test_narrowed_queries_page_like_the_scan(emulator: FxiaokeEmulator) -> None:
    rng = random.Random(611)
    store, admin = emulator.modules["AccountObj"], emulator.admin.open_user_id
    rows = list(store.rows.values())
    reps = sorted({r.fields["owner"][0] for r in rows if r.fields.get("owner")})
    narrowed = 0
    for step in range(250):
        if step % 5 == 0:  # writes in between, some leaving values no index can hold
            row, other = rng.choice(rows), rng.choice(rows)
            changes: dict[str, Any] = {"name": other.fields["name"], "city": other.fields["city"]}
            if rng.random() < 0.2:
                changes["life_status"] = "invalid"
            if rng.random() < 0.05:
                changes["city"] = {"not": "hashable"}
            emulator.update_row("AccountObj", row, changes, admin)
        filters = []
        for field in rng.sample(EQUALITY_FIELDS, rng.randrange(1, 3)):
            values = _values(emulator, field, rng)
            op = rng.choice(["EQ", "IN"])
            filters.append(
                _filter(field, op, *rng.sample(values, rng.randrange(1, len(values) + 1)))
            )
        if rng.random() < 0.3:
            filters.append(_filter("life_status", "N", "invalid"))
        if rng.random() < 0.3:
            filters.append(_filter("create_time", "GTE", rng.choice(rows).created))
        info = {"filters": filters, "orders": rng.choice(ORDERS)}
        user = admin if rng.random() < 0.6 else rng.choice(reps)
        plan = plan_query(ACCOUNTS, store, info, emulator.visibility(user), user)
        narrowed += plan.among is not None
        offset, limit = rng.choice([0, 0, 2, 10]), rng.choice([1, 5, 100])
        fast = plan.page(offset, limit)
        plan.among = None  # the same plan answered by a scan
        slow = plan.page(offset, limit)
        assert ([r.id for r in fast[0]], fast[1]) == ([r.id for r in slow[0]], slow[1]), info
    assert narrowed > 150  # the index answered most of them (not all: the unhashable city)
