"""Open a connection: the registry names the connector class, its settings model reads the
connection's config. This is how core and the command line get a `Connector`."""

from __future__ import annotations

from typing import Any, cast

from connectors.protocol import Connector
from connectors.registry import load_connector
from connectors.settings import ConnectionLike

__all__ = ["open_connector"]


def open_connector(name: str, config: ConnectionLike, **options: Any) -> Connector:
    """The connector for connection `name` (close it when done).

    Raises `UnknownConnectorError` for an unknown type, pydantic's `ValidationError` for bad
    options, and whatever resolving a secret raises (core: `MissingSecretError`). `options` go
    to the connector's constructor (tests pass `transport`, `sleep`, `now`)."""
    cls = load_connector(config.type)
    return cast(Connector, cls.from_connection(name, config, **options))
