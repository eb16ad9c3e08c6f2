"""Who owns what crmhub creates in a connection when the record's owner has no user there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from connectors.connect import owner_for_creates
from connectors.fxiaoke import FxiaokeSettings

ACTING = "FSUID_6696A6D4B21C8EE0BF6EDF49C5062FD3"


@dataclass
class _Connection:
    type: str
    options: Mapping[str, Any] = field(default_factory=dict)
    base_url: str | None = None
    data_centre: str | None = None
    credentials: Mapping[str, Any] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"


def test_the_declared_default_owner_comes_first() -> None:
    options = {"current_open_user_id": ACTING, "default_owner": "FSUID_1"}
    assert owner_for_creates(_Connection("fxiaoke", options)) == "FSUID_1"
    assert owner_for_creates(_Connection("zoho", {"default_owner": "7160586904082299318"})) == (
        "7160586904082299318"
    )


def test_fxiaoke_falls_back_to_its_acting_user_and_zoho_to_nobody() -> None:
    assert owner_for_creates(_Connection("fxiaoke", {"current_open_user_id": ACTING})) == ACTING
    assert owner_for_creates(_Connection("zoho")) is None  # Zoho makes the API user owner


def test_a_fxiaoke_default_owner_must_be_an_open_user_id() -> None:
    secret = SecretStr("x")
    common = {"app_id": secret, "app_secret": secret, "permanent_code": secret}
    with pytest.raises(ValidationError, match="default_owner"):
        FxiaokeSettings(current_open_user_id=ACTING, default_owner="zhou.min@example.com", **common)
