"""The Fxiaoke emulator's limits and credentials (all changeable: POST /__admin/limits)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FxiaokeCredentials", "FxiaokeLimits"]


def _required() -> dict[str, list[str]]:
    return {
        "AccountObj": ["name", "owner"],
        "ContactObj": ["name", "owner", "account_id"],
        "NewOpportunityObj": [
            "name",
            "owner",
            "account_id",
            "close_date",
            "sales_process_id",
            "sales_stage",
        ],
    }


class FxiaokeLimits(BaseModel):
    """Numbers from the reference (§6, §10, §11); every one is a guess the tests can tighten."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    token_ttl_s: int = Field(default=7200, ge=1)
    token_renew_window_s: int = Field(default=600, ge=0)  # a new token only this close to expiry
    token_calls_per_min: int = Field(default=10, ge=1)
    endpoint_calls: int = Field(default=100, ge=1)  # per endpoint …
    endpoint_window_s: float = Field(default=20.0, gt=0)  # … in this many seconds
    rate_limit_code: Literal[14001, 30004] = 14001
    daily_quota: int | None = Field(default=None, ge=1)  # calls per day (resets 00:00 +08:00)
    quota_purchased: bool = True  # False: every call is 30003
    max_limit: int = Field(default=100, ge=1)
    limit_mode: Literal["reject", "clamp"] = "reject"
    default_limit: int = Field(default=20, ge=1)
    max_window: int = Field(default=10_000, ge=1)  # offset + limit beyond this → 10013
    total_mode: Literal["always", "explicit"] = "always"  # explicit: total=0 unless asked
    required: dict[str, list[str]] = Field(default_factory=_required)
    duplicate_rules: dict[str, list[str]] = Field(default_factory=lambda: {"AccountObj": ["name"]})


@dataclass(frozen=True, slots=True)
class FxiaokeCredentials:
    app_id: str
    app_secret: str
    permanent_code: str
    corp_id: str

    @classmethod
    def from_seed(cls, seed: int) -> FxiaokeCredentials:
        def digest(what: str) -> str:
            return hashlib.sha256(f"fxiaoke-{what}-{seed}".encode()).hexdigest()

        return cls(
            app_id="FSAID_" + digest("app")[:7],
            app_secret=digest("secret")[:32],
            permanent_code=digest("permanent")[:32].upper(),
            corp_id="FSCID_" + digest("corp")[:32].upper(),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "appId": self.app_id,
            "appSecret": self.app_secret,
            "permanentCode": self.permanent_code,
            "corpId": self.corp_id,
        }

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
