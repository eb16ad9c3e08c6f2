"""Open a connection: the registry names the connector class, its settings model reads the
connection's config. This is how core and the command line get a `Connector`."""

from __future__ import annotations

from typing import Any, cast

from connectors.protocol import Connector
from connectors.registry import load_connector
from connectors.settings import ConnectionLike

__all__ = ["open_connector", "owner_for_creates"]


def open_connector(name: str, config: ConnectionLike, **options: Any) -> Connector:
    """The connector for connection `name` (close it when done).

    Raises `UnknownConnectorError` for an unknown type, pydantic's `ValidationError` for bad
    options, and whatever resolving a secret raises (core: `MissingSecretError`). `options` go
    to the connector's constructor (tests pass `transport`, `sleep`, `now`)."""
    cls = load_connector(config.type)
    return cast(Connector, cls.from_connection(name, config, **options))


def owner_for_creates(config: ConnectionLike) -> str | None:
    """The CRM user id owning what crmhub creates in this connection when the record's owner
    has no user there: the `default_owner` option, else the connector's acting user (one that
    has it: Fxiaoke's `current_open_user_id`), else None (the CRM makes the API user owner)."""
    explicit = config.options.get("default_owner")
    if explicit:
        return str(explicit)
    cls = load_connector(config.type)
    acting = getattr(cls, "acting_user", None)
    return acting(config.options) if callable(acting) else None
