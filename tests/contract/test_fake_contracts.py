"""The contract run against the respx fakes of both CRMs (fast; no server). The same contract
runs against the emulators over real HTTP in test_emulator_contracts.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import respx
from connector_contract import ConnectorContract
from fakes import fxiaoke as fx
from fakes import zoho as zo
from pydantic import SecretStr

from connectors.fxiaoke import FxiaokeConnector, FxiaokeSettings
from connectors.http import ClientSettings, RetryPolicy
from connectors.protocol import Connector
from connectors.zoho import ZohoConnector, ZohoSettings
from mapping.model import EntityKind

FAST = ClientSettings(retry=RetryPolicy(attempts=5, initial_wait=0.0, jitter=0.0))


class ZohoFakeAdmin:
    kind = EntityKind.CUSTOMER

    def __init__(self, org: zo.FakeOrg) -> None:
        self.org = org
        self.rows = org.modules["Accounts"]

    def seed(self, count: int) -> None:
        for n in range(count):
            self.org.insert("Accounts", {"Account_Name": f"Seeded {len(self.rows)} {n}"})

    def live_ids(self) -> set[str]:
        return {r["id"] for r in self.rows}

    def touch(self, remote_id: str) -> None:
        self.org.update("Accounts", {"id": remote_id, "Phone": "+86 10 1234 5678"})

    def remove(self, remote_id: str) -> None:
        self.org.delete("Accounts", [remote_id])

    def expire_tokens(self) -> None:
        self.org.valid.clear()

    def make_trouble(self) -> None:
        self.org.throttle, self.org.failures = 2, 2

    def new_payload(self, n: int) -> dict[str, Any]:
        return {"Account_Name": f"Contract Company {n}", "Credit_Code": f"91310000MA1K{n:06d}"}

    def count_matching(self, payload: dict[str, Any]) -> int:
        return sum(r.get("Account_Name") == payload["Account_Name"] for r in self.rows)

    def now(self) -> datetime:
        return self.org.now

    def settle(self) -> None:
        self.org.now += timedelta(seconds=5)


class TestZohoContractOnFakes(ConnectorContract):
    many = 2500  # past the 2000-record wall

    @pytest.fixture
    def remote(self) -> Iterator[ZohoFakeAdmin]:
        org = zo.FakeOrg(zo.T0)
        with respx.mock(assert_all_called=False) as router:
            org.install(router)
            yield ZohoFakeAdmin(org)

    @pytest.fixture
    def make_connector(self, remote: ZohoFakeAdmin) -> Iterator[Callable[..., Connector]]:
        made: list[ZohoConnector] = []

        def make(bad_credentials: bool = False) -> Connector:
            secret = "wrong-secret-000" if bad_credentials else zo.SECRETS[1]
            settings = ZohoSettings(
                client_id=SecretStr(zo.SECRETS[0]),
                client_secret=SecretStr(secret),
                refresh_token=SecretStr(zo.SECRETS[2]),
                overlap_seconds=60,
                client=FAST,
            )
            connector = ZohoConnector("zoho", settings, sleep=lambda s: None, now=remote.now)
            made.append(connector)
            return connector

        yield make
        for connector in made:
            connector.close()


class FxiaokeFakeAdmin:
    kind = EntityKind.CUSTOMER

    def __init__(self, tenant: fx.FakeTenant) -> None:
        self.tenant = tenant
        self.rows = tenant.objects.setdefault("AccountObj", [])

    def seed(self, count: int) -> None:
        for _ in range(count):
            self.rows.append(fx.row(len(self.rows), self.tenant.stamp()))

    def live_ids(self) -> set[str]:
        return {r["_id"] for r in self.rows if r["life_status"] != "invalid"}

    def touch(self, remote_id: str) -> None:
        row = next(r for r in self.rows if r["_id"] == remote_id)
        row["tel"] = "010-12345678"
        row["last_modified_time"] = self.tenant.stamp()

    def remove(self, remote_id: str) -> None:
        row = next(r for r in self.rows if r["_id"] == remote_id)
        row["life_status"] = "invalid"
        row["last_modified_time"] = self.tenant.stamp()

    def expire_tokens(self) -> None:
        self.tenant.expire_tokens()

    def make_trouble(self) -> None:
        self.tenant.throttle, self.tenant.failures = 2, 2

    def new_payload(self, n: int) -> dict[str, Any]:
        return {"name": f"契约公司{n}", "owner": [fx.USER]}

    def count_matching(self, payload: dict[str, Any]) -> int:
        return sum(r["name"] == payload["name"] for r in self.rows if r["life_status"] != "invalid")

    def now(self) -> datetime:
        return self.tenant.now

    def settle(self) -> None:
        self.tenant.now += timedelta(seconds=5)


class TestFxiaokeContractOnFakes(ConnectorContract):
    @pytest.fixture
    def remote(self) -> Iterator[FxiaokeFakeAdmin]:
        tenant = fx.FakeTenant()
        tenant.now = fx.T0
        with respx.mock(base_url=fx.BASE, assert_all_called=False) as router:
            router.post(path__startswith="/cgi/").mock(side_effect=tenant)
            yield FxiaokeFakeAdmin(tenant)

    @pytest.fixture
    def make_connector(self, remote: FxiaokeFakeAdmin) -> Iterator[Callable[..., Connector]]:
        made: list[FxiaokeConnector] = []

        def make(bad_credentials: bool = False) -> Connector:
            code = "WRONG-CODE-0000" if bad_credentials else fx.SECRETS[2]
            settings = FxiaokeSettings(
                app_id=SecretStr(fx.SECRETS[0]),
                app_secret=SecretStr(fx.SECRETS[1]),
                permanent_code=SecretStr(code),
                current_open_user_id=fx.USER,
                overlap_seconds=60,
                client=FAST,
            )
            connector = FxiaokeConnector("fxiaoke", settings, sleep=lambda s: None, now=remote.now)
            made.append(connector)
            return connector

        yield make
        for connector in made:
            connector.close()
