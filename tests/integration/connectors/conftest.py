"""Both emulators over real HTTP (uvicorn on a loopback port) with a realistic world, and the
connectors pointed at them (their clock is the emulator's: its time can be moved on)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.emulator.serve import running
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


class Served:
    """An emulator, its base URL and its admin API."""

    def __init__(self, emulator: Any, url: str) -> None:
        self.emulator = emulator
        self.url = url
        self.admin = httpx.Client(base_url=f"{url}/__admin", timeout=10)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.admin.post(path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.admin.get("/clock").json()["now_ms"] / 1000, UTC)

    def advance(self, seconds: float) -> None:
        self.post("/clock", {"advance_s": seconds})

    def faults(self, **plan: Any) -> None:
        self.post("/faults", plan)

    def ids(self, module: str, where: Callable[[Any], bool] = lambda row: True) -> set[str]:
        with self.emulator.lock:
            return {r.id for r in self.emulator.modules[module].rows.values() if where(r)}


@pytest.fixture
def zoho(world: World) -> Iterator[Served]:
    emulator = ZohoEmulator.from_world(world)
    with running(emulator) as url:
        served = Served(emulator, url)
        served.advance(2)  # the seeded rows lie in finished seconds
        yield served
        served.admin.close()


@pytest.fixture
def fxiaoke(world: World) -> Iterator[Served]:
    emulator = FxiaokeEmulator.from_world(world)
    with running(emulator) as url:
        served = Served(emulator, url)
        served.advance(2)
        yield served
        served.admin.close()


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
