"""The shared base over HTTP: admin API, request log, state export/import, injected faults."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from connectors.emulator.serve import running
from connectors.emulator.world import World
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.zoho.emulator import ZohoEmulator

FIELDS = {"fields": "Account_Name"}


def test_admin_reads_credentials_records_and_counts(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    index = zoho_http.get("/__admin/").json()
    assert index["emulator"] == "zoho"
    assert index["modules"]["Accounts"] == len(zoho.modules["Accounts"])
    assert zoho_http.get("/__admin/credentials").json()["client_id"].startswith("1000.")
    row_id = next(iter(zoho.modules["Accounts"].rows))
    one = zoho_http.get(f"/__admin/records/Accounts/{row_id}").json()
    assert one["id"] == row_id
    assert set(one["Owner"]) == {"name", "id", "email"}
    listed = zoho_http.get("/__admin/records/Accounts", params={"ids": row_id}).json()
    assert listed["count"] == 1
    assert zoho_http.get("/__admin/records/Nope").status_code == 404
    zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=zh)
    zoho_http.get("/crm/v8/Accounts", headers=zh)
    counts = zoho_http.get("/__admin/counts").json()
    assert counts["by_endpoint"] == {"oauth.token": 1, "records:GET": 2}
    outcomes = {(o["endpoint"], o["status"], o["code"]): o["count"] for o in counts["by_outcome"]}
    assert outcomes[("records:GET", 400, "REQUIRED_PARAM_MISSING")] == 1
    log = zoho_http.get("/__admin/requests", params={"since": 1}).json()
    assert [e["seq"] for e in log["entries"]] == [2, 3]
    assert "Authorization" not in str(log)  # no headers or tokens in the log
    assert zoho_http.post("/__admin/reset", json={}).json()["reset"] == ["requests", "limits"]
    assert zoho_http.get("/__admin/counts").json()["total"] == 0


def test_admin_sets_faults_and_limits_with_clear_errors(zoho_http: httpx.Client) -> None:
    assert zoho_http.post("/__admin/faults", json={"latency_ms": 5}).json()["latency_ms"] == 5
    bad = zoho_http.post("/__admin/faults", json={"error_rate": 2})
    assert bad.status_code == 422
    assert "error_rate" in bad.json()["error"]
    unknown = zoho_http.post("/__admin/faults", json={"chaos": 1})
    assert unknown.status_code == 422
    assert "chaos" in unknown.json()["error"]
    assert zoho_http.post("/__admin/limits", json={"credits": 5}).json()["credits"] == 5
    assert zoho_http.post("/__admin/clock", json={"advance_s": 60}).json()["offset_s"] == 60


def test_admin_automation_edits_bump_modified_time(
    fxiaoke: FxiaokeEmulator, fx_http: httpx.Client
) -> None:
    ids = list(fxiaoke.modules["AccountObj"].rows)[:3]
    before = {i: fxiaoke.modules["AccountObj"].rows[i].modified for i in ids}
    fx_http.post("/__admin/clock", json={"advance_s": 1})
    body = {"module": "AccountObj", "ids": ids, "changes": {"remark": "workflow"}}
    assert fx_http.post("/__admin/automation", json=body).json()["modified"] == ids
    rows = [fxiaoke.modules["AccountObj"].rows[i] for i in ids]
    assert len({r.modified for r in rows}) == 1
    assert all(r.modified > before[r.id] for r in rows)
    bad = fx_http.post("/__admin/automation", json={**body, "changes": {"nope": 1}})
    assert bad.status_code == 400


def test_state_export_and_import_round_trip(world: World) -> None:
    source = FxiaokeEmulator.from_world(world)
    target = FxiaokeEmulator(seed=world.spec.seed)
    with running(source) as a, running(target) as b, httpx.Client(timeout=10) as client:
        state = client.get(f"{a}/__admin/state").json()
        assert client.post(f"{b}/__admin/state", json=state).status_code == 200
        wrong = client.post(f"{b}/__admin/state", json={**state, "emulator": "zoho"})
    assert wrong.status_code == 400
    assert target.export_state() == source.export_state()
    zoho = ZohoEmulator.from_world(world)
    copy = ZohoEmulator(seed=world.spec.seed)
    copy.import_state(zoho.export_state())
    assert copy.export_state() == zoho.export_state()
    row = next(iter(copy.modules["Accounts"].rows.values()))
    assert copy.unique.holder("Accounts", "Account_Name", row.fields["Account_Name"]) == row.id


def test_faults_are_deterministic_with_a_seed(world: World) -> None:
    def outcomes(seed: int) -> list[int]:
        emulator = ZohoEmulator.from_world(world)
        emulator.set_faults(seed=seed, error_rate=0.3, rate_limit_rate=0.2)
        with running(emulator) as url, httpx.Client(base_url=url, timeout=10) as client:
            return [client.get("/crm/v8/users").status_code for _ in range(30)]

    first, again, other = outcomes(1), outcomes(1), outcomes(2)
    assert first == again
    assert first != other
    assert {429, 500} <= set(first)
    assert 401 in first  # no fault: the call reaches auth


def test_latency_and_slow_pages_add_time(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    zoho.set_faults(latency_ms=60)
    started = time.perf_counter()
    zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=zh)
    assert time.perf_counter() - started >= 0.06
    zoho.set_faults(latency_ms=0, slow_page_rate=1.0, slow_page_ms=80)
    started = time.perf_counter()
    zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=zh)
    assert time.perf_counter() - started >= 0.08
    started = time.perf_counter()
    zoho_http.get("/crm/v8/Accounts/actions/count", headers=zh)  # not a page read
    assert time.perf_counter() - started < 0.08


def test_timeout_fault_holds_the_call_past_the_client_timeout(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    zoho.set_faults(timeout_rate=1.0, timeout_hold_s=5)
    with pytest.raises(httpx.ReadTimeout):
        zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=zh, timeout=0.3)
    zoho.set_faults(timeout_rate=0.0)
    ok = zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=zh)
    assert ok.status_code == 200


def test_in_process_through_asgi_transport(world: World) -> None:
    import asyncio

    emulator = FxiaokeEmulator.from_world(world)

    async def scenario() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=emulator)
        async with httpx.AsyncClient(transport=transport, base_url="http://fx.test") as client:
            creds = emulator.credentials()
            keys = {k: creds[k] for k in ("appId", "appSecret", "permanentCode")}
            token = (await client.post("/cgi/corpAccessToken/get/V2", json=keys)).json()
            body = {
                "corpAccessToken": token["corpAccessToken"],
                "corpId": token["corpId"],
                "currentOpenUserId": creds["currentOpenUserId"],
                "data": {"dataObjectApiName": "ContactObj", "search_query_info": {"limit": 5}},
            }
            result: dict[str, Any] = (await client.post("/cgi/crm/v2/data/query", json=body)).json()
            return result

    result = asyncio.run(scenario())
    assert result["errorCode"] == 0
    assert result["data"]["total"] == len(emulator.modules["ContactObj"])


def test_running_leaves_no_thread_or_socket_behind(world: World) -> None:
    import threading

    before = threading.active_count()
    emulator = ZohoEmulator.from_world(world)
    with running(emulator) as url, httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/__admin/").status_code == 200
        assert threading.active_count() == before + 1
    assert threading.active_count() == before
    with pytest.raises(httpx.ConnectError), httpx.Client(timeout=2) as client:
        client.get(f"{url}/__admin/")
