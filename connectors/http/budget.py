"""A per-connection API budget: concurrency slots, credits, per-endpoint frequency, daily quota.

Being proactive about limits (so the remote never has to say 429) lives here; reacting to a
429 that still happens is the retry loop's job. Writes outrank incremental pulls, which outrank
backfills: in the queue for a slot, and in how much of each budget they may spend (a backfill
stops while head-room is left for the other two).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from connectors.http.errors import BudgetExhaustedError

__all__ = ["Budget", "BudgetSettings", "Priority"]


class Priority(IntEnum):
    """Lower value goes first."""

    WRITE = 0
    INCREMENTAL = 1
    BACKFILL = 2


class BudgetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int = Field(default=5, ge=1)
    # rolling credit budget (Zoho: credits per 24 h); None = not tracked
    credits: int | None = Field(default=None, ge=1)
    credit_window: float = Field(default=86_400.0, gt=0)
    # per-endpoint frequency (Fxiaoke: 100 calls / 20 s per interface); None = not tracked
    calls_per_endpoint: int | None = Field(default=None, ge=1)
    endpoint_window: float = Field(default=20.0, gt=0)
    # calls per calendar day in `quota_timezone` (Fxiaoke's purchased quota); None = unlimited
    daily_quota: int | None = Field(default=None, ge=1)
    quota_timezone: str = "Asia/Shanghai"
    # share of each budget a priority may use
    shares: dict[Priority, float] = Field(
        default_factory=lambda: {
            Priority.WRITE: 1.0,
            Priority.INCREMENTAL: 0.95,
            Priority.BACKFILL: 0.8,
        }
    )
    # wait at most this long for a frequency slot; a longer wait is raised as exhaustion
    max_pace_wait: float = Field(default=25.0, ge=0)


class _PriorityGate:
    """Concurrency slots handed out best priority first."""

    def __init__(self, slots: int) -> None:
        self._cond = threading.Condition()
        self._free = slots
        self._waiting: Counter[Priority] = Counter()

    def acquire(self, priority: Priority) -> None:
        with self._cond:
            self._waiting[priority] += 1
            try:
                while self._free <= 0 or any(self._waiting[p] for p in Priority if p < priority):
                    self._cond.wait()
                self._free -= 1
            finally:
                self._waiting[priority] -= 1
                self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()


class Budget:
    """One connection's budget. Thread-safe; pass it explicitly (never a global)."""

    def __init__(
        self,
        settings: BudgetSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._now = now
        self._sleep = sleep
        self._lock = threading.Lock()
        self._gate = _PriorityGate(settings.concurrency)
        self._spent: deque[tuple[float, int]] = deque()  # (when, credits)
        self._remote_remaining: int | None = None
        self._endpoint_calls: dict[str, deque[float]] = {}
        self._day: str | None = None
        self._day_calls = 0

    @contextmanager
    def slot(self, endpoint: str, priority: Priority, cost: int = 1) -> Iterator[None]:
        """Hold a concurrency slot for one call after charging the budgets for it."""
        self._charge(endpoint, priority, cost)
        self._gate.acquire(priority)
        try:
            yield
        finally:
            self._gate.release()

    def note_remaining(self, credits: int) -> None:
        """What the remote says is left (Zoho X-API-CREDITS-REMAINING): other apps spend too."""
        with self._lock:
            self._remote_remaining = credits

    def credits_spent(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return sum(cost for _, cost in self._spent)

    def _charge(self, endpoint: str, priority: Priority, cost: int) -> None:
        share = self.settings.shares.get(priority, 1.0)
        while True:
            with self._lock:
                now = self._clock()
                self._check_credits(now, share, cost)
                self._check_quota(share)
                wait = self._frequency_wait(endpoint, now, share)
                if wait <= 0:
                    self._record(endpoint, now, cost)
                    return
            if wait > self.settings.max_pace_wait:
                raise BudgetExhaustedError(
                    f"frequency limit of {endpoint} reached", endpoint=endpoint, retry_after=wait
                )
            self._sleep(wait)

    def _expire(self, now: float) -> None:
        horizon = now - self.settings.credit_window
        while self._spent and self._spent[0][0] <= horizon:
            self._spent.popleft()

    def _check_credits(self, now: float, share: float, cost: int) -> None:
        limit = self.settings.credits
        if limit is None:
            return
        self._expire(now)
        spent = sum(c for _, c in self._spent)
        allowed = limit * share
        remote_short = (
            self._remote_remaining is not None
            and self._remote_remaining - cost < limit * (1.0 - share)
        )
        if spent + cost > allowed or remote_short:
            retry_after = (
                self._spent[0][0] + self.settings.credit_window - now
                if self._spent
                else self.settings.credit_window
            )
            raise BudgetExhaustedError(
                f"API credits for this priority are used up ({spent} of {limit} spent)",
                retry_after=max(retry_after, 0.0),
            )

    def _check_quota(self, share: float) -> None:
        quota = self.settings.daily_quota
        if quota is None:
            return
        local = self._now().astimezone(ZoneInfo(self.settings.quota_timezone))
        day = local.date().isoformat()
        if day != self._day:
            self._day, self._day_calls = day, 0
        if self._day_calls + 1 > quota * share:
            midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
            retry_after = (midnight.replace(tzinfo=local.tzinfo) - local).total_seconds()
            raise BudgetExhaustedError(
                f"daily call quota for this priority is used up ({self._day_calls} of {quota})",
                retry_after=retry_after,
            )

    def _frequency_wait(self, endpoint: str, now: float, share: float) -> float:
        limit = self.settings.calls_per_endpoint
        if limit is None:
            return 0.0
        calls = self._endpoint_calls.setdefault(endpoint, deque())
        horizon = now - self.settings.endpoint_window
        while calls and calls[0] <= horizon:
            calls.popleft()
        allowed = max(1, int(limit * share))
        if len(calls) < allowed:
            return 0.0
        return calls[len(calls) - allowed] + self.settings.endpoint_window - now

    def _record(self, endpoint: str, now: float, cost: int) -> None:
        if self.settings.credits is not None:
            self._spent.append((now, cost))
            if self._remote_remaining is not None:
                self._remote_remaining -= cost
        if self.settings.calls_per_endpoint is not None:
            self._endpoint_calls.setdefault(endpoint, deque()).append(now)
        if self.settings.daily_quota is not None:
            self._day_calls += 1
