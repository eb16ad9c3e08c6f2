"""Fixtures for the Zoho unit tests (fakes in tests/fakes/zoho.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import respx
from fakes.zoho import ACCOUNTS, API, NOW, SECRETS
from pydantic import SecretStr

from connectors.http import BudgetSettings, ClientSettings, RetryPolicy
from connectors.zoho import ZohoConnector, ZohoSettings


@pytest.fixture
def settings() -> ZohoSettings:
    return ZohoSettings(
        client_id=SecretStr(SECRETS[0]),
        client_secret=SecretStr(SECRETS[1]),
        refresh_token=SecretStr(SECRETS[2]),
        data_centre="us",
        timezone="Asia/Shanghai",
        overlap_seconds=60,
        client=ClientSettings(
            retry=RetryPolicy(attempts=4, initial_wait=0.5, max_wait=5.0),
            budget=BudgetSettings(concurrency=10),
        ),
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_connector(
    settings: ZohoSettings, sleeps: list[float]
) -> Iterator[Callable[..., ZohoConnector]]:
    made: list[ZohoConnector] = []

    def make(**overrides: Any) -> ZohoConnector:
        chosen = settings.model_copy(update=overrides) if overrides else settings
        connector = ZohoConnector("zoho_test", chosen, sleep=sleeps.append, now=lambda: NOW)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def connector(make_connector: Callable[..., ZohoConnector]) -> ZohoConnector:
    return make_connector()


@pytest.fixture
def zoho() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=True) as router:
        router.post(f"{ACCOUNTS}/oauth/v2/token", name="token").respond(
            200,
            json={
                "access_token": "1000.access-token-one",
                "api_domain": API,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": "ZohoCRM.modules.ALL ZohoCRM.users.READ",
            },
        )
        yield router
