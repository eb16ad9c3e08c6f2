"""Zoho §9.1–2: the token endpoint's HTTP-200 quirks, Zoho-oauthtoken auth, expiry, api_domain."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from connectors.emulator.serve import running
from connectors.zoho.emulator import ZohoEmulator

FIELDS = {"fields": "Account_Name"}


def _refresh(client: httpx.Client, zoho: ZohoEmulator, **override: str) -> httpx.Response:
    creds = zoho.credentials()
    data = {
        "grant_type": "refresh_token",
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
        "refresh_token": creds["refresh_token"],
        **override,
    }
    return client.post("/oauth/v2/token", data=data)


def test_refresh_returns_token_api_domain_and_no_refresh_token(
    zoho: ZohoEmulator, zoho_http: httpx.Client
) -> None:
    response = _refresh(zoho_http, zoho)
    body = response.json()
    assert response.status_code == 200
    assert body["access_token"].startswith("1000.")
    assert body["api_domain"] == str(zoho_http.base_url).rstrip("/")
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert "refresh_token" not in body


def test_token_errors_are_http_200_with_an_error_key(
    zoho: ZohoEmulator, zoho_http: httpx.Client
) -> None:
    bad_client = _refresh(zoho_http, zoho, client_secret="wrong")
    bad_code = _refresh(zoho_http, zoho, refresh_token="1000.nope.nope")
    assert (bad_client.status_code, bad_client.json()) == (200, {"error": "invalid_client"})
    assert (bad_code.status_code, bad_code.json()) == (200, {"error": "invalid_code"})


def test_more_than_ten_refreshes_in_ten_minutes_are_access_denied(
    zoho: ZohoEmulator, zoho_http: httpx.Client
) -> None:
    for _ in range(10):
        assert "access_token" in _refresh(zoho_http, zoho).json()
    denied = _refresh(zoho_http, zoho)
    assert denied.status_code == 200
    assert denied.json()["error"] == "Access Denied"
    assert "access_token" not in denied.json()
    zoho.clock.advance(601)
    assert "access_token" in _refresh(zoho_http, zoho).json()


def test_only_zoho_oauthtoken_is_accepted(
    zoho_http: httpx.Client, zoho_token: Callable[[], str]
) -> None:
    token = zoho_token()
    missing = zoho_http.get("/crm/v8/Accounts", params=FIELDS)
    bearer = zoho_http.get(
        "/crm/v8/Accounts", params=FIELDS, headers={"Authorization": f"Bearer {token}"}
    )
    unknown = zoho_http.get(
        "/crm/v8/Accounts", params=FIELDS, headers={"Authorization": "Zoho-oauthtoken 1000.x.y"}
    )
    ok = zoho_http.get(
        "/crm/v8/Accounts", params=FIELDS, headers={"Authorization": f"Zoho-oauthtoken {token}"}
    )
    assert (missing.status_code, missing.json()["code"]) == (401, "AUTHENTICATION_FAILURE")
    assert (bearer.status_code, bearer.json()["code"]) == (401, "AUTHENTICATION_FAILURE")
    assert unknown.status_code == 401
    assert unknown.json() == {
        "code": "INVALID_TOKEN",
        "details": {},
        "message": "invalid oauth token",
        "status": "error",
    }
    assert ok.status_code == 200


def test_access_token_expires_after_its_lifetime(
    zoho: ZohoEmulator, zoho_http: httpx.Client, zh: dict[str, str]
) -> None:
    assert zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=zh).status_code == 200
    zoho.clock.advance(3600)
    expired = zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=zh)
    assert (expired.status_code, expired.json()["code"]) == (401, "INVALID_TOKEN")


def test_token_lifetime_is_configurable(zoho: ZohoEmulator, zoho_http: httpx.Client) -> None:
    zoho.set_limits(token_ttl_s=5)
    body = _refresh(zoho_http, zoho).json()
    assert body["expires_in"] == 5
    zoho.clock.advance(5)
    headers = {"Authorization": f"Zoho-oauthtoken {body['access_token']}"}
    assert zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=headers).status_code == 401


def test_scope_mismatch_is_401(zoho: ZohoEmulator, zoho_http: httpx.Client) -> None:
    creds = zoho.credentials()
    narrow = zoho.tokens.add_refresh_token(
        creds["client_id"], "ZohoCRM.modules.accounts.READ", creds["user_id"]
    )
    token = _refresh(zoho_http, zoho, refresh_token=narrow).json()["access_token"]
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    assert zoho_http.get("/crm/v8/Accounts", params=FIELDS, headers=headers).status_code == 200
    denied = zoho_http.get("/crm/v8/Deals", params={"fields": "Deal_Name"}, headers=headers)
    write = zoho_http.post(
        "/crm/v8/Accounts", json={"data": [{"Account_Name": "X"}]}, headers=headers
    )
    for response in (denied, write):
        assert response.status_code == 401
        assert response.json() == {
            "code": "OAUTH_SCOPE_MISMATCH",
            "details": {},
            "message": "Unauthorized",
            "status": "error",
        }


def test_authorization_code_grant_returns_a_refresh_token(
    zoho: ZohoEmulator, zoho_http: httpx.Client
) -> None:
    creds = zoho.credentials()
    code = zoho.tokens.issue_grant_code(creds["client_id"], creds["scope"], creds["user_id"])
    data = {
        "grant_type": "authorization_code",
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
        "code": code,
        "redirect_uri": "http://localhost/cb",
    }
    first = zoho_http.post("/oauth/v2/token", data=data).json()
    again = zoho_http.post("/oauth/v2/token", data=data).json()
    assert first["refresh_token"].startswith("1000.")
    assert "access_token" in first
    assert again == {"error": "invalid_code"}  # a grant code is single use


def test_api_domain_is_another_host_and_served_only_there(zoho: ZohoEmulator) -> None:
    # one emulator on two ports: the accounts server and the API domain of its "DC"
    with running(zoho) as accounts, running(zoho) as api, httpx.Client(timeout=10) as client:
        zoho.set_limits(api_domain=api)
        creds = zoho.credentials()
        body = client.post(
            f"{accounts}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "refresh_token": creds["refresh_token"],
            },
        ).json()
        assert body["api_domain"] == api
        headers = {"Authorization": f"Zoho-oauthtoken {body['access_token']}"}
        good = client.get(f"{api}/crm/v8/Accounts", params=FIELDS, headers=headers)
        wrong_host = client.get(f"{accounts}/crm/v8/Accounts", params=FIELDS, headers=headers)
        token_on_api = client.post(f"{api}/oauth/v2/token", data={"grant_type": "refresh_token"})
    assert good.status_code == 200
    assert (wrong_host.status_code, wrong_host.json()["code"]) == (400, "INVALID_HOST")
    assert (token_on_api.status_code, token_on_api.json()["code"]) == (404, "INVALID_URL_PATTERN")
