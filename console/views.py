"""Small helpers pages share: how an entity is named, how ids from URLs and forms are read."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

__all__ = ["entity_label", "parse_uuid", "status_filter"]


def entity_label(data: Mapping[str, Any] | None, entity_id: uuid.UUID | str | None) -> str:
    """A customer's or opportunity's name, a contact's full name, else the id."""
    data = data or {}
    for key in ("name", "full_name"):
        if isinstance(data.get(key), str) and data[key].strip():
            return str(data[key])
    names = [data.get("last_name"), data.get("first_name")]
    joined = " ".join(n for n in names if isinstance(n, str) and n)
    return joined or str(entity_id or "?")


def parse_uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def status_filter(value: str, default: str, allowed: tuple[str, ...]) -> str | None:
    """The status a list shows: `default` when none is asked, None for `all`."""
    if value == "all":
        return None
    return value if value in allowed else default
