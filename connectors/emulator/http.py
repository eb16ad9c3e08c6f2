"""What an emulator handler receives (`Call`) and returns (`ApiResponse`), and its routes."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response

__all__ = ["ApiResponse", "BadJsonError", "Call", "Endpoint", "Handler"]


class BadJsonError(ValueError):
    """The request body is not JSON (each emulator answers in its API's own words)."""


@dataclass(frozen=True, slots=True)
class Call:
    """One API request, read in full before the handler runs (handlers are synchronous)."""

    method: str
    path: str
    params: Mapping[str, str]  # path parameters
    query: QueryParams
    headers: Headers
    body: bytes
    base_url: str  # scheme://host:port of this server as the client reached it

    def json(self) -> Any:
        if not self.body.strip():
            raise BadJsonError("the body is empty")
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadJsonError(str(exc)) from None


class ApiResponse(Response):
    """A JSON (or empty) response that remembers the vendor code it carries, for the log."""

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if content is None:
            super().__init__(b"", status_code, dict(headers or {}))
        else:
            body = _encode(content)
            super().__init__(
                body, status_code, dict(headers or {}), "application/json;charset=UTF-8"
            )
        self.code = code


Handler = Callable[[Call], ApiResponse]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A route of the emulated API: a path pattern (Starlette syntax) and a handler per method."""

    name: str  # how the request log names it, e.g. "records.list"
    path: str
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    page_reads: tuple[str, ...] = ()  # methods that read a page (subject to slow pages)
    faults: bool = True  # injected faults apply

    def label(self, method: str) -> str:
        """The name the request log uses: `name`, or `name:METHOD` when several methods."""
        return self.name if len(self.handlers) == 1 else f"{self.name}:{method}"


def _encode(content: Any) -> bytes:
    """UTF-8 JSON; text holding a lone surrogate (which UTF-8 cannot carry) goes out as
    `\\udXXX` escapes, the valid JSON that a misbehaving CRM sends for such text."""
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()
