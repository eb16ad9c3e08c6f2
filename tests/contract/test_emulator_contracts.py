"""The contract against both emulators, served by uvicorn on a loopback port: real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import pytest
from connector_contract import ConnectorContract
from pydantic import SecretStr

from connectors.emulator.serve import running
from connectors.fxiaoke import FxiaokeConnector, FxiaokeSettings
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.http import ClientSettings, RetryPolicy
from connectors.protocol import Connector
from connectors.zoho import ZohoConnector, ZohoSettings
from connectors.zoho.emulator import ZohoEmulator
from mapping.model import EntityKind

# no waits between retries: the emulators' faults are drawn per call, not per second
FAST = ClientSettings(retry=RetryPolicy(attempts=8, initial_wait=0.0, jitter=0.0))
TROUBLE = {"seed": 11, "rate_limit_rate": 0.2, "error_rate": 0.2}


class EmulatorAdmin:
    """What both emulators share: the admin API over HTTP, the clock, faults."""

    kind = EntityKind.CUSTOMER

    def __init__(self, emulator: Any, base_url: str) -> None:
        self.emulator = emulator
        self.base_url = base_url
        self.admin = httpx.Client(base_url=f"{base_url}/__admin", timeout=10)

    def close(self) -> None:
        self.admin.close()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.admin.post(path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.admin.get("/clock").json()["now_ms"] / 1000, UTC)

    def settle(self) -> None:
        self.post("/clock", {"advance_s": 3})

    def make_trouble(self) -> None:
        self.post("/faults", TROUBLE)

    def touch(self, remote_id: str) -> None:
        self.post("/automation", {"module": self.module, "ids": [remote_id], "changes": self.edit})

    module: ClassVar[str] = ""
    edit: ClassVar[dict[str, Any]] = {}


class ZohoAdmin(EmulatorAdmin):
    module: ClassVar[str] = "Accounts"
    edit: ClassVar[dict[str, Any]] = {"Phone": "+86 10 8888 0000"}

    def seed(self, count: int) -> None:
        emulator: ZohoEmulator = self.emulator
        with emulator.lock:
            start = len(emulator.modules["Accounts"])
            for n in range(count):
                values = {"Account_Name": f"Seeded Company {start + n}"}
                emulator.create_row("Accounts", values, emulator.api_user_id)

    def live_ids(self) -> set[str]:
        return set(self.emulator.modules["Accounts"].rows)

    def remove(self, remote_id: str) -> None:
        emulator: ZohoEmulator = self.emulator
        with emulator.lock:
            emulator.delete_row("Accounts", remote_id, emulator.api_user_id, permanent=False)

    def expire_tokens(self) -> None:
        self.post("/clock", {"advance_s": 3601})  # past the access token's hour

    def new_payload(self, n: int) -> dict[str, Any]:
        return {"Account_Name": f"Contract Company {n}", "Credit_Code": f"91310000MA1K{n:06d}"}

    def count_matching(self, payload: dict[str, Any]) -> int:
        rows = self.emulator.modules["Accounts"].rows.values()
        return sum(r.fields.get("Account_Name") == payload["Account_Name"] for r in rows)


class FxiaokeAdmin(EmulatorAdmin):
    module: ClassVar[str] = "AccountObj"
    edit: ClassVar[dict[str, Any]] = {"tel": "010-88880000"}

    @property
    def user(self) -> str:
        return str(self.emulator.credentials()["currentOpenUserId"])

    def seed(self, count: int) -> None:
        emulator: FxiaokeEmulator = self.emulator
        with emulator.lock:
            start = len(emulator.modules["AccountObj"])
            for n in range(count):
                values = {"name": f"种子公司{start + n}", "owner": [self.user]}
                emulator.create_row("AccountObj", values, self.user)

    def live_ids(self) -> set[str]:
        rows = self.emulator.modules["AccountObj"].rows.values()
        return {r.id for r in rows if r.fields.get("life_status") != "invalid"}

    def remove(self, remote_id: str) -> None:
        invalid = {"life_status": "invalid"}
        self.post("/automation", {"module": "AccountObj", "ids": [remote_id], "changes": invalid})

    def expire_tokens(self) -> None:
        self.post("/clock", {"advance_s": 7201})  # past the corpAccessToken's two hours

    def new_payload(self, n: int) -> dict[str, Any]:
        return {"name": f"契约公司{n}", "owner": [self.user]}

    def count_matching(self, payload: dict[str, Any]) -> int:
        rows = self.emulator.modules["AccountObj"].rows.values()
        return sum(
            r.fields.get("name") == payload["name"] and r.fields.get("life_status") != "invalid"
            for r in rows
        )


class TestZohoContractOnEmulator(ConnectorContract):
    many = 2500  # past the 2000-record wall: page numbers, then page_token

    @pytest.fixture
    def remote(self) -> Iterator[ZohoAdmin]:
        emulator = ZohoEmulator(seed=3)
        with running(emulator) as url:
            admin = ZohoAdmin(emulator, url)
            yield admin
            admin.close()

    @pytest.fixture
    def make_connector(self, remote: ZohoAdmin) -> Iterator[Callable[..., Connector]]:
        made: list[ZohoConnector] = []

        def make(bad_credentials: bool = False) -> Connector:
            creds = remote.emulator.credentials()
            settings = ZohoSettings(
                client_id=SecretStr(creds["client_id"]),
                client_secret=SecretStr(
                    "wrong-secret" if bad_credentials else creds["client_secret"]
                ),
                refresh_token=SecretStr(creds["refresh_token"]),
                base_url=remote.base_url,
                overlap_seconds=60,
                client=FAST,
            )
            connector = ZohoConnector("zoho", settings, now=remote.now)
            made.append(connector)
            return connector

        yield make
        for connector in made:
            connector.close()


class TestFxiaokeContractOnEmulator(ConnectorContract):
    many = 1050  # more than ten pages of 100

    @pytest.fixture
    def remote(self) -> Iterator[FxiaokeAdmin]:
        emulator = FxiaokeEmulator(seed=3)
        with running(emulator) as url:
            admin = FxiaokeAdmin(emulator, url)
            yield admin
            admin.close()

    @pytest.fixture
    def make_connector(self, remote: FxiaokeAdmin) -> Iterator[Callable[..., Connector]]:
        made: list[FxiaokeConnector] = []

        def make(bad_credentials: bool = False) -> Connector:
            creds = remote.emulator.credentials()
            settings = FxiaokeSettings(
                app_id=SecretStr(creds["appId"]),
                app_secret=SecretStr(creds["appSecret"]),
                permanent_code=SecretStr(
                    "WRONG0000" if bad_credentials else creds["permanentCode"]
                ),
                current_open_user_id=creds["currentOpenUserId"],
                base_url=remote.base_url,
                overlap_seconds=60,
                client=FAST,
            )
            connector = FxiaokeConnector("fxiaoke", settings, now=remote.now)
            made.append(connector)
            return connector

        yield make
        for connector in made:
            connector.close()
