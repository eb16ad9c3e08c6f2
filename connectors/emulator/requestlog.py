"""The request log: every API call with its endpoint, status and vendor code, and counts.

Tests and benchmarks read it (GET /__admin/requests, /__admin/counts) to check how many calls a
sync took and which errors it met. Only the method, path and outcome are kept: never headers,
bodies or tokens.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["LoggedCall", "RequestLog"]


@dataclass(frozen=True, slots=True)
class LoggedCall:
    seq: int
    at_ms: int  # emulator clock
    method: str
    path: str
    endpoint: str  # the emulator's name for the route, e.g. "records.list", "data.query"
    status: int
    code: str | None  # vendor code: Zoho "INVALID_TOKEN"…, Fxiaoke errorCode as text ("0" ok)
    duration_ms: float
    fault: str | None  # the injected fault, if any


class RequestLog:
    def __init__(self, keep: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedCall] = deque(maxlen=keep)
        self._seq = 0
        self._by_endpoint: Counter[str] = Counter()
        self._by_outcome: Counter[tuple[str, int, str | None]] = Counter()

    def add(self, **fields: Any) -> LoggedCall:
        with self._lock:
            self._seq += 1
            entry = LoggedCall(seq=self._seq, **fields)
            self._entries.append(entry)
            self._by_endpoint[entry.endpoint] += 1
            self._by_outcome[(entry.endpoint, entry.status, entry.code)] += 1
            return entry

    def entries(self, since: int = 0, limit: int = 1000) -> list[LoggedCall]:
        with self._lock:
            return [e for e in self._entries if e.seq > since][:limit]

    def count(self, endpoint: str | None = None) -> int:
        with self._lock:
            if endpoint is None:
                return sum(self._by_endpoint.values())
            return self._by_endpoint[endpoint]

    def counts(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._by_endpoint.values()),
                "by_endpoint": dict(sorted(self._by_endpoint.items())),
                "by_outcome": [
                    {"endpoint": ep, "status": st, "code": code, "count": n}
                    for (ep, st, code), n in sorted(
                        self._by_outcome.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2]))
                    )
                ],
            }

    def as_json(self, since: int = 0, limit: int = 1000) -> dict[str, Any]:
        return {
            "entries": [asdict(e) for e in self.entries(since, limit)],
            **self.counts(),
        }

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._by_endpoint.clear()
            self._by_outcome.clear()
