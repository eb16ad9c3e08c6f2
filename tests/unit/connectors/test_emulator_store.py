"""The emulators' record store, windows and fault dice, without HTTP."""

from __future__ import annotations

import pytest

from connectors.emulator.clock import EmulatorClock
from connectors.emulator.faults import Fault, FaultDice, FaultPlan
from connectors.emulator.limits import RollingBudget, SlidingWindows
from connectors.emulator.store import Bound, ModuleStore, Row


@pytest.fixture
def store() -> ModuleStore:
    module = ModuleStore("Accounts")
    # modified times 100, 100, 100, 200, 300 …: several rows share one time
    module.load(
        Row(f"id{i:02d}", created=1000 - i, modified=100 * max(1, i - 1), fields={"n": i % 3})
        for i in range(10)
    )
    return module


def test_page_of_a_modified_range_with_id_tie_break(store: ModuleStore) -> None:
    rows, total = store.select("modified", lower=Bound(100, inclusive=True), limit=4)
    assert total == 10
    assert [r.id for r in rows] == ["id00", "id01", "id02", "id03"]
    rows, total = store.select("modified", lower=Bound(100, inclusive=False), offset=1, limit=2)
    assert total == 7
    assert [r.id for r in rows] == ["id04", "id05"]
    rows, total = store.select("modified", descending=True, upper=Bound(200, True), limit=3)
    assert total == 4
    assert [r.id for r in rows] == ["id03", "id02", "id01"]


def test_id_and_created_indexes(store: ModuleStore) -> None:
    rows, _ = store.select("id", descending=True, limit=2)
    assert [r.id for r in rows] == ["id09", "id08"]
    rows, total = store.select("id", lower=Bound("id07", inclusive=False))
    assert (total, [r.id for r in rows]) == (2, ["id08", "id09"])
    rows, _ = store.select("created", limit=1)
    assert rows[0].id == "id09"  # created earliest


def test_filtered_pages_are_cached_until_a_write(store: ModuleStore) -> None:
    calls = []

    def where(row: Row) -> bool:
        calls.append(row.id)
        return row.fields["n"] == 0

    first, total = store.select("id", where=where, where_key="n0", limit=2)
    second, _ = store.select("id", where=where, where_key="n0", offset=2, limit=2)
    assert total == 4
    assert [r.id for r in first + second] == ["id00", "id03", "id06", "id09"]
    assert len(calls) == 10  # one scan for both pages
    row = store.get("id01")
    assert row is not None
    row.fields["n"] = 0
    store.touch(row, 5000)
    _, total = store.select("id", where=where, where_key="n0")
    assert total == 5  # the write is seen: no snapshot isolation


def test_sorted_select_by_several_keys(store: ModuleStore) -> None:
    rows, total = store.select_sorted(
        [(lambda r: r.fields["n"], False), (lambda r: r.created, True)], "n,created"
    )
    assert total == 10
    assert [(r.fields["n"], r.created) for r in rows][:3] == [(0, 1000), (0, 997), (0, 994)]


def test_put_replace_and_remove_keep_indexes(store: ModuleStore) -> None:
    store.put(Row("id05", 1, 50, {}))
    rows, _ = store.select("modified", limit=1)
    assert rows[0].id == "id05"
    store.remove("id05")
    assert "id05" not in store
    assert store.select("modified", limit=20)[1] == 9


def test_rolling_budget_and_sliding_windows() -> None:
    clock = EmulatorClock()
    budget = RollingBudget(clock, budget=5, window_s=60)
    assert budget.try_spend(3)
    assert not budget.try_spend(3)
    assert budget.used() == 3
    clock.advance(60)
    assert budget.try_spend(5)
    windows = SlidingWindows(clock, limit=2, window_s=20)
    assert [windows.try_call("a") for _ in range(3)] == [True, True, False]
    assert windows.try_call("b")
    clock.advance(20)
    assert windows.try_call("a")
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)


def test_fault_dice_follow_the_seed() -> None:
    plan = FaultPlan(seed=4, error_rate=0.3, rate_limit_rate=0.3, timeout_rate=0.1)
    one, two = FaultDice(plan), FaultDice(plan)
    draws = [one.call_fault() for _ in range(50)]
    assert draws == [two.call_fault() for _ in range(50)]
    assert {Fault.SERVER_ERROR, Fault.RATE_LIMITED, Fault.TIMEOUT, None} == set(draws)
    quiet = FaultDice(FaultPlan())
    assert {quiet.call_fault() for _ in range(20)} == {None}
    assert quiet.latency_s() == 0
