"""Small pure parts of the workers: schedules, partitions, failpoints, budget decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from core.config.schema import Schedule
from workers.budget import BudgetState, WriteBudgets
from workers.failpoints import Failpoints
from workers.runtime import parse_partitions
from workers.scheduler import next_run

NOW = datetime(2026, 5, 4, 10, 7, 30, tzinfo=UTC)


def test_a_never_synced_connection_is_due_at_once() -> None:
    assert next_run(Schedule(every="15m"), None, NOW) == NOW


def test_an_interval_counts_from_the_last_start() -> None:
    assert next_run(Schedule(every="15m"), NOW, NOW) == NOW + timedelta(minutes=15)
    assert next_run(Schedule(every="2h"), NOW, NOW) == NOW + timedelta(hours=2)


def test_a_cron_line_names_the_next_slot_after_the_last_start() -> None:
    nightly = Schedule(cron="0 2 * * *")
    assert next_run(nightly, NOW, NOW) == datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    quarter = Schedule(cron="*/15 * * * *")
    assert next_run(quarter, NOW, NOW) == datetime(2026, 5, 4, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["0 2 * *", "every night", "61 * * * *"])
def test_a_bad_cron_line_is_refused_with_a_fix(bad: str) -> None:
    with pytest.raises(ValidationError, match="cron"):
        Schedule(cron=bad)


@pytest.mark.parametrize(
    ("text", "partitions"),
    [("all", list(range(16))), ("3", [3]), ("0-3", [0, 1, 2, 3]), ("1,5-6,1", [1, 5, 6])],
)
def test_partitions_are_read_from_ranges(text: str, partitions: list[int]) -> None:
    assert parse_partitions(text) == partitions


@pytest.mark.parametrize("text", ["16", "3-1", "-1", "x"])
def test_partitions_outside_the_sixteen_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"partition|invalid literal"):
        parse_partitions(text)


def test_an_unknown_failpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown failpoint 'after_lunch'"):
        Failpoints("after_lunch")


def test_failpoints_do_nothing_until_their_count() -> None:
    points = Failpoints("after_push:3")
    points.hit("after_push")  # 1st and 2nd pass: still alive
    points.hit("after_push")
    points.hit("before_push")  # not armed


def budget(used: int, limit: int = 1000, reserve: int = 200) -> BudgetState:
    return BudgetState("zoho", limit, used, reserve, NOW)


def test_a_budget_running_low_lets_only_urgent_writes_through() -> None:
    budgets = WriteBudgets(None, {}, urgent_priority=10)  # type: ignore[arg-type]
    assert budgets.admits(budget(100), 0)
    assert not budgets.admits(budget(850), 0)
    assert budgets.admits(budget(850), 10)
    assert not budgets.admits(budget(1000), 10)  # spent: nothing goes
    assert budgets.admits(None, 0)  # no limit configured


def test_a_cron_line_is_read_in_the_connections_time_zone() -> None:
    nightly = Schedule(cron="0 2 * * *")
    # 10:07 UTC is 18:07 in Shanghai: the next 02:00 there is 18:00 UTC the same day
    assert next_run(nightly, NOW, NOW, ZoneInfo("Asia/Shanghai")) == datetime(
        2026, 5, 4, 18, 0, tzinfo=UTC
    )
