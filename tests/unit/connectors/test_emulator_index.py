"""The store's equality index by field value, and queries narrowed to its candidates."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from connectors.emulator.store import Bound, IndexName, ModuleStore, Row

CITIES = ["上海", "北京", "Shenzhen", "", None]
TAGS = ["a", "b", "c"]


@pytest.fixture
def store() -> ModuleStore:
    module = ModuleStore("AccountObj")
    module.load(
        [
            Row("r1", 1, 10, {"city": "上海", "owner": ["u1"]}),
            Row("r2", 2, 20, {"city": "北京", "owner": ["u1", "u2"]}),
            Row("r3", 3, 30, {"city": "上海", "owner": []}),
            Row("r4", 4, 40, {"owner": ["u2"]}),  # no city at all
        ]
    )
    return module


def test_equality_on_a_field_and_on_list_items(store: ModuleStore) -> None:
    assert store.ids_with("city", ["上海"]) == {"r1", "r3"}
    assert store.ids_with("city", ["上海", "北京", "广州"]) == {"r1", "r2", "r3"}
    assert store.ids_with("city", [None]) == {"r4"}  # missing counts as None
    assert store.ids_with("owner", ["u2"]) == {"r2", "r4"}
    assert store.ids_with("owner", ["u9"]) == set()


def test_put_touch_remove_and_load_keep_it_current(store: ModuleStore) -> None:
    assert store.ids_with("city", ["上海"]) == {"r1", "r3"}  # built now, kept from here on
    row = store.get("r1")
    assert row is not None
    row.fields["city"] = "北京"  # changed in place, as the emulators do, then touched
    store.touch(row, 50)
    assert store.ids_with("city", ["上海"]) == {"r3"}
    assert store.ids_with("city", ["北京"]) == {"r1", "r2"}
    store.put(Row("r5", 5, 60, {"city": "上海"}))
    store.put(Row("r3", 3, 70, {"city": "深圳"}))  # replaced under the same id
    assert store.ids_with("city", ["上海"]) == {"r5"}
    assert store.ids_with("city", ["深圳"]) == {"r3"}
    store.remove("r5")
    assert store.ids_with("city", ["上海"]) == set()
    store.load([Row("r9", 9, 90, {"city": "上海"})])
    assert store.ids_with("city", ["上海"]) == {"r9"}
    assert store.ids_with("city", ["北京"]) == set()


def test_an_unfileable_value_makes_the_field_inexact_while_it_is_there(store: ModuleStore) -> None:
    row = store.get("r2")
    assert row is not None
    row.fields["city"] = {"name": "北京"}
    store.touch(row, 80)
    assert store.ids_with("city", ["北京"]) is None  # the caller must scan
    assert store.ids_with("owner", ["u1"]) == {"r1", "r2"}  # other fields unaffected
    row.fields["city"] = "北京"
    store.touch(row, 90)
    assert store.ids_with("city", ["北京"]) == {"r2"}
    assert store.ids_with("city", [["not", "hashable"]]) is None


def _random_store(seed: int, size: int) -> ModuleStore:
    rng = random.Random(seed)
    module = ModuleStore("AccountObj")
    rows = []
    for n in range(size):
        created = rng.randrange(1000)  # many ties on the times: the id breaks them
        fields = {"city": rng.choice(CITIES), "tags": rng.sample(TAGS, rng.randrange(3)), "n": n}
        rows.append(
            Row(f"id{rng.randrange(10**6):06d}-{n}", created, created + rng.randrange(50), fields)
        )
    module.load(rows[: size // 2])
    for row in rows[size // 2 :]:
        module.put(row)
    return module


def _bound(rng: random.Random, index: IndexName) -> Bound | None:
    if rng.random() < 0.4:
        return None
    value: int | str = f"id{rng.randrange(10**6):06d}" if index == "id" else rng.randrange(1050)
    return Bound(value, inclusive=rng.random() < 0.5)


def _odd(row: Row) -> bool:
    return bool(row.fields["n"] % 2)


def _scan(cities: list[Any], tags: list[str] | None, where: Any) -> Callable[[Row], bool]:
    """What the candidates stand for, tested row by row, and `where` on top."""

    def test(row: Row) -> bool:
        wanted = row.fields["city"] in cities
        tagged = tags is None or any(t in tags for t in row.fields["tags"])
        return wanted and tagged and (where is None or bool(where(row)))

    return test


def test_candidates_page_like_the_scan_on_a_randomized_store() -> None:
    rng = random.Random(20240611)
    store = _random_store(seed=5, size=400)
    for step in range(300):
        if step % 10 == 0:  # a write in between, fields changed in place
            row = store.rows[rng.choice(list(store.rows))]
            row.fields["city"] = rng.choice(CITIES)
            row.fields["tags"] = rng.sample(TAGS, rng.randrange(3))
            store.touch(row, rng.randrange(1050))
        cities = rng.sample(CITIES[:4], rng.randrange(1, 3))
        tags = rng.sample(TAGS, 1) if rng.random() < 0.5 else None
        among = store.ids_with("city", cities)
        assert among is not None
        if tags is not None:
            tagged = store.ids_with("tags", tags)
            assert tagged is not None
            among &= tagged
        where = _odd if rng.random() < 0.5 else None

        scan = _scan(cities, tags, where)
        index: IndexName = rng.choice(["id", "created", "modified"])
        lower, upper = _bound(rng, index), _bound(rng, index)
        descending = rng.random() < 0.5
        page = {"offset": rng.choice([0, 0, 3, 20, 150]), "limit": rng.choice([1, 7, 50, 500])}
        query: dict[str, Any] = {"descending": descending, "lower": lower, "upper": upper}
        fast = store.select(index, **query, where=where, among=among, **page)
        slow = store.select(index, **query, where=scan, where_key=step, **page)
        assert ([r.id for r in fast[0]], fast[1]) == ([r.id for r in slow[0]], slow[1])
        orders = [
            (lambda r: r.fields["city"] or "", rng.random() < 0.5),
            (lambda r: r.created, descending),
        ]
        fast = store.select_sorted(orders, "o", where=where, among=among, **page)
        slow = store.select_sorted(orders, ("o", step), where=scan, **page)
        assert ([r.id for r in fast[0]], fast[1]) == ([r.id for r in slow[0]], slow[1])


def test_a_large_candidate_set_walks_the_range_in_the_same_order() -> None:
    store = _random_store(seed=9, size=300)
    everyone = set(store.rows)  # more candidates than the range holds: the walk is taken
    lower, upper = Bound(200, inclusive=True), Bound(400, inclusive=False)
    for descending in (False, True):
        walked = store.select(
            "modified", descending=descending, lower=lower, upper=upper, among=everyone, limit=999
        )
        plain = store.select("modified", descending=descending, lower=lower, upper=upper, limit=999)
        assert 0 < walked[1] == plain[1] < len(store)
        assert [r.id for r in walked[0]] == [r.id for r in plain[0]]
