"""An emulator served over loopback, with a small client for its admin API.

For tests, benchmarks and the soak: move the emulator's clock, inject faults, read what it holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

__all__ = ["Served"]


class Served:
    """An emulator, its base URL and its admin API."""

    def __init__(self, emulator: Any, url: str) -> None:
        self.emulator = emulator
        self.url = url
        self.admin = httpx.Client(base_url=f"{url}/__admin", timeout=10)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.admin.post(path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.admin.get("/clock").json()["now_ms"] / 1000, UTC)

    def advance(self, seconds: float) -> None:
        self.post("/clock", {"advance_s": seconds})

    def faults(self, **plan: Any) -> None:
        self.post("/faults", plan)

    def ids(self, module: str, where: Callable[[Any], bool] = lambda row: True) -> set[str]:
        with self.emulator.lock:
            return {r.id for r in self.emulator.modules[module].rows.values() if where(r)}

    def close(self) -> None:
        self.admin.close()
