"""Token auth as an `httpx.Auth` flow, one per connection.

The flow fetches a token when it has none (or it is about to expire), signs the request, and
when the remote refuses the token it refreshes ONCE and replays the request; a second refusal is
handed back to the client, which raises `AuthError` (no loop). Token requests go through the
same `httpx.Client` (same pool, same transport). The token cache sits behind a lock: threads
sharing a connection refresh once, not once each.

A `TokenScheme` is the CRM-specific part: how to ask for a token, read the answer, sign a
request, and recognise a refused token.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from connectors.http.counters import CallCounters
from connectors.http.errors import ConnectorError
from connectors.http.redact import Scrubber

__all__ = ["Token", "TokenAuth", "TokenScheme"]


@dataclass(frozen=True)
class Token:
    value: str = field(repr=False)
    expires_at: float  # on the auth's clock (monotonic seconds)
    lifetime: float = 3600.0
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. Zoho api_domain, Fxiaoke corpId


class TokenScheme(Protocol):
    # refresh this many seconds before the announced expiry
    early_refresh: float

    def token_request(self) -> httpx.Request: ...

    def parse_token(self, response: httpx.Response, now: float) -> Token:
        """The token from the token endpoint's answer; raises AuthError (scrubbed) if refused."""
        ...

    def sign(self, request: httpx.Request, token: Token) -> httpx.Request:
        """The request to send: the given one with credentials added (or a rebuilt one)."""
        ...

    def refused(self, response: httpx.Response) -> bool:
        """Does this response say the token is invalid or expired?"""
        ...


class TokenAuth(httpx.Auth):
    requires_response_body = True

    def __init__(
        self,
        scheme: TokenScheme,
        *,
        scrubber: Scrubber,
        counters: CallCounters,
        counter_key: str = "token",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scheme = scheme
        self.scrub = scrubber
        self.counters = counters
        self.counter_key = counter_key
        self.clock = clock
        self._lock = threading.Lock()
        self._token: Token | None = None
        self.refreshes = 0

    @property
    def token(self) -> Token | None:
        return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._token
        if token is None or self._expiring(token):
            token = yield from self._refresh(stale=token)
        response = yield self.scheme.sign(request, token)
        if self.scheme.refused(response):
            token = yield from self._refresh(stale=token)
            yield self.scheme.sign(request, token)

    def _expiring(self, token: Token) -> bool:
        # never more than a quarter of the lifetime early: short test lifetimes stay usable
        margin = min(self.scheme.early_refresh, token.lifetime / 4)
        return self.clock() >= token.expires_at - margin

    def _refresh(self, stale: Token | None) -> Generator[httpx.Request, httpx.Response, Token]:
        with self._lock:
            current = self._token
            if current is not None and current is not stale:
                return current  # another thread refreshed while we waited
            self.counters.call(self.counter_key)
            response = yield self.scheme.token_request()
            try:
                token = self.scheme.parse_token(response, self.clock())
            except ConnectorError as exc:
                # token endpoints echo what they were sent: never let it out in clear
                exc.message = self.scrub(exc.message)
                exc.args = tuple(self.scrub(str(arg)) for arg in exc.args)
                raise
            self.scrub.add(token.value)
            self._token = token
            self.refreshes += 1
            return token
