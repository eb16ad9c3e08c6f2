"""Structured logs per connection: fields in `extra`, every message and field scrubbed."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from connectors.http.redact import Scrubber

__all__ = ["LOGGER_NAME", "ConnectionLog"]

LOGGER_NAME = "crmhub.connectors"


class ConnectionLog(logging.LoggerAdapter[logging.Logger]):
    """`log.info("call", extra={"endpoint": ..., "status": ...})` with the connection attached.

    Each record carries `connection` plus the given fields as attributes (for JSON or key=value
    formatters) and a message that ends in `key=value` pairs for plain handlers.
    """

    def __init__(self, connection: str, scrubber: Scrubber, logger: logging.Logger | None = None):
        super().__init__(logger or logging.getLogger(LOGGER_NAME), {"connection": connection})
        self.scrub = scrubber

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        fields = {
            key: self.scrub(value) if isinstance(value, str) else value
            for key, value in (kwargs.pop("extra", None) or {}).items()
        }
        pairs = " ".join(f"{key}={value}" for key, value in fields.items())
        text = self.scrub(f"{msg} {pairs}" if pairs else str(msg))
        kwargs["extra"] = {**(self.extra or {}), **fields, "fields": fields}
        return text, kwargs
