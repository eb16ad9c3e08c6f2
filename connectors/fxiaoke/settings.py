"""A Fxiaoke connection's settings, validated from its config (options + credentials)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from connectors.fxiaoke.spec import FXIAOKE
from connectors.http.budget import BudgetSettings
from connectors.http.client import ClientSettings
from connectors.settings import ConnectionSettings
from mapping.model import EntityKind

__all__ = ["FxiaokeSettings"]


class FxiaokeSettings(ConnectionSettings):
    app_id: SecretStr
    app_secret: SecretStr
    permanent_code: SecretStr
    # the acting user (an administrator sees and may change every record): FSUID_<32 hex>
    current_open_user_id: str = Field(pattern=r"^FSUID_[0-9A-Za-z]+$")
    # owner of what crmhub creates when the record's owner has no user here (Fxiaoke refuses a
    # new record without one); default: the acting user above
    default_owner: str | None = Field(default=None, pattern=r"^FSUID_[0-9A-Za-z]+$")
    base_url: str = FXIAOKE.default_base_url
    # Fxiaoke workflows on our writes; off: a sync write repeats a change made elsewhere
    trigger_workflow: bool = False
    # search-before-create keys per entity (default: the spec's), each a list of fields
    duplicate_keys: dict[EntityKind, list[list[str]]] = Field(default_factory=dict)
    client: ClientSettings = Field(
        default_factory=lambda: ClientSettings(
            budget=BudgetSettings(concurrency=5, calls_per_endpoint=100, endpoint_window=20.0)
        )
    )

    def keys(self, kind: EntityKind) -> list[list[str]]:
        return self.duplicate_keys.get(kind, FXIAOKE.entity(kind).duplicate_keys)
