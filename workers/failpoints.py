"""Named crash points for crash-safety tests: `CRMHUB_FAILPOINTS=after_push:2` makes the process
SIGKILL itself the second time a writer reaches `after_push`. Unset (always, outside those
tests) every point is a no-op. A real SIGKILL, not an exception: nothing gets to clean up.

Points of a writer's batch: `before_push`, `after_push` (the CRM has the writes, the results
are not committed), `after_commit` (results committed, messages not acknowledged).
"""

from __future__ import annotations

import os
import signal
import threading

__all__ = ["POINTS", "Failpoints"]

POINTS = ("before_push", "after_push", "after_commit")


class Failpoints:
    def __init__(self, spec: str | None = None) -> None:
        self._left: dict[str, int] = {}
        self._lock = threading.Lock()  # lanes of several connections hit points at once
        for part in filter(None, (p.strip() for p in (spec or "").split(","))):
            name, _, count = part.partition(":")
            if name not in POINTS:
                raise ValueError(f"unknown failpoint {name!r} (known: {', '.join(POINTS)})")
            self._left[name] = int(count or 1)

    @classmethod
    def from_env(cls) -> Failpoints:
        return cls(os.environ.get("CRMHUB_FAILPOINTS"))

    def hit(self, name: str) -> None:
        with self._lock:
            left = self._left.get(name)
            if left is None:
                return
            self._left[name] = left - 1
        if left <= 1:
            os.kill(os.getpid(), signal.SIGKILL)
