"""Both emulators over real HTTP (uvicorn on a loopback port) with a realistic world, and the
connectors pointed at them (their clock is the emulator's: its time can be moved on)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.emulator.serve import running
from connectors.emulator.served import Served
from connectors.emulator.world import World, WorldSpec, generate_world
from connectors.fxiaoke import FxiaokeConnector, FxiaokeSettings
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.http import ClientSettings, RetryPolicy
from connectors.zoho import ZohoConnector, ZohoSettings
from connectors.zoho.emulator import ZohoEmulator

FAST = ClientSettings(retry=RetryPolicy(attempts=8, initial_wait=0.0, jitter=0.0))


@pytest.fixture(scope="session")
def world() -> World:
    # about 2,600 Zoho accounts (past the 2000-record wall) and 3,700 Fxiaoke accounts
    return generate_world(WorldSpec(customers=4800, contacts=300, opportunities=200, seed=21))


@pytest.fixture
def zoho(world: World) -> Iterator[Served]:
    emulator = ZohoEmulator.from_world(world)
    with running(emulator) as url:
        served = Served(emulator, url)
        served.advance(2)  # the seeded rows lie in finished seconds
        yield served
        served.close()


@pytest.fixture
def fxiaoke(world: World) -> Iterator[Served]:
    emulator = FxiaokeEmulator.from_world(world)
    with running(emulator) as url:
        served = Served(emulator, url)
        served.advance(2)
        yield served
        served.close()


@pytest.fixture
def zoho_connector(zoho: Served) -> Iterator[Callable[..., ZohoConnector]]:
    made: list[ZohoConnector] = []

    def make(**options: Any) -> ZohoConnector:
        creds = zoho.emulator.credentials()
        settings = ZohoSettings(
            client_id=SecretStr(creds["client_id"]),
            client_secret=SecretStr(creds["client_secret"]),
            refresh_token=SecretStr(creds["refresh_token"]),
            base_url=zoho.url,
            overlap_seconds=120,
            client=FAST,
            **options,
        )
        connector = ZohoConnector("zoho", settings, now=zoho.now)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def fxiaoke_connector(fxiaoke: Served) -> Iterator[Callable[..., FxiaokeConnector]]:
    made: list[FxiaokeConnector] = []

    def make(**options: Any) -> FxiaokeConnector:
        creds = fxiaoke.emulator.credentials()
        settings = FxiaokeSettings(
            app_id=SecretStr(creds["appId"]),
            app_secret=SecretStr(creds["appSecret"]),
            permanent_code=SecretStr(creds["permanentCode"]),
            current_open_user_id=creds["currentOpenUserId"],
            base_url=fxiaoke.url,
            overlap_seconds=120,
            client=FAST,
            **options,
        )
        connector = FxiaokeConnector("fxiaoke", settings, now=fxiaoke.now)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()
