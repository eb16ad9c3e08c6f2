"""Fixtures for the Fxiaoke unit tests (the fake tenant is in tests/fakes/fxiaoke.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import respx
from fakes.fxiaoke import BASE, NOW, SECRETS, USER, FakeTenant
from pydantic import SecretStr

from connectors.fxiaoke import FxiaokeConnector, FxiaokeSettings
from connectors.http import BudgetSettings, ClientSettings, RetryPolicy


@pytest.fixture
def settings() -> FxiaokeSettings:
    return FxiaokeSettings(
        app_id=SecretStr(SECRETS[0]),
        app_secret=SecretStr(SECRETS[1]),
        permanent_code=SecretStr(SECRETS[2]),
        current_open_user_id=USER,
        overlap_seconds=60,
        client=ClientSettings(
            retry=RetryPolicy(attempts=4, initial_wait=0.5, max_wait=5.0),
            budget=BudgetSettings(concurrency=5),
        ),
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_connector(
    settings: FxiaokeSettings, sleeps: list[float]
) -> Iterator[Callable[..., FxiaokeConnector]]:
    made: list[FxiaokeConnector] = []

    def make(**overrides: Any) -> FxiaokeConnector:
        chosen = settings.model_copy(update=overrides) if overrides else settings
        connector = FxiaokeConnector("fx_test", chosen, sleep=sleeps.append, now=lambda: NOW)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def connector(make_connector: Callable[..., FxiaokeConnector]) -> FxiaokeConnector:
    return make_connector()


@pytest.fixture
def tenant() -> Iterator[FakeTenant]:
    fake = FakeTenant()
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.post(path__startswith="/cgi/").mock(side_effect=fake)
        yield fake
