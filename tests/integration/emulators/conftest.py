"""Emulators served over real HTTP (uvicorn on an ephemeral loopback port), one per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from connectors.emulator.serve import running
from connectors.emulator.world import World, WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.zoho.emulator import ZohoEmulator


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world(WorldSpec(customers=40, contacts=60, opportunities=30, seed=5))


@pytest.fixture
def zoho(world: World) -> ZohoEmulator:
    return ZohoEmulator.from_world(world)


@pytest.fixture
def zoho_http(zoho: ZohoEmulator) -> Iterator[httpx.Client]:
    with running(zoho) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


@pytest.fixture
def zoho_token(zoho: ZohoEmulator, zoho_http: httpx.Client) -> Callable[[], str]:
    def issue() -> str:
        creds = zoho.credentials()
        response = zoho_http.post(
            "/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "refresh_token": creds["refresh_token"],
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    return issue


@pytest.fixture
def zh(zoho_token: Callable[[], str]) -> dict[str, str]:
    """Headers of an authenticated Zoho call."""
    return {"Authorization": f"Zoho-oauthtoken {zoho_token()}"}


@pytest.fixture
def fxiaoke(world: World) -> FxiaokeEmulator:
    return FxiaokeEmulator.from_world(world)


@pytest.fixture
def fx_http(fxiaoke: FxiaokeEmulator) -> Iterator[httpx.Client]:
    with running(fxiaoke) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


@pytest.fixture
def fx_auth(fxiaoke: FxiaokeEmulator, fx_http: httpx.Client) -> dict[str, Any]:
    """The top-level auth keys of a Fxiaoke data call, acting as the administrator."""
    creds = fxiaoke.credentials()
    keys = {k: creds[k] for k in ("appId", "appSecret", "permanentCode")}
    body = fx_http.post("/cgi/corpAccessToken/get/V2", json=keys).json()
    assert body["errorCode"] == 0, body
    return {
        "corpAccessToken": body["corpAccessToken"],
        "corpId": body["corpId"],
        "currentOpenUserId": creds["currentOpenUserId"],
    }


@pytest.fixture
def fx_call(fx_http: httpx.Client, fx_auth: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """POST a data call with auth; asserts HTTP 200 (Fxiaoke never answers otherwise)."""

    def call(path: str, data: Any = None, **top: Any) -> dict[str, Any]:
        body = {**fx_auth, **top}
        if data is not None:
            body["data"] = data
        response = fx_http.post(path, json=body)
        assert response.status_code == 200
        result: dict[str, Any] = response.json()
        return result

    return call
