"""How a connector's calls reach its CRM: the token flow, the client, its budget and counters.

Every connector wires the same pieces the same way; only the token scheme, the error table, the
vendor-code hook and the secrets to scrub differ.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from pydantic import SecretStr

from connectors.http.auth import TokenAuth, TokenScheme
from connectors.http.budget import Budget
from connectors.http.client import ClientSettings, HttpClient, VendorHook
from connectors.http.counters import CallCounters
from connectors.http.errors import ErrorTable
from connectors.http.redact import Scrubber

__all__ = ["Wiring", "wire"]


@dataclass(frozen=True, slots=True)
class Wiring:
    counters: CallCounters
    auth: TokenAuth
    client: HttpClient


def wire(
    connection: str,
    base_url: str,
    *,
    scheme: TokenScheme,
    secrets: Sequence[SecretStr | str],
    refresh_endpoint: str,
    settings: ClientSettings,
    table: ErrorTable,
    vendor: VendorHook,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    credits_header: str | None = None,
) -> Wiring:
    """One connection's token auth and HTTP client, sharing one scrubber and one set of counters.

    `refresh_endpoint` names the token call in the counters (e.g. "POST /oauth/v2/token").
    """
    scrubber = Scrubber(list(secrets))
    counters = CallCounters()
    auth = TokenAuth(
        scheme, scrubber=scrubber, counters=counters, counter_key=refresh_endpoint, clock=clock
    )
    client = HttpClient(
        connection,
        base_url,
        settings=settings,
        table=table,
        scrubber=scrubber,
        auth=auth,
        vendor=vendor,
        counters=counters,
        budget=Budget(settings.budget, clock=clock, now=now, sleep=sleep),
        transport=transport,
        sleep=sleep,
        credits_header=credits_header,
    )
    return Wiring(counters=counters, auth=auth, client=client)
