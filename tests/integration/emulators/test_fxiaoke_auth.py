"""Fxiaoke §10.1–4 and §11: HTTP-200 envelopes, the token lifecycle, the acting user, employees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from connectors.fxiaoke.emulator import FxiaokeEmulator

QUERY = {"dataObjectApiName": "AccountObj", "search_query_info": {"limit": 10, "offset": 0}}
TOKEN = "/cgi/corpAccessToken/get/V2"


def _keys(fxiaoke: FxiaokeEmulator) -> dict[str, str]:
    creds = fxiaoke.credentials()
    return {k: creds[k] for k in ("appId", "appSecret", "permanentCode")}


def test_every_failure_is_http_200_with_an_error_code(
    fxiaoke: FxiaokeEmulator, fx_http: httpx.Client
) -> None:
    unknown = fx_http.post("/cgi/crm/v2/data/nope", json={})
    get_verb = fx_http.get("/cgi/crm/v2/data/query")
    malformed = fx_http.post("/cgi/crm/v2/data/query", content=b"{not json")
    for response in (unknown, get_verb, malformed):
        body = response.json()
        assert response.status_code == 200
        assert body["errorCode"] != 0
        assert {"errorCode", "errorMessage", "errorDescription", "traceId"} <= set(body)
    assert unknown.json()["errorCode"] == 10006
    assert "Exception" in malformed.json()["errorMessage"]


def test_error_wording_varies_but_codes_do_not(
    fxiaoke: FxiaokeEmulator, fx_http: httpx.Client
) -> None:
    answers = [
        fx_http.post("/cgi/crm/v2/data/query", json={"corpAccessToken": "X", "corpId": "Y"}).json()
        for _ in range(12)
    ]
    assert {a["errorCode"] for a in answers} == {20016}
    assert len({a["errorMessage"] for a in answers}) > 1


def test_token_credentials_are_checked(fxiaoke: FxiaokeEmulator, fx_http: httpx.Client) -> None:
    good = _keys(fxiaoke)
    missing = fx_http.post(TOKEN, json={**good, "appSecret": ""}).json()
    wrong_secret = fx_http.post(TOKEN, json={**good, "appSecret": "0" * 32}).json()
    wrong_code = fx_http.post(TOKEN, json={**good, "permanentCode": "F" * 32}).json()
    assert missing["errorCode"] == 10006
    assert wrong_secret["errorCode"] == 20006
    assert wrong_code["errorCode"] == 20015
    assert "corpAccessToken" not in wrong_code


def test_same_token_within_the_window_then_a_new_one(
    fxiaoke: FxiaokeEmulator, fx_http: httpx.Client
) -> None:
    fxiaoke.set_limits(token_ttl_s=100, token_renew_window_s=20)
    first = fx_http.post(TOKEN, json=_keys(fxiaoke)).json()
    assert (first["errorCode"], first["expiresIn"]) == (0, 100)
    assert first["corpId"].startswith("FSCID_")
    fxiaoke.clock.advance(50)
    second = fx_http.post(TOKEN, json=_keys(fxiaoke)).json()
    assert second["corpAccessToken"] == first["corpAccessToken"]
    assert second["expiresIn"] <= 50
    fxiaoke.clock.advance(35)  # inside the renewal window: a new token, the old still valid
    third = fx_http.post(TOKEN, json=_keys(fxiaoke)).json()
    assert third["corpAccessToken"] != first["corpAccessToken"]
    auth = {"corpId": first["corpId"], "currentOpenUserId": fxiaoke.admin.open_user_id}
    old = fx_http.post(
        "/cgi/crm/v2/data/query",
        json={**auth, "corpAccessToken": first["corpAccessToken"], "data": QUERY},
    ).json()
    assert old["errorCode"] == 0
    fxiaoke.clock.advance(16)
    expired = fx_http.post(
        "/cgi/crm/v2/data/query",
        json={**auth, "corpAccessToken": first["corpAccessToken"], "data": QUERY},
    ).json()
    fresh = fx_http.post(
        "/cgi/crm/v2/data/query",
        json={**auth, "corpAccessToken": third["corpAccessToken"], "data": QUERY},
    ).json()
    assert expired["errorCode"] == 20016
    assert fresh["errorCode"] == 0


def test_token_endpoint_allows_ten_calls_a_minute(
    fxiaoke: FxiaokeEmulator, fx_http: httpx.Client
) -> None:
    codes = [fx_http.post(TOKEN, json=_keys(fxiaoke)).json()["errorCode"] for _ in range(11)]
    assert codes == [0] * 10 + [14001]
    fxiaoke.clock.advance(60)
    assert fx_http.post(TOKEN, json=_keys(fxiaoke)).json()["errorCode"] == 0


def test_missing_token_and_corp_id(fx_http: httpx.Client, fx_auth: dict[str, Any]) -> None:
    no_token = {k: v for k, v in fx_auth.items() if k != "corpAccessToken"}
    no_corp = {k: v for k, v in fx_auth.items() if k != "corpId"}
    assert (
        fx_http.post("/cgi/crm/v2/data/query", json={**no_token, "data": QUERY}).json()["errorCode"]
        == 20017
    )
    assert (
        fx_http.post("/cgi/crm/v2/data/query", json={**no_corp, "data": QUERY}).json()["errorCode"]
        == 10014
    )


def test_acting_user_is_mandatory_and_must_exist(
    fx_call: Callable[..., dict[str, Any]],
) -> None:
    missing = fx_call("/cgi/crm/v2/data/query", QUERY, currentOpenUserId="")
    malformed = fx_call("/cgi/crm/v2/data/query", QUERY, currentOpenUserId="user-1")
    unknown = fx_call("/cgi/crm/v2/data/query", QUERY, currentOpenUserId="FSUID_" + "0" * 32)
    assert missing["errorCode"] == 10010
    assert malformed["errorCode"] == 11008
    assert unknown["errorCode"] == 20012


def test_a_rep_sees_own_rows_admin_all_pool_only_admin(
    fxiaoke: FxiaokeEmulator, fx_call: Callable[..., dict[str, Any]]
) -> None:
    rows = list(fxiaoke.modules["AccountObj"].rows.values())
    rep = rows[0].fields["owner"][0]
    own = sum(1 for r in rows if rep in r.fields["owner"])
    as_rep = fx_call(
        "/cgi/crm/v2/data/query",
        QUERY | {"search_query_info": {"limit": 100}},
        currentOpenUserId=rep,
    )
    as_admin = fx_call("/cgi/crm/v2/data/query", QUERY | {"search_query_info": {"limit": 100}})
    assert as_rep["data"]["total"] == own
    assert {r["owner"][0] for r in as_rep["data"]["dataList"]} == {rep}
    assert as_admin["data"]["total"] == len(rows)
    fxiaoke.automation("AccountObj", [rows[0].id], {"$high_seas": True}, same_time=True)
    again = fx_call(
        "/cgi/crm/v2/data/query",
        QUERY | {"search_query_info": {"limit": 100}},
        currentOpenUserId=rep,
    )
    assert again["data"]["total"] == own - 1
    pooled = fx_call(
        "/cgi/crm/v2/data/get",
        {"dataObjectApiName": "AccountObj", "objectDataId": rows[0].id},
        currentOpenUserId=rep,
    )
    assert pooled["errorCode"] != 0
    by_admin = fx_call(
        "/cgi/crm/v2/data/get", {"dataObjectApiName": "AccountObj", "objectDataId": rows[0].id}
    )
    assert by_admin["data"]["owner"] == []


def test_employees_by_mobile_and_by_update_time(
    fxiaoke: FxiaokeEmulator, fx_call: Callable[..., dict[str, Any]]
) -> None:
    someone = next(e for e in fxiaoke.employees.values() if not e.admin)
    found = fx_call("/cgi/user/getByMobile", mobile=someone.mobile)
    assert found["errorCode"] == 0
    [employee] = found["empList"]
    assert (employee["openUserId"], employee["name"]) == (someone.open_user_id, someone.name)
    assert employee["status"] == "normal"
    assert fx_call("/cgi/user/getByMobile", mobile="19999999999")["empList"] == []
    page = fx_call("/cgi/user/get/batchByUpdTime", pageSize=3, pageNumber=1)
    assert page["totalCount"] == len(fxiaoke.employees)
    assert len(page["employees"]) == 3
    assert page["pageCount"] == -(-len(fxiaoke.employees) // 3)
    assert all(
        e["openUserId"].startswith("FSUID_") and len(e["openUserId"]) == 38
        for e in page["employees"]
    )


def test_owner_ids_agree_with_zoho_by_email(world: Any) -> None:
    from connectors.zoho.emulator import ZohoEmulator

    zoho, fx = ZohoEmulator.from_world(world), FxiaokeEmulator.from_world(world)
    zoho_emails = {u.email for u in zoho.users.values()}
    fx_emails = {e.email for e in fx.employees.values()}
    shared = zoho_emails & fx_emails
    assert len(shared) > 3  # the integration admin and the managers in both CRMs
    again = FxiaokeEmulator.from_world(world)
    assert set(again.employees) == set(fx.employees)  # same seed, same openUserIds
