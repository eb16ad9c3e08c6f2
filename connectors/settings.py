"""Typed connection settings, built from a connection's config without importing core.

Core hands a connector its connection config (anything shaped like `ConnectionLike`: core's
`ConnectionConfig` is); `settings_data` flattens it (options, resolved credentials, base URL,
data centre, time zone) into the dict a connector's own pydantic settings model validates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.http.client import ClientSettings

__all__ = ["ConnectionLike", "ConnectionSettings", "SecretSource", "settings_data"]


class SecretSource(Protocol):
    def resolve(self) -> SecretStr: ...


class ConnectionLike(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def base_url(self) -> str | None: ...

    @property
    def data_centre(self) -> str | None: ...

    @property
    def credentials(self) -> Mapping[str, SecretSource]: ...

    @property
    def timezone(self) -> str: ...

    @property
    def options(self) -> Mapping[str, Any]: ...


def settings_data(config: ConnectionLike) -> dict[str, Any]:
    """Options first; credentials, base URL, data centre and time zone from their own keys."""
    data: dict[str, Any] = dict(config.options)
    data.update({name: secret.resolve() for name, secret in config.credentials.items()})
    if config.base_url is not None:
        data["base_url"] = config.base_url
    if config.data_centre is not None:
        data["data_centre"] = config.data_centre
    data["timezone"] = config.timezone
    return data


class ConnectionSettings(BaseModel):
    """What every connector's settings share."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None
    timezone: str = "Asia/Shanghai"
    # how long after stamping a row's modified time the CRM may commit it: the next run
    # re-reads this far behind the server time (Date header) the last one started at
    # (`connectors.incremental`); rows seen are dropped. None: use the overlap only
    commit_lag_seconds: float | None = Field(default=60.0, ge=0.0)
    # without the CRM's Date header: re-read this far behind the watermark (late writers and
    # clock skew)
    overlap_seconds: float = Field(default=300.0, ge=1.0)
    # a run stops this far before its start (the CRM's clock may lag ours)
    signpost_lag_seconds: float = Field(default=1.0, ge=0.0)
    client: ClientSettings = Field(default_factory=ClientSettings)
    # the CRM user id owning what crmhub creates there when the record's owner has no user in
    # that CRM (policies.yaml `targets.<conn>.default_owner`, by e-mail, comes first)
    default_owner: str | None = Field(default=None, min_length=1)

    @property
    def overlap(self) -> timedelta:
        return timedelta(seconds=self.overlap_seconds)

    @property
    def commit_lag(self) -> timedelta | None:
        if self.commit_lag_seconds is None:
            return None
        return timedelta(seconds=self.commit_lag_seconds)

    @property
    def signpost_lag(self) -> timedelta:
        return timedelta(seconds=self.signpost_lag_seconds)
