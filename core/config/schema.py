"""The main config file (`config/crmhub.yaml`): database, broker, connections, section files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from connectors.registry import CONNECTORS
from core.config.errors import did_you_mean
from core.config.secrets import EnvSecret

__all__ = ["BrokerConfig", "ConnectionConfig", "DatabaseConfig", "HubConfig", "Schedule", "Strict"]

_DURATION = re.compile(r"^(\d+)(s|m|h|d)$")
_CONNECTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class Strict(BaseModel):
    """Config models refuse unknown keys (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(Strict):
    # None: $CRMHUB_DATABASE_URL or the SQLite file in $CRMHUB_HOME
    url: str | None = None


class BrokerConfig(Strict):
    # None: the embedded broker on the local database; else redis://… or amqp://…
    url: str | None = None


class Schedule(Strict):
    every: str | None = None
    cron: str | None = None

    @field_validator("every")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None and not _DURATION.match(value):
            raise PydanticCustomError(
                "duration",
                "is not a duration",
                {"fix": "write a number and a unit: 30s, 15m, 2h, 1d"},
            )
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and not croniter.is_valid(value):
            raise PydanticCustomError(
                "cron",
                "is not a cron expression",
                {"fix": "five fields: minute hour day month weekday, e.g. `*/15 * * * *`"},
            )
        return value

    @model_validator(mode="after")
    def _one_of(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise PydanticCustomError(
                "schedule", "give exactly one of `every` or `cron`", {"fix": "e.g. `every: 15m`"}
            )
        return self

    def seconds(self) -> int | None:
        if self.every is None:
            return None
        match = _DURATION.match(self.every)
        assert match is not None
        return int(match[1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]


class ConnectionConfig(Strict):
    """One CRM account crmhub syncs with."""

    type: str
    base_url: str | None = None
    data_centre: str | None = None
    credentials: dict[str, EnvSecret] = Field(default_factory=dict)
    mapping: Path | None = None
    # region for phone numbers written without a country code (ISO 3166-1 alpha-2)
    default_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "CN"
    timezone: str = "Asia/Shanghai"
    schedule: Schedule | None = None
    enabled: bool = True
    # connector-specific settings; the connector's own model validates them
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in CONNECTORS:
            guess = did_you_mean(value, CONNECTORS)
            raise PydanticCustomError(
                "connector_type",
                "is not a connector type (known: {known})",
                {
                    "known": ", ".join(sorted(CONNECTORS)),
                    "fix": f"did you mean `{guess}`?" if guess else "use a known connector type",
                },
            )
        return value


class HubConfig(Strict):
    """The whole config. Section files are paths relative to this file."""

    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    broker: BrokerConfig = Field(default_factory=BrokerConfig)
    connections: dict[str, ConnectionConfig] = Field(default_factory=dict)
    matching: Path | None = None
    assignment: Path | None = None
    policies: Path | None = None
    workers: Path | None = None

    @field_validator("connections")
    @classmethod
    def _names(cls, value: dict[str, ConnectionConfig]) -> dict[str, ConnectionConfig]:
        for name in value:
            if not _CONNECTION_NAME.match(name):
                raise PydanticCustomError(
                    "connection_name",
                    "connection name `{name}` is not a lower-case identifier",
                    {
                        "name": name,
                        "fix": "use a-z, 0-9 and _, starting with a letter (e.g. zoho_cn)",
                    },
                )
        return value
