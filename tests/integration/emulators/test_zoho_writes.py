"""Zoho §9.6–9: batch writes with per-record results, upsert and uniqueness, lookups, credits."""

from __future__ import annotations

import httpx

from connectors.zoho.emulator import ZohoEmulator


def test_insert_all_ok_is_201_with_details_in_input_order(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    account = next(iter(zoho.modules["Accounts"].rows))
    data = [
        {"Last_Name": "一号", "Email": "one@example.cn", "Account_Name": {"id": account}},
        {"Last_Name": "二号", "Email": "two@example.cn"},
    ]
    response = zoho_http.post("/crm/v8/Contacts", json={"data": data}, headers=zh)
    assert response.status_code == 201
    results = response.json()["data"]
    assert [r["code"] for r in results] == ["SUCCESS", "SUCCESS"]
    assert results[0]["message"] == "record added"
    details = results[0]["details"]
    assert {"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By"} <= set(details)
    new_id = details["id"]
    read = zoho_http.get(f"/crm/v8/Contacts/{new_id}", headers=zh).json()["data"][0]
    assert read["Account_Name"] == {
        "name": zoho.modules["Accounts"].rows[account].fields["Account_Name"],
        "id": account,
    }  # written as {id}, read as {name, id}
    assert read["Owner"]["id"] == zoho.api_user_id
    assert "email" in read["Owner"]


def test_mixed_batch_is_207_and_all_failed_is_400(
    zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    mixed = zoho_http.post(
        "/crm/v8/Deals",
        json={
            "data": [
                {"Deal_Name": "A", "Stage": "Qualification", "Pipeline": "Standard (Standard)"},
                {"Deal_Name": "B", "Stage": "Qualification"},
                {"Deal_Name": "C", "Stage": "Dreaming", "Pipeline": "Standard (Standard)"},
                {
                    "Deal_Name": "D",
                    "Stage": "Qualification",
                    "Pipeline": "Standard (Standard)",
                    "Probability": 150,
                },
            ]
        },
        headers=zh,
    )
    assert mixed.status_code == 207
    codes = [r["code"] for r in mixed.json()["data"]]
    assert codes == ["SUCCESS", "MANDATORY_NOT_FOUND", "INVALID_DATA", "INVALID_DATA"]
    missing = mixed.json()["data"][1]
    assert missing["details"] == {"api_name": "Pipeline", "json_path": "$.data[1].Pipeline"}
    assert mixed.json()["data"][3]["message"] == "Given Probability is not valid"
    failed = zoho_http.post(
        "/crm/v8/Accounts",
        json={"data": [{"Phone": 12345}, {"Account_Name": "Y", "No_Such_Field": "x"}]},
        headers=zh,
    )
    assert failed.status_code == 400
    first, second = failed.json()["data"]
    assert first["code"] == "MULTIPLE_OR_MULTI_ERRORS"
    assert {e["code"] for e in first["details"]["errors"]} == {
        "INVALID_DATA",
        "MANDATORY_NOT_FOUND",
    }
    assert second["code"] == "INVALID_DATA"
    assert second["details"]["api_name"] == "No_Such_Field"


def test_more_than_100_records_is_rejected(zoho_http: httpx.Client, zh: dict[str, str]) -> None:
    data = [{"Account_Name": f"N{i}"} for i in range(101)]
    response = zoho_http.post("/crm/v8/Accounts", json={"data": data}, headers=zh)
    assert (response.status_code, response.json()["code"]) == (400, "LIMIT_EXCEEDED")


def test_unique_fields_reject_duplicates_with_the_duplicate_record(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    body = {"data": [{"Account_Name": "华腾科技", "Credit_Code": "91440300MA5XXXXX01"}]}
    assert zoho_http.post("/crm/v8/Accounts", json=body, headers=zh).status_code == 201
    new_id = next(iter(reversed(zoho.modules["Accounts"].rows)))
    renamed = zoho_http.put(
        "/crm/v8/Accounts", json={"data": [{"id": new_id, "Phone": "0755-1"}]}, headers=zh
    )
    assert renamed.status_code == 200  # update: all ok is 200, not 201
    retry = zoho_http.post("/crm/v8/Accounts", json=body, headers=zh)  # a retried insert
    assert retry.status_code == 400
    [result] = retry.json()["data"]
    assert result["code"] == "DUPLICATE_DATA"
    assert result["details"]["api_name"] == "Account_Name"
    assert result["details"]["duplicate_record"]["module"]["api_name"] == "Accounts"
    same_code = zoho_http.post(
        "/crm/v8/Accounts",
        json={"data": [{"Account_Name": "Other", "Credit_Code": "91440300ma5xxxxx01"}]},
        headers=zh,
    ).json()["data"][0]
    assert same_code["code"] == "DUPLICATE_DATA"
    assert same_code["details"]["api_name"] == "Credit_Code"


def test_upsert_matches_duplicate_check_fields_in_order(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    row = next(r for r in zoho.modules["Accounts"].rows.values() if r.fields.get("Credit_Code"))
    body = {
        "data": [
            {
                "Account_Name": "A brand new name",
                "Credit_Code": row.fields["Credit_Code"],
                "Phone": "1",
            },
            {"Account_Name": "Never seen before Ltd"},
        ],
        "duplicate_check_fields": ["Credit_Code"],
    }
    response = zoho_http.post("/crm/v8/Accounts/upsert", json=body, headers=zh)
    assert response.status_code == 200
    update, insert = response.json()["data"]
    assert (update["action"], update["duplicate_field"], update["details"]["id"]) == (
        "update",
        "Credit_Code",
        row.id,
    )
    assert (insert["action"], insert["duplicate_field"]) == ("insert", None)
    assert zoho.modules["Accounts"].rows[row.id].fields["Account_Name"] == "A brand new name"
    again = zoho_http.post("/crm/v8/Accounts/upsert", json={"data": body["data"][1:]}, headers=zh)
    assert again.json()["data"][0]["action"] == "update"  # default: Account_Name first
    assert again.json()["data"][0]["duplicate_field"] == "Account_Name"


def test_update_partial_with_bad_ids_and_if_unmodified_since(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    row_id = next(iter(zoho.modules["Accounts"].rows))
    response = zoho_http.put(
        "/crm/v8/Accounts",
        json={"data": [{"id": row_id, "Phone": "010-1"}, {"id": "1"}, {"Phone": "2"}]},
        headers=zh,
    )
    assert response.status_code == 207
    ok, bad, no_id = response.json()["data"]
    assert (ok["code"], ok["message"]) == ("SUCCESS", "record updated")
    assert (bad["code"], bad["details"]) == ("INVALID_DATA", {"id": "1"})
    assert no_id["code"] == "MANDATORY_NOT_FOUND"
    row = zoho.modules["Accounts"].rows[row_id]
    assert row.fields["Phone"] == "010-1"
    assert row.fields["Account_Name"]
    stale = zoho_http.put(
        f"/crm/v8/Accounts/{row_id}",
        json={"data": [{"Phone": "3"}]},
        headers={**zh, "If-Unmodified-Since": "2020-01-01T00:00:00+08:00"},
    )
    assert (stale.status_code, stale.json()["code"]) == (412, "ALREADY_MODIFIED")


def test_delete_batch_results_and_recycle_bin(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    first, second = list(zoho.modules["Deals"].rows)[:2]
    response = zoho_http.delete(
        "/crm/v8/Deals", params={"ids": f"{first},{second},999"}, headers=zh
    )
    assert response.status_code == 207
    assert [r["code"] for r in response.json()["data"]] == ["SUCCESS", "SUCCESS", "INVALID_DATA"]
    assert response.json()["data"][0]["details"] == {"id": first}
    third = next(iter(zoho.modules["Deals"].rows))
    assert zoho_http.delete("/crm/v8/Deals", params={"ids": third}, headers=zh).status_code == 200
    missing = zoho_http.delete("/crm/v8/Deals", headers=zh)
    assert (missing.status_code, missing.json()["code"]) == (400, "REQUIRED_PARAM_MISSING")
    assert first not in zoho.modules["Deals"]


def test_batch_failure_fault_fails_some_records(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    zoho.set_faults(batch_failure_rate=0.5, seed=3)
    data = [{"Account_Name": f"Batch {i}"} for i in range(20)]
    response = zoho_http.post("/crm/v8/Accounts", json={"data": data}, headers=zh)
    codes = [r["code"] for r in response.json()["data"]]
    assert response.status_code == 207
    assert 3 <= codes.count("INTERNAL_ERROR") <= 17
    assert codes.count("SUCCESS") + codes.count("INTERNAL_ERROR") == 20


def test_credits_run_out_with_429_and_header_from_half(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    zoho.set_limits(credits=8)
    params = {"fields": "Account_Name"}
    first = zoho_http.get("/crm/v8/Accounts", params=params, headers=zh)
    assert "X-API-CREDITS-REMAINING" not in first.headers
    batch = [{"Account_Name": f"Credit {i}"} for i in range(25)]
    write = zoho_http.post("/crm/v8/Accounts", json={"data": batch}, headers=zh)  # ceil(25/10)=3
    assert write.headers["X-API-CREDITS-REMAINING"] == "4"  # 4 of 8 used
    for _ in range(4):
        assert zoho_http.get("/crm/v8/Accounts", params=params, headers=zh).status_code == 200
    over = zoho_http.get("/crm/v8/Accounts", params=params, headers=zh)
    assert over.status_code == 429
    assert over.json()["code"] == "TOO_MANY_REQUESTS"
    assert "Retry-After" not in over.headers
    zoho.set_limits(token_ttl_s=10**6)  # the 24 h window rolls; the token must outlive it
    fresh = zoho_http.post(
        "/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            **{k: zoho.credentials()[k] for k in ("client_id", "client_secret", "refresh_token")},
        },
    ).json()["access_token"]
    zoho.clock.advance(86_400)
    again = zoho_http.get(
        "/crm/v8/Accounts", params=params, headers={"Authorization": f"Zoho-oauthtoken {fresh}"}
    )
    assert again.status_code == 200


def test_concurrency_cap_answers_429(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    import concurrent.futures

    zoho.set_limits(concurrency=2)
    zoho.set_faults(latency_ms=300)
    url = str(zoho_http.base_url)
    with (
        httpx.Client(base_url=url, timeout=10) as other,
        concurrent.futures.ThreadPoolExecutor(5) as pool,
    ):
        futures = [
            pool.submit(
                other.get, "/crm/v8/Accounts", params={"fields": "Account_Name"}, headers=zh
            )
            for _ in range(5)
        ]
        statuses = sorted(f.result().status_code for f in futures)
    assert statuses.count(429) >= 2
    assert statuses.count(200) >= 1
