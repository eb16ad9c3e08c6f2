from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from connectors.http import Budget, BudgetExhaustedError, BudgetSettings, Priority


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_credits_leave_head_room_for_writes_then_incremental_then_backfill() -> None:
    clock = FakeClock()
    budget = Budget(BudgetSettings(credits=100), clock=clock, sleep=clock.sleep)
    for _ in range(80):
        with budget.slot("GET /x", Priority.BACKFILL):
            pass
    with pytest.raises(BudgetExhaustedError) as refused, budget.slot("GET /x", Priority.BACKFILL):
        pass
    assert refused.value.retry_after == pytest.approx(86_400.0)
    for _ in range(15):
        with budget.slot("GET /x", Priority.INCREMENTAL):
            pass
    with pytest.raises(BudgetExhaustedError), budget.slot("GET /x", Priority.INCREMENTAL):
        pass
    for _ in range(5):
        with budget.slot("POST /x", Priority.WRITE):
            pass
    with pytest.raises(BudgetExhaustedError), budget.slot("POST /x", Priority.WRITE):
        pass
    assert budget.credits_spent() == 100
    clock.now += 86_400.0  # the rolling window frees the oldest credits
    with budget.slot("GET /x", Priority.BACKFILL):
        pass


def test_the_remote_count_of_remaining_credits_is_believed() -> None:
    budget = Budget(BudgetSettings(credits=1000))
    budget.note_remaining(30)  # other apps spent the rest
    with pytest.raises(BudgetExhaustedError), budget.slot("GET /x", Priority.BACKFILL):
        pass
    with budget.slot("POST /x", Priority.WRITE):
        pass


def test_per_endpoint_frequency_is_paced_by_sleeping() -> None:
    clock = FakeClock()
    budget = Budget(
        BudgetSettings(calls_per_endpoint=3, endpoint_window=20.0), clock=clock, sleep=clock.sleep
    )
    for _ in range(3):
        with budget.slot("/query", Priority.WRITE):
            clock.now += 1.0
    with budget.slot("/other", Priority.WRITE):
        pass  # another endpoint has its own window
    assert clock.sleeps == []
    with budget.slot("/query", Priority.WRITE):
        pass
    assert clock.sleeps == [pytest.approx(17.0)]  # until the first call leaves the window


def test_a_frequency_wait_longer_than_allowed_is_raised() -> None:
    clock = FakeClock()
    settings = BudgetSettings(calls_per_endpoint=1, endpoint_window=60.0, max_pace_wait=5.0)
    budget = Budget(settings, clock=clock, sleep=clock.sleep)
    with budget.slot("/q", Priority.WRITE):
        pass
    with pytest.raises(BudgetExhaustedError) as refused, budget.slot("/q", Priority.WRITE):
        pass
    assert refused.value.retry_after == pytest.approx(60.0)


def test_daily_quota_resets_at_midnight_in_its_zone() -> None:
    moments = [datetime(2026, 5, 1, 15, 30, tzinfo=UTC)]  # 23:30 in Shanghai
    budget = Budget(BudgetSettings(daily_quota=2), now=lambda: moments[0])
    for _ in range(2):
        with budget.slot("/q", Priority.WRITE):
            pass
    with pytest.raises(BudgetExhaustedError) as refused, budget.slot("/q", Priority.WRITE):
        pass
    assert refused.value.retry_after == pytest.approx(30 * 60)
    moments[0] = datetime(2026, 5, 1, 16, 0, 1, tzinfo=UTC)  # 00:00:01 the next day
    with budget.slot("/q", Priority.WRITE):
        pass


def test_writes_get_the_next_free_slot_before_pulls_and_backfills() -> None:
    budget = Budget(BudgetSettings(concurrency=1))
    order: list[str] = []
    started = threading.Event()

    def call(name: str, priority: Priority) -> None:
        with budget.slot("/q", priority):
            order.append(name)

    with budget.slot("/q", Priority.BACKFILL):
        threads = [
            threading.Thread(target=call, args=("backfill", Priority.BACKFILL)),
            threading.Thread(target=call, args=("incremental", Priority.INCREMENTAL)),
            threading.Thread(target=call, args=("write", Priority.WRITE)),
        ]
        for thread in threads:
            thread.start()
            time.sleep(0.05)  # queue them in the worst order
        started.set()
    for thread in threads:
        thread.join(timeout=5)
    assert order == ["write", "incremental", "backfill"]
