"""Connector types by name. Modules are imported only when a connection of that type is used.

Adding a CRM is a new package under `connectors/` and one line here.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

__all__ = ["UnknownConnectorError", "connector_names", "load_connector"]

# name -> "module:attribute" (kombu-style aliases: cheap to list, imported on first use)
CONNECTORS: dict[str, str] = {
    "zoho": "connectors.zoho:ZohoConnector",
    "fxiaoke": "connectors.fxiaoke:FxiaokeConnector",
}


class UnknownConnectorError(LookupError):
    def __init__(self, name: str) -> None:
        close = difflib.get_close_matches(name, CONNECTORS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(
            f"unknown connector type {name!r} (known: {', '.join(sorted(CONNECTORS))}){hint}"
        )
        self.suggestion = close[0] if close else None


def connector_names() -> list[str]:
    return sorted(CONNECTORS)


def load_connector(name: str) -> Any:
    """The connector class registered under `name`."""
    try:
        target = CONNECTORS[name]
    except KeyError:
        raise UnknownConnectorError(name) from None
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)
