"""A Zoho connection's settings, validated from its config (options + credentials)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from connectors.http.budget import BudgetSettings
from connectors.http.client import ClientSettings
from connectors.settings import ConnectionSettings
from connectors.zoho.spec import ZOHO, DataCentre
from mapping.model import EntityKind

__all__ = ["Automation", "ZohoSettings"]

Automation = Literal["workflow", "approval", "blueprint", "pathfinder", "orchestration"]


class ZohoSettings(ConnectionSettings):
    client_id: SecretStr
    client_secret: SecretStr
    refresh_token: SecretStr
    data_centre: str = "us"
    # overrides of the data centre's hosts (an emulator serves both at `base_url`)
    accounts_url: str | None = None
    # Zoho automation our writes set off. Default none: a sync write repeats a change made
    # elsewhere; running workflows, approvals or blueprints again would send mails, change
    # fields and echo back. Name the ones the org relies on to run them on purpose.
    trigger: list[Automation] = Field(default_factory=list)
    # extra fields to read per entity (custom fields), on top of the spec's list
    extra_fields: dict[EntityKind, list[str]] = Field(default_factory=dict)
    # `duplicate_check_fields` per entity for upserts (default: the spec's keys, in order)
    duplicate_check_fields: dict[EntityKind, list[str]] = Field(default_factory=dict)
    # A create re-sent after a lost answer first reads the records changed since its first
    # push (`lookback`). A create retried for hours could mean reading a whole busy module on
    # every retry: past this many records it is dead-lettered for an operator instead.
    look_back_limit: int = Field(default=5000, ge=200)
    client: ClientSettings = Field(
        default_factory=lambda: ClientSettings(budget=BudgetSettings(concurrency=10))
    )

    @model_validator(mode="after")
    def _known_data_centre(self) -> ZohoSettings:
        if self.data_centre not in ZOHO.data_centres:
            known = ", ".join(sorted(ZOHO.data_centres))
            raise ValueError(f"unknown data centre {self.data_centre!r} (known: {known})")
        for kind, extra in self.extra_fields.items():
            total = len(ZOHO.entity(kind).fields) + len(extra)
            if total > ZOHO.max_fields:
                raise ValueError(
                    f"{kind} would read {total} fields; Zoho allows {ZOHO.max_fields} a call"
                )
        return self

    def hosts(self) -> DataCentre:
        """Token server and API host: the data centre's, unless `base_url`/`accounts_url` say."""
        dc = ZOHO.data_centres[self.data_centre]
        api = (self.base_url or dc.api_domain).rstrip("/")
        accounts = (self.accounts_url or self.base_url or dc.accounts_url).rstrip("/")
        return DataCentre(accounts_url=accounts, api_domain=api)

    def fields(self, kind: EntityKind) -> list[str]:
        return [*ZOHO.entity(kind).fields, *self.extra_fields.get(kind, [])]

    def check_fields(self, kind: EntityKind) -> list[str]:
        configured = self.duplicate_check_fields.get(kind)
        if configured is not None:
            return configured
        return [field for key in ZOHO.entity(kind).duplicate_keys for field in key]
