"""Counting windows for the real APIs' own limits (not random faults).

`RollingBudget` sums costs over a rolling window (Zoho credits over 24 h; calls per 10 minutes
on Zoho's token endpoint); `SlidingWindows` counts calls per key over a window (Fxiaoke's
100 calls / 20 s per endpoint). Both read the emulator clock and are thread-safe.
"""

from __future__ import annotations

import threading
from collections import deque

from connectors.emulator.clock import EmulatorClock

__all__ = ["RollingBudget", "SlidingWindows"]


class RollingBudget:
    """Spend up to `budget` units in any `window_s` seconds."""

    def __init__(self, clock: EmulatorClock, budget: int, window_s: float) -> None:
        self.clock = clock
        self.budget = budget
        self.window_s = window_s
        self._spent: deque[tuple[float, int]] = deque()
        self._total = 0
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - self.window_s:
            self._total -= self._spent.popleft()[1]

    def used(self) -> int:
        with self._lock:
            self._expire(self.clock.now())
            return self._total

    def try_spend(self, cost: int) -> bool:
        """Spend `cost` if it fits in the budget; False (nothing spent) if it does not."""
        with self._lock:
            now = self.clock.now()
            self._expire(now)
            if self._total + cost > self.budget:
                return False
            self._spent.append((now, cost))
            self._total += cost
            return True

    def reset(self) -> None:
        with self._lock:
            self._spent.clear()
            self._total = 0


class SlidingWindows:
    """At most `limit` calls per key in any `window_s` seconds."""

    def __init__(self, clock: EmulatorClock, limit: int, window_s: float) -> None:
        self.clock = clock
        self.limit = limit
        self.window_s = window_s
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def try_call(self, key: str) -> bool:
        with self._lock:
            now = self.clock.now()
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - self.window_s:
                calls.popleft()
            if len(calls) >= self.limit:
                return False
            calls.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
