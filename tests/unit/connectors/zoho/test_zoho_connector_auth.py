from __future__ import annotations

import logging
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from fakes.zoho import ACCOUNTS, API, NOW, SECRETS, error

from connectors.http import MASK, AuthError, ConfigError, RemoteError
from connectors.zoho import ZohoConnector, ZohoSettings
from mapping.model import EntityKind


def token_answer(value: str, **extra: object) -> dict[str, object]:
    return {"access_token": value, "api_domain": API, "expires_in": 3600, **extra}


def test_the_first_call_fetches_a_token_with_the_refresh_grant(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    users = zoho.get(f"{API}/crm/v8/users").respond(200, json={"users": [], "info": {}})
    connector.list_owners()
    form = parse_qs(zoho["token"].calls.last.request.content.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "client_id": [SECRETS[0]],
        "client_secret": [SECRETS[1]],
        "refresh_token": [SECRETS[2]],
    }
    assert (
        users.calls.last.request.headers["Authorization"] == "Zoho-oauthtoken 1000.access-token-one"
    )


def test_calls_go_to_the_api_domain_the_token_names(connector: ZohoConnector) -> None:
    eu = "https://www.zohoapis.eu"
    with respx.mock(assert_all_called=True) as remote:
        remote.post(f"{ACCOUNTS}/oauth/v2/token").respond(
            200, json={"access_token": "1000.eu-token-xyz", "api_domain": eu, "expires_in": 3600}
        )
        users = remote.get(f"{eu}/crm/v8/users").respond(200, json={"users": []})
        connector.list_owners()
    assert users.calls.last.request.url.host == "www.zohoapis.eu"


def test_a_refused_token_is_refreshed_once_and_the_call_replayed(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    zoho["token"].mock(
        side_effect=[
            httpx.Response(200, json=token_answer("1000.first-token-aa")),
            httpx.Response(200, json=token_answer("1000.second-token-bb")),
        ]
    )
    users = zoho.get(f"{API}/crm/v8/users").mock(
        side_effect=[
            httpx.Response(401, json=error("INVALID_TOKEN")),
            httpx.Response(
                200, json={"users": [{"id": "1", "full_name": "Pat", "status": "active"}]}
            ),
        ]
    )
    owners = connector.list_owners()
    assert [o.name for o in owners] == ["Pat"]
    assert zoho["token"].call_count == 2
    sent = [c.request.headers["Authorization"] for c in users.calls]
    assert sent == ["Zoho-oauthtoken 1000.first-token-aa", "Zoho-oauthtoken 1000.second-token-bb"]
    assert connector.auth.refreshes == 2


def test_a_token_refused_again_after_refresh_fails_without_looping(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    users = zoho.get(f"{API}/crm/v8/users").respond(401, json=error("INVALID_TOKEN"))
    with pytest.raises(AuthError) as raised:
        connector.list_owners()
    assert raised.value.code == "INVALID_TOKEN"
    assert zoho["token"].call_count == 2
    assert users.call_count == 2


def test_a_missing_scope_is_a_config_error_not_a_refresh(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    zoho.get(f"{API}/crm/v8/users").respond(401, json=error("OAUTH_SCOPE_MISMATCH"))
    with pytest.raises(ConfigError) as raised:
        connector.list_owners()
    assert raised.value.code == "OAUTH_SCOPE_MISMATCH"
    assert zoho["token"].call_count == 1


@pytest.mark.parametrize("answer", ["invalid_code", "invalid_client"])
def test_token_errors_in_a_200_answer_are_auth_errors_without_secrets(
    connector: ZohoConnector, answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with respx.mock(assert_all_called=True) as remote:
        remote.post(f"{ACCOUNTS}/oauth/v2/token").respond(200, json={"error": answer})
        with pytest.raises(AuthError) as raised:
            connector.list_owners()
    assert answer in str(raised.value)
    for text in [str(raised.value), *(r.getMessage() for r in caplog.records)]:
        assert not any(secret in text for secret in SECRETS)


def test_a_throttled_token_endpoint_is_retried(
    connector: ZohoConnector, sleeps: list[float]
) -> None:
    with respx.mock(assert_all_called=True) as remote:
        remote.post(f"{ACCOUNTS}/oauth/v2/token").mock(
            side_effect=[
                httpx.Response(
                    200, json={"error": "Access Denied", "error_description": "too many"}
                ),
                httpx.Response(200, json=token_answer("1000.late-token-cc")),
            ]
        )
        remote.get(f"{API}/crm/v8/users").respond(200, json={"users": []})
        connector.list_owners()
    assert len(sleeps) == 1


def test_an_expiring_token_is_renewed_before_use(
    settings: ZohoSettings, sleeps: list[float]
) -> None:
    ticks = [0.0]
    made = ZohoConnector(
        "zoho_test", settings, sleep=sleeps.append, clock=lambda: ticks[0], now=lambda: NOW
    )
    try:
        with respx.mock(assert_all_called=True) as remote:
            token = remote.post(f"{ACCOUNTS}/oauth/v2/token").mock(
                side_effect=[
                    # the legacy answer: expires_in in ms next to expires_in_sec
                    httpx.Response(
                        200,
                        json=token_answer(
                            "1000.t1-aaaa", expires_in=3_600_000, expires_in_sec=3600
                        ),
                    ),
                    httpx.Response(200, json=token_answer("1000.t2-bbbb")),
                ]
            )
            remote.get(f"{API}/crm/v8/users").respond(200, json={"users": []})
            made.list_owners()
            ticks[0] = 3000.0  # still valid
            made.list_owners()
            assert token.call_count == 1
            ticks[0] = 3500.0  # inside the early-refresh margin
            made.list_owners()
            assert token.call_count == 2
    finally:
        made.close()


def test_the_token_value_is_masked_in_errors(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    zoho.get(f"{API}/crm/v8/Accounts").respond(
        400, json={**error("INVALID_DATA"), "message": "token 1000.access-token-one is odd"}
    )
    with pytest.raises(RemoteError) as raised:
        list(connector.pull(EntityKind.CUSTOMER, None))
    assert "1000.access-token-one" not in str(raised.value)
    assert MASK in str(raised.value)
