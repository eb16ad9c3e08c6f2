"""Zoho §9.3–5: list reads, the 2000-record wall and page_token, incremental primitives."""

from __future__ import annotations

import re
from typing import Any

import httpx

from connectors.emulator.store import Row
from connectors.zoho.emulator import ZohoEmulator

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def _bulk(zoho: ZohoEmulator, n: int, modified: int = 1_700_000_000_000) -> None:
    """n extra accounts (all modified in one second) to page through walls and caps."""
    owner = zoho.api_user_id
    rows = list(zoho.modules["Accounts"].rows.values())
    rows += [
        Row(
            zoho.ids(),
            modified,
            modified,
            {
                "Account_Name": f"Bulk {i}",
                "Owner": owner,
                "Created_By": owner,
                "Modified_By": owner,
            },
        )
        for i in range(n)
    ]
    zoho.load_rows("Accounts", rows)


def test_list_requires_fields_and_caps_them(zoho_http: httpx.Client, zh: dict[str, str]) -> None:
    missing = zoho_http.get("/crm/v8/Accounts", headers=zh)
    assert missing.status_code == 400
    assert missing.json()["code"] == "REQUIRED_PARAM_MISSING"
    assert missing.json()["details"]["param_name"] == "fields"
    assert missing.json()["status"] == "error"
    many = ",".join(f"Field_{i}" for i in range(51))
    too_many = zoho_http.get("/crm/v8/Accounts", params={"fields": many}, headers=zh)
    assert (too_many.status_code, too_many.json()["code"]) == (400, "LIMIT_EXCEEDED")


