"""The failure policy: ONE table from what went wrong to what to do, and the exceptions it raises.

A response or exception is classified by the table (vendor code first, then HTTP status, then
exception type) into a `Rule(action, kind)`. The shared client acts on the action; a connector
only overrides entries (`ErrorTable.with_codes`), never the control flow.

Exceptions (every message is scrubbed of secrets before it is built)::

    ConnectorError                  anything a connector raises on purpose
    ├── ConfigError                 kind=config: fix the settings; never retried
    │   └── AuthError               credentials or token refused (also after one refresh)
    ├── TransientError              kind=transient: retried by the loop; raised once retries end
    │   └── RateLimitedError        429 / vendor throttle code; may carry retry_after seconds
    │       └── BudgetExhaustedError  our own per-connection budget said no (no call was made)
    └── RemoteError                 kind=system: the remote refused the request itself; not retried
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

import httpx

__all__ = [
    "DEFAULT_TABLE",
    "Action",
    "AuthError",
    "BudgetExhaustedError",
    "ConfigError",
    "ConnectorError",
    "ErrorTable",
    "FailureKind",
    "RateLimitedError",
    "RemoteError",
    "Rule",
    "TransientError",
    "error_for",
]


class Action(StrEnum):
    RETRY = "retry"  # try the same call again after a back-off
    FAIL = "fail"  # raise; the caller decides (dead letter, stop the run)
    IGNORE = "ignore"  # not an error: hand the response to the caller (204, 304, 207, ...)
    RATE_LIMITED = "rate_limited"  # back off (Retry-After if given), then retry
    # the auth flow refreshes once and replays; still refused: fail
    REFRESH_TOKEN = "refresh_token"  # noqa: S105


class FailureKind(StrEnum):
    CONFIG = "config"  # wrong settings, credentials, scopes, permissions
    TRANSIENT = "transient"  # will likely work later
    SYSTEM = "system"  # the remote or our request is wrong in a way retrying cannot fix


@dataclass(frozen=True, slots=True)
class Rule:
    action: Action
    kind: FailureKind
    reason: str = ""


OK = Rule(Action.IGNORE, FailureKind.SYSTEM, "success")


@dataclass(frozen=True)
class ErrorTable:
    """Status / exception / vendor code -> Rule. Vendor codes win over statuses."""

    statuses: Mapping[int, Rule]
    exceptions: Mapping[type[BaseException], Rule]
    codes: Mapping[str, Rule] = field(default_factory=dict)
    # for statuses not listed: by class (2xx, 3xx, 4xx, 5xx)
    classes: Mapping[int, Rule] = field(default_factory=dict)
    # a vendor code not in `codes` (None: fall back to the status)
    unknown_code: Rule | None = None

    def with_codes(self, codes: Mapping[str, Rule]) -> ErrorTable:
        return replace(self, codes={**self.codes, **codes})

    def with_statuses(self, statuses: Mapping[int, Rule]) -> ErrorTable:
        return replace(self, statuses={**self.statuses, **statuses})

    def for_response(self, status: int, code: str | None = None) -> Rule:
        if code is not None:
            if code in self.codes:
                return self.codes[code]
            if self.unknown_code is not None:
                return self.unknown_code
        if status in self.statuses:
            return self.statuses[status]
        fallback = self.classes.get(status // 100)
        if fallback is not None:
            return fallback
        return Rule(Action.FAIL, FailureKind.SYSTEM, f"unexpected HTTP status {status}")

    def for_exception(self, exc: BaseException) -> Rule:
        for klass in type(exc).__mro__:
            if klass in self.exceptions:
                return self.exceptions[klass]
        return Rule(Action.FAIL, FailureKind.SYSTEM, f"unexpected {type(exc).__name__}")


_retry = Rule(Action.RETRY, FailureKind.TRANSIENT, "transient failure")

DEFAULT_TABLE = ErrorTable(
    statuses={
        200: OK,
        201: OK,
        202: OK,
        204: Rule(Action.IGNORE, FailureKind.SYSTEM, "no content"),
        207: Rule(Action.IGNORE, FailureKind.SYSTEM, "mixed per-record results"),
        304: Rule(Action.IGNORE, FailureKind.SYSTEM, "not modified"),
        400: Rule(Action.FAIL, FailureKind.SYSTEM, "bad request"),
        401: Rule(Action.REFRESH_TOKEN, FailureKind.CONFIG, "unauthorised"),
        403: Rule(Action.FAIL, FailureKind.CONFIG, "forbidden"),
        404: Rule(Action.FAIL, FailureKind.SYSTEM, "not found"),
        408: Rule(Action.RETRY, FailureKind.TRANSIENT, "request timeout"),
        409: Rule(Action.FAIL, FailureKind.SYSTEM, "conflict"),
        412: Rule(Action.FAIL, FailureKind.SYSTEM, "precondition failed"),
        429: Rule(Action.RATE_LIMITED, FailureKind.TRANSIENT, "too many requests"),
        500: Rule(Action.RETRY, FailureKind.TRANSIENT, "server error"),
        502: Rule(Action.RETRY, FailureKind.TRANSIENT, "bad gateway"),
        503: Rule(Action.RETRY, FailureKind.TRANSIENT, "unavailable"),
        504: Rule(Action.RETRY, FailureKind.TRANSIENT, "gateway timeout"),
    },
    exceptions={
        httpx.TimeoutException: Rule(Action.RETRY, FailureKind.TRANSIENT, "timed out"),
        httpx.NetworkError: Rule(Action.RETRY, FailureKind.TRANSIENT, "network error"),
        httpx.RemoteProtocolError: Rule(Action.RETRY, FailureKind.TRANSIENT, "connection dropped"),
        httpx.UnsupportedProtocol: Rule(Action.FAIL, FailureKind.CONFIG, "bad URL scheme"),
        httpx.InvalidURL: Rule(Action.FAIL, FailureKind.CONFIG, "bad URL"),
    },
    classes={
        2: OK,
        3: Rule(Action.FAIL, FailureKind.SYSTEM, "unexpected redirect"),
        4: Rule(Action.FAIL, FailureKind.SYSTEM, "request refused"),
        5: _retry,
    },
)


class ConnectorError(Exception):
    """A failure talking to one connection's CRM. `code` is the remote's own code if any."""

    def __init__(
        self,
        message: str,
        *,
        connection: str = "",
        endpoint: str = "",
        status: int | None = None,
        code: str | None = None,
        rule: Rule | None = None,
        retry_after: float | None = None,
    ) -> None:
        where = " ".join(part for part in (connection, endpoint) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.connection = connection
        self.endpoint = endpoint
        self.status = status
        self.code = code
        self.rule = rule
        self.retry_after = retry_after


class ConfigError(ConnectorError):
    pass


class AuthError(ConfigError):
    pass


class TransientError(ConnectorError):
    # True when the request certainly never reached the remote's business logic (throttled,
    # refused before processing): safe to repeat even for a create.
    not_processed: bool = False


class RateLimitedError(TransientError):
    not_processed = True


class BudgetExhaustedError(RateLimitedError):
    pass


class RemoteError(ConnectorError):
    pass


def error_for(rule: Rule) -> type[ConnectorError]:
    """The exception class a rule raises."""
    if rule.action is Action.RATE_LIMITED:
        return RateLimitedError
    if rule.action is Action.REFRESH_TOKEN:
        return AuthError
    if rule.kind is FailureKind.CONFIG:
        return ConfigError
    if rule.kind is FailureKind.TRANSIENT or rule.action is Action.RETRY:
        return TransientError
    return RemoteError
