"""Reading canonical records (their JSON form) by field path: `name`, `address.city`, `phones`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["texts_at", "value_at"]


def value_at(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, or None when any step is missing."""
    value: Any = record
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
        if value is None:
            return None
    return value


def texts_at(record: Mapping[str, Any], paths: Iterable[str]) -> list[str]:
    """Every non-blank text at the paths, lists flattened, numbers as text, in order."""
    found: list[str] = []
    for path in paths:
        value = value_at(record, path)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, bool) or item is None:
                continue
            text = str(item).strip()
            if text:
                found.append(text)
    return found
