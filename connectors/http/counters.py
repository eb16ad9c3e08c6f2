"""Calls per endpoint for one connection: what benchmarks and run summaries read."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

__all__ = ["CallCounters", "CounterSnapshot"]


@dataclass(frozen=True)
class CounterSnapshot:
    calls: dict[str, int]  # every HTTP exchange per endpoint, retries and token calls included
    retries: dict[str, int]
    failures: dict[str, int]
    records: dict[str, int]  # records read or written per endpoint

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


class CallCounters:
    """Thread-safe counters keyed by endpoint (e.g. `GET /crm/v8/Accounts`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._retries: Counter[str] = Counter()
        self._failures: Counter[str] = Counter()
        self._records: Counter[str] = Counter()

    def call(self, endpoint: str) -> None:
        with self._lock:
            self._calls[endpoint] += 1

    def retry(self, endpoint: str) -> None:
        with self._lock:
            self._retries[endpoint] += 1

    def failure(self, endpoint: str) -> None:
        with self._lock:
            self._failures[endpoint] += 1

    def records(self, endpoint: str, count: int) -> None:
        with self._lock:
            self._records[endpoint] += count

    def snapshot(self) -> CounterSnapshot:
        with self._lock:
            return CounterSnapshot(
                dict(self._calls), dict(self._retries), dict(self._failures), dict(self._records)
            )

    def reset(self) -> None:
        with self._lock:
            for counter in (self._calls, self._retries, self._failures, self._records):
                counter.clear()
