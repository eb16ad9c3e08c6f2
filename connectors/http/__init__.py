"""The one shared HTTP client and its strategies: auth, paginators, retry, budget, error table.

Connectors describe calls as data (`Call`) and plug CRM specifics in as small objects (a
`TokenScheme`, a paginator, a vendor-code hook, error-table entries); this package does the HTTP.
"""

from __future__ import annotations

from connectors.http.auth import Token, TokenAuth, TokenScheme
from connectors.http.budget import Budget, BudgetSettings, Priority
from connectors.http.call import Call, Reply
from connectors.http.client import ClientSettings, HttpClient, VendorHook, records_at
from connectors.http.counters import CallCounters, CounterSnapshot
from connectors.http.errors import (
    DEFAULT_TABLE,
    Action,
    AuthError,
    BudgetExhaustedError,
    ConfigError,
    ConnectorError,
    ErrorTable,
    FailureKind,
    RateLimitedError,
    RemoteError,
    Rule,
    TransientError,
)
from connectors.http.paginators import (
    IdKeysetPaginator,
    PageNumberPaginator,
    PageThenTokenPaginator,
    Paginator,
    WatermarkPaginator,
    query_filter,
)
from connectors.http.redact import MASK, Scrubber
from connectors.http.retry import RetryPolicy
from connectors.http.wiring import Wiring, wire

__all__ = [
    "DEFAULT_TABLE",
    "MASK",
    "Action",
    "AuthError",
    "Budget",
    "BudgetExhaustedError",
    "BudgetSettings",
    "Call",
    "CallCounters",
    "ClientSettings",
    "ConfigError",
    "ConnectorError",
    "CounterSnapshot",
    "ErrorTable",
    "FailureKind",
    "HttpClient",
    "IdKeysetPaginator",
    "PageNumberPaginator",
    "PageThenTokenPaginator",
    "Paginator",
    "Priority",
    "RateLimitedError",
    "RemoteError",
    "Reply",
    "RetryPolicy",
    "Rule",
    "Scrubber",
    "Token",
    "TokenAuth",
    "TokenScheme",
    "TransientError",
    "VendorHook",
    "WatermarkPaginator",
    "Wiring",
    "query_filter",
    "records_at",
    "wire",
]
