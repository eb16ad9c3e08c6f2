"""The one shared HTTP client: pooled httpx, auth flow, budget, the error table, one retry loop,
counters and structured logs. Connectors describe calls (`Call`); this module makes them.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field
from tenacity import RetryCallState

from connectors.http import jsonio
from connectors.http.budget import Budget, BudgetSettings, Priority
from connectors.http.call import Call, Reply
from connectors.http.counters import CallCounters
from connectors.http.errors import (
    Action,
    ConnectorError,
    ErrorTable,
    RemoteError,
    Rule,
    TransientError,
    error_for,
)
from connectors.http.logs import ConnectionLog
from connectors.http.paginators import Paginator
from connectors.http.redact import Scrubber
from connectors.http.retry import RetryPolicy, retrying

__all__ = ["ClientSettings", "HttpClient", "VendorHook", "records_at"]

# (response, parsed body) -> (vendor code, vendor message); (None, None) when the body says nothing
VendorHook = Callable[[httpx.Response, Any], tuple[str | None, str | None]]

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ClientSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    write_timeout: float = Field(default=30.0, gt=0)
    pool_timeout: float = Field(default=30.0, gt=0)
    max_connections: int = Field(default=10, ge=1)
    max_keepalive: int = Field(default=5, ge=0)
    # HTTP/2 is negotiated over TLS only when the optional `h2` package is installed
    http2: bool = True
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)


def records_at(body: Any, path: str) -> list[dict[str, Any]]:
    """The list at a dotted path (`data`, `data.dataList`); [] when absent or empty.

    `a|b` names alternatives, the first present wins (APIs whose key varies by version)."""
    for choice in path.split("|"):
        node = body
        for part in choice.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, list):
            return list(node)
    return []


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _no_vendor_code(response: httpx.Response, body: Any) -> tuple[str | None, str | None]:
    return None, None


class HttpClient:
    """One per connection. Thread-safe; close it when the connection is done."""

    def __init__(
        self,
        connection: str,
        base_url: str,
        *,
        settings: ClientSettings,
        table: ErrorTable,
        scrubber: Scrubber,
        auth: httpx.Auth | None = None,
        vendor: VendorHook = _no_vendor_code,
        counters: CallCounters | None = None,
        budget: Budget | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        credits_header: str | None = None,
    ) -> None:
        self.connection = connection
        self.credits_header = credits_header
        self.settings = settings
        self.table = table
        self.scrub = scrubber
        self.vendor = vendor
        self.counters = counters or CallCounters()
        self.budget = budget or Budget(settings.budget, sleep=sleep)
        self.log = ConnectionLog(connection, scrubber)
        self._sleep = sleep
        self.http2 = settings.http2 and importlib.util.find_spec("h2") is not None
        self._http = httpx.Client(
            base_url=base_url,
            auth=auth,
            http2=self.http2,
            transport=transport,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.write_timeout,
                pool=settings.pool_timeout,
            ),
            limits=httpx.Limits(
                max_connections=settings.max_connections,
                max_keepalive_connections=settings.max_keepalive,
            ),
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        call: Call,
        *,
        priority: Priority = Priority.INCREMENTAL,
        idempotent: bool = True,
        cost: int = 1,
    ) -> Reply:
        """Make `call`, retrying transient failures; raise a `ConnectorError` otherwise."""
        endpoint = call.key

        def before_sleep(state: RetryCallState) -> None:
            self.counters.retry(endpoint)
            exc = state.outcome.exception() if state.outcome is not None else None
            wait = state.next_action.sleep if state.next_action is not None else 0.0
            self.log.warning(
                "retrying",
                extra={
                    "endpoint": endpoint,
                    "attempt": state.attempt_number,
                    "wait_s": round(wait, 3),
                    "error": str(exc),
                },
            )

        try:
            for attempt in retrying(
                self.settings.retry,
                idempotent=idempotent,
                sleep=self._sleep,
                before_sleep=before_sleep,
            ):
                with attempt:
                    return self._attempt(call, endpoint, priority, cost)
        except ConnectorError:
            self.counters.failure(endpoint)
            raise
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def pages(
        self,
        call: Call,
        paginator: Paginator,
        records_path: str,
        *,
        priority: Priority = Priority.INCREMENTAL,
    ) -> Iterator[tuple[list[dict[str, Any]], Reply]]:
        """Each page's records (and its reply) until the paginator has no more."""
        current = paginator.first(call)
        while True:
            reply = self.request(current, priority=priority)
            records = records_at(reply.body, records_path)
            self.counters.records(reply.endpoint, len(records))
            paginator.update(reply.body, records)
            yield records, reply
            if not paginator.has_more:
                return
            current = paginator.next(current)

    def _attempt(self, call: Call, endpoint: str, priority: Priority, cost: int) -> Reply:
        with self.budget.slot(endpoint, priority, cost):
            self.counters.call(endpoint)
            started = time.perf_counter()
            try:
                response = self._http.request(
                    call.method,
                    call.path,
                    params=call.params or None,
                    content=jsonio.dumps(call.json) if call.json is not None else None,
                    headers=(
                        {"Content-Type": "application/json", **call.headers}
                        if call.json is not None
                        else call.headers
                    ),
                )
            except httpx.HTTPError as exc:
                raise self._transport_error(exc, endpoint) from None
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        remaining = response.headers.get(self.credits_header) if self.credits_header else None
        if remaining is not None and remaining.strip().isdigit():
            self.budget.note_remaining(int(remaining))
        body = self._parse(response, endpoint)
        code, message = self.vendor(response, body)
        rule = self.table.for_response(response.status_code, code)
        self.log.debug(
            "call",
            extra={
                "endpoint": endpoint,
                "status": response.status_code,
                "code": code,
                "action": rule.action.value,
                "elapsed_ms": elapsed_ms,
            },
        )
        if rule.action is Action.IGNORE:
            return Reply(response.status_code, body, response.headers, endpoint)
        raise self._error(rule, response, endpoint, code, message)

    def _parse(self, response: httpx.Response, endpoint: str) -> Any:
        if not response.content or response.status_code in (204, 304):
            return None
        try:
            return jsonio.loads(response.content)
        except ValueError:
            if response.status_code >= 500:
                return None  # an HTML error page from a proxy: the status says enough
            raise RemoteError(
                f"HTTP {response.status_code} with a body that is not JSON",
                connection=self.connection,
                endpoint=endpoint,
                status=response.status_code,
            ) from None

    def _error(
        self,
        rule: Rule,
        response: httpx.Response,
        endpoint: str,
        code: str | None,
        message: str | None,
    ) -> ConnectorError:
        detail = f"HTTP {response.status_code}"
        if code:
            detail += f" {code}"
        detail += f": {message or rule.reason}"
        return error_for(rule)(
            self.scrub(detail),
            connection=self.connection,
            endpoint=endpoint,
            status=response.status_code,
            code=code,
            rule=rule,
            retry_after=_retry_after(response),
        )

    def _transport_error(self, exc: httpx.HTTPError, endpoint: str) -> ConnectorError:
        rule = self.table.for_exception(exc)
        error = error_for(rule)(
            self.scrub(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__),
            connection=self.connection,
            endpoint=endpoint,
            rule=rule,
        )
        if isinstance(error, TransientError) and isinstance(exc, _NOT_SENT):
            error.not_processed = True
        return error
