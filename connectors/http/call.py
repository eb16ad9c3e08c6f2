"""One HTTP call described as data, and the reply the shared client hands back."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import httpx

__all__ = ["Call", "Reply"]


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # relative to the connection's base URL, or absolute (token endpoints)
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # counter and budget key; defaults to "METHOD path"
    endpoint: str | None = None

    @property
    def key(self) -> str:
        return self.endpoint or f"{self.method} {self.path}"

    def with_params(self, **params: Any) -> Call:
        merged = {**self.params, **params}
        return replace(self, params={k: v for k, v in merged.items() if v is not None})

    def without_params(self, *names: str) -> Call:
        return replace(self, params={k: v for k, v in self.params.items() if k not in names})

    def with_json(self, body: Any) -> Call:
        return replace(self, json=body)

    def with_headers(self, **headers: str) -> Call:
        return replace(self, headers={**self.headers, **headers})


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # parsed JSON (Decimal for fractions) or None for an empty body
    headers: httpx.Headers
    endpoint: str
