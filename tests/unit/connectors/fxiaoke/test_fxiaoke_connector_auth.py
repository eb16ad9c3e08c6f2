from __future__ import annotations

import logging

import pytest
from fakes.fxiaoke import SECRETS, USER, FakeTenant, minutes, row

from connectors.fxiaoke import FxiaokeConnector
from connectors.http import AuthError, ConfigError, RemoteError, TransientError
from mapping.model import EntityKind


def test_every_body_carries_the_token_the_corp_and_on_crm_calls_the_acting_user(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    tenant.objects["AccountObj"] = [row(1, minutes(1))]
    list(connector.pull(EntityKind.CUSTOMER, None))
    connector.list_owners()
    (token_path, token_body), (_, query), (_, users) = tenant.requests
    assert token_path == "/cgi/corpAccessToken/get/V2"
    assert token_body == dict(zip(("appId", "appSecret", "permanentCode"), SECRETS, strict=True))
    assert query["corpAccessToken"] == "TOKEN000000000000000000000000001"
    assert query["corpId"] == "FSCID_CORP"
    assert query["currentOpenUserId"] == USER
    assert users["corpId"] == "FSCID_CORP"
    assert "currentOpenUserId" not in users


def test_an_expired_token_mid_pull_is_refreshed_once_and_the_page_replayed(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    tenant.objects["AccountObj"] = [row(n, minutes(n / 10)) for n in range(250)]
    tenant.on_query = lambda count: tenant.expire_tokens() if count == 2 else None
    got = [r.remote_id for p in connector.pull(EntityKind.CUSTOMER, None) for r in p.records]
    assert got == [r["_id"] for r in tenant.objects["AccountObj"]]
    assert tenant.issued == 2
    assert connector.auth.refreshes == 2


def test_a_token_refused_after_refresh_fails_without_looping(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    tenant.fail_next["/cgi/crm/v2/data/query"] = [20016, 20016, 20016]
    with pytest.raises(AuthError):
        list(connector.pull(EntityKind.CUSTOMER, None))
    assert tenant.issued == 2


def test_wrong_credentials_are_an_auth_error_without_secrets(
    make_connector: type, tenant: FakeTenant, caplog: pytest.LogCaptureFixture
) -> None:
    from pydantic import SecretStr

    caplog.set_level(logging.DEBUG)
    connector = make_connector(permanent_code=SecretStr("WRONG-PERMANENT-CODE"))
    with pytest.raises(AuthError) as raised:
        connector.list_owners()
    assert "20015" in str(raised.value)
    for text in [str(raised.value), *(r.getMessage() for r in caplog.records)]:
        assert "WRONG-PERMANENT-CODE" not in text
        assert not any(secret in text for secret in SECRETS)


@pytest.mark.parametrize("code", [-1, 50009, 14001, 30004])
def test_busy_and_throttled_codes_in_200_answers_are_retried(
    connector: FxiaokeConnector, tenant: FakeTenant, sleeps: list[float], code: int
) -> None:
    tenant.objects["AccountObj"] = [row(1, minutes(1))]
    tenant.fail_next["/cgi/crm/v2/data/query"] = [code, code]
    pages = list(connector.pull(EntityKind.CUSTOMER, None))
    assert len(pages) == 1
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (30002, TransientError),  # daily quota: transient, but not worth spinning on
        (10006, ConfigError),
        (20014, ConfigError),
        (15002, RemoteError),
        (320001234, RemoteError),  # an unknown business code
    ],
)
def test_other_codes_are_raised_at_once(
    connector: FxiaokeConnector, tenant: FakeTenant, sleeps: list[float], code: int, error: type
) -> None:
    tenant.fail_next["/cgi/crm/v2/data/query"] = [code]
    with pytest.raises(error) as raised:
        list(connector.pull(EntityKind.CUSTOMER, None))
    assert raised.value.code == str(code)
    assert sleeps == []
