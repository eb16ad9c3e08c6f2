"""The Zoho emulator's limits and credentials (all changeable: POST /__admin/limits)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ZohoCredentials", "ZohoLimits"]

FULL_SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.users.READ,ZohoCRM.settings.fields.READ"


class ZohoLimits(BaseModel):
    """Numbers from the reference; the defaults are a Professional-edition org."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    token_ttl_s: int = Field(default=3600, ge=1)
    token_refresh_limit: int = Field(default=10, ge=1)  # access tokens per refresh token …
    token_refresh_window_s: int = Field(default=600, ge=1)  # … in this many seconds
    max_access_tokens: int = Field(default=15, ge=1)  # active per refresh token; oldest dropped
    grant_code_ttl_s: int = Field(default=180, ge=1)
    credits: int = Field(default=100_000, ge=1)  # rolling budget …
    credits_window_s: int = Field(default=86_400, ge=1)  # … over 24 h
    records_per_credit: int = Field(default=10, ge=1)  # a write of n records costs ceil(n/10)
    concurrency: int = Field(default=15, ge=1)  # in-flight calls (Professional)
    max_per_page: int = Field(default=200, ge=1)
    max_fields: int = Field(default=50, ge=1)
    max_batch: int = Field(default=100, ge=1)
    page_wall: int = Field(default=2000, ge=1)  # page*per_page beyond this needs page_token
    page_token_cap: int = Field(default=100_000, ge=1)  # records reachable with page_token
    page_token_ttl_s: int = Field(default=86_400, ge=1)
    time_zone: str = "Asia/Shanghai"  # the API user's zone: datetimes carry its offset
    api_domain: str | None = None  # returned with tokens; None = this server's own URL


@dataclass(frozen=True, slots=True)
class ZohoCredentials:
    """A self-client: client id and secret plus one refresh token with full CRM scope."""

    client_id: str
    client_secret: str
    refresh_token: str
    scope: str = FULL_SCOPE

    @classmethod
    def from_seed(cls, seed: int) -> ZohoCredentials:
        def digest(what: str) -> str:
            return hashlib.sha256(f"zoho-{what}-{seed}".encode()).hexdigest()

        return cls(
            client_id="1000." + digest("client").upper()[:30],
            client_secret=digest("secret")[:42],
            refresh_token=f"1000.{digest('refresh')[:32]}.{digest('refresh2')[:32]}",
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