def test_list_shape_info_and_record_formats(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    params = {"fields": "Full_Name,Account_Name,Owner,Modified_Time,Email", "per_page": "500"}
    body = zoho_http.get("/crm/v8/Contacts", params=params, headers=zh).json()
    info = body["info"]
    total = len(zoho.modules["Contacts"])
    assert info["per_page"] == 200  # capped
    assert info["count"] == len(body["data"]) == min(total, 200)
    assert info["more_records"] is (total > 200)
    assert (info["sort_by"], info["sort_order"], info["page"]) == ("id", "desc", 1)
    for key in ("next_page_token", "previous_page_token", "page_token_expiry"):
        assert key in info
    ids = [r["id"] for r in body["data"]]
    assert ids == sorted(ids, reverse=True)
    record = next(r for r in body["data"] if r["Account_Name"])
    assert re.fullmatch(r"\d{19}", record["id"])
    assert set(record["Account_Name"]) == {"name", "id"}
    assert set(record["Owner"]) == {"name", "id", "email"}
    assert ISO.match(record["Modified_Time"])
    assert "Phone" not in record  # only the fields asked for (plus id and $ meta)


def test_empty_page_is_204_without_body(zoho_http: httpx.Client, zh: dict[str, str]) -> None:
    response = zoho_http.get(
        "/crm/v8/Deals", params={"fields": "Deal_Name", "page": "9", "per_page": "200"}, headers=zh
    )
    assert response.status_code == 204
    assert response.content == b""


def test_the_2000_record_wall_and_page_token_continuation(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str], zoho_token: Any
) -> None:
    _bulk(zoho, 2150)
    base = {"fields": "Account_Name", "per_page": "200", "sort_order": "asc"}
    wall = zoho_http.get("/crm/v8/Accounts", params={**base, "page": "11"}, headers=zh)
    assert wall.status_code == 400
    assert wall.json()["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
    page10 = zoho_http.get("/crm/v8/Accounts", params={**base, "page": "10"}, headers=zh).json()
    token = page10["info"]["next_page_token"]
    assert token
    assert page10["info"]["more_records"] is True
    page11 = zoho_http.get(
        "/crm/v8/Accounts", params={**base, "page_token": token}, headers=zh
    ).json()
    assert page11["info"]["page"] == 11
    assert page11["info"]["previous_page_token"] == token
    assert page11["data"][0]["id"] > page10["data"][-1]["id"]
    mixed = zoho_http.get(
        "/crm/v8/Accounts", params={**base, "page_token": token, "page": "2"}, headers=zh
    )
    assert (mixed.status_code, mixed.json()["code"]) == (400, "AMBIGUITY_DURING_PROCESSING")
    changed = zoho_http.get(
        "/crm/v8/Accounts",
        params={**base, "page_token": token, "fields": "Account_Name,Phone"},
        headers=zh,
    )
    assert (changed.status_code, changed.json()["code"]) == (400, "TOKEN_BOUND_DATA_MISMATCH")
    foreign = zoho_http.get("/crm/v8/Accounts", params={**base, "page_token": "abc123"}, headers=zh)
    assert (foreign.status_code, foreign.json()["code"]) == (400, "INVALID_DATA")
    zoho.clock.advance(86_400)
    zh = {"Authorization": f"Zoho-oauthtoken {zoho_token()}"}
    expired = zoho_http.get("/crm/v8/Accounts", params={**base, "page_token": token}, headers=zh)
    assert (expired.status_code, expired.json()["code"]) == (400, "EXPIRED_VALUE")


def test_page_token_stops_at_the_cap(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    _bulk(zoho, 100)
    zoho.set_limits(page_wall=20, page_token_cap=50)
    params = {"fields": "Account_Name", "per_page": "20"}
    body = zoho_http.get("/crm/v8/Accounts", params=params, headers=zh).json()
    seen = len(body["data"])
    while True:
        response = zoho_http.get(
            "/crm/v8/Accounts",
            params={**params, "page_token": body["info"]["next_page_token"]},
            headers=zh,
        )
        if response.status_code != 200:
            break
        body = response.json()
        seen += len(body["data"])
    assert seen == 50
    assert (response.status_code, response.json()["code"]) == (400, "PAGINATION_LIMIT_EXCEEDED")


def test_sort_by_modified_time_and_if_modified_since_with_304(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    params = {
        "fields": "Account_Name,Modified_Time",
        "sort_by": "Modified_Time",
        "sort_order": "asc",
    }
    rows = zoho_http.get("/crm/v8/Accounts", params=params, headers=zh).json()["data"]
    times = [r["Modified_Time"] for r in rows]
    assert times == sorted(times)
    pivot = rows[len(rows) // 2]["Modified_Time"]
    newer = zoho_http.get(
        "/crm/v8/Accounts", params=params, headers={**zh, "If-Modified-Since": pivot}
    ).json()["data"]
    assert newer
    assert all(r["Modified_Time"] > pivot for r in newer)
    assert len(newer) == sum(1 for t in times if t > pivot)
    latest = times[-1]
    none = zoho_http.get(
        "/crm/v8/Accounts", params=params, headers={**zh, "If-Modified-Since": latest}
    )
    assert none.status_code == 304
    assert none.content == b""
    bad_sort = zoho_http.get(
        "/crm/v8/Accounts", params={**params, "sort_by": "Account_Name"}, headers=zh
    )
    assert (bad_sort.status_code, bad_sort.json()["code"]) == (400, "INVALID_DATA")


def test_many_records_share_one_modified_second(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    ids = list(zoho.modules["Accounts"].rows)[:5]
    zoho.automation("Accounts", ids, {"Description": "workflow"}, same_time=True)
    params = {"fields": "Modified_Time,Description", "sort_by": "Modified_Time", "per_page": "5"}
    rows = zoho_http.get("/crm/v8/Accounts", params=params, headers=zh).json()["data"]
    assert {r["id"] for r in rows} == set(ids)
    assert len({r["Modified_Time"] for r in rows}) == 1


def test_get_by_id_and_missing_id(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    row_id = next(iter(zoho.modules["Deals"].rows))
    body = zoho_http.get(f"/crm/v8/Deals/{row_id}", headers=zh).json()
    assert body["data"][0]["id"] == row_id
    assert body["data"][0]["Pipeline"] == "Standard (Standard)"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", body["data"][0]["Closing_Date"])
    assert zoho_http.get("/crm/v8/Deals/1234567000000000000", headers=zh).status_code == 204


def test_deleted_records_by_type(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    first, second = list(zoho.modules["Contacts"].rows)[:2]
    assert zoho_http.delete(f"/crm/v8/Contacts/{first}", headers=zh).status_code == 200
    zoho.automation("Contacts", [second], {"$delete": "permanent"}, same_time=True)
    every = zoho_http.get("/crm/v8/Contacts/deleted", params={"type": "all"}, headers=zh).json()
    recycle = zoho_http.get("/crm/v8/Contacts/deleted", params={"type": "recycle"}, headers=zh)
    permanent = zoho_http.get("/crm/v8/Contacts/deleted", params={"type": "permanent"}, headers=zh)
    assert {e["id"] for e in every["data"]} == {first, second}
    [gone] = recycle.json()["data"]
    assert gone["id"] == first
    assert gone["display_name"]
    assert gone["deleted_by"]["id"]
    [purged] = permanent.json()["data"]
    assert (purged["display_name"], purged["deleted_by"], purged["created_by"]) == (
        None,
        None,
        None,
    )
    bad = zoho_http.get("/crm/v8/Contacts/deleted", params={"type": "trash"}, headers=zh)
    assert (bad.status_code, bad.json()["code"]) == (400, "PATTERN_NOT_MATCHED")
    nothing = zoho_http.get("/crm/v8/Deals/deleted", headers=zh)
    assert nothing.status_code == 204


def test_users_endpoint_lists_owners(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    body = zoho_http.get("/crm/v8/users", params={"type": "ActiveUsers"}, headers=zh).json()
    assert body["info"]["count"] == len(body["users"]) == len(zoho.users)
    user = body["users"][0]
    assert {"id", "full_name", "first_name", "last_name", "email", "status"} <= set(user)
    assert user["status"] == "active"
    owners = {r.fields["Owner"] for r in zoho.modules["Accounts"].rows.values()}
    assert owners <= {u["id"] for u in body["users"]}
    assert (
        zoho_http.get("/crm/v8/users", params={"type": "DeactiveUsers"}, headers=zh).status_code
        == 204
    )


def test_routing_errors(zoho_http: httpx.Client, zh: dict[str, str]) -> None:
    module = zoho_http.get("/crm/v8/Widgets", params={"fields": "Name"}, headers=zh)
    assert module.status_code == 400
    assert module.json() == {
        "code": "INVALID_MODULE",
        "details": {"resource_path_index": 0},
        "message": "the module name given seems to be invalid",
        "status": "error",
    }
    url = zoho_http.get("/crm/v8/Accounts/1/2/3", headers=zh)
    assert (url.status_code, url.json()["code"]) == (404, "INVALID_URL_PATTERN")
    verb = zoho_http.patch("/crm/v8/Accounts", headers=zh)
    assert (verb.status_code, verb.json()["code"]) == (400, "INVALID_REQUEST_METHOD")


def test_field_metadata_for_discovery(zoho_http: httpx.Client, zh: dict[str, str]) -> None:
    body = zoho_http.get("/crm/v8/settings/fields", params={"module": "Deals"}, headers=zh).json()
    fields = {f["api_name"]: f for f in body["fields"]}
    assert fields["Deal_Name"]["system_mandatory"] is True
    assert fields["Account_Name"]["lookup"] == {"module": {"api_name": "Accounts"}}
    stages = [v["actual_value"] for v in fields["Stage"]["pick_list_values"]]
    assert "Closed Won" in stages
    missing = zoho_http.get("/crm/v8/settings/fields", headers=zh)
    assert (missing.status_code, missing.json()["code"]) == (400, "REQUIRED_PARAM_MISSING")
