"""Canonical records as flat field paths, compared the way the sync compares them.

A record in JSON form (`model_dump(mode="json")`) is seen as fields: top-level values, plus the
parts of the two groups whose parts CRMs hold separately (`address.city`, `custom.credit_code`).
Lists, money, references and the owner are whole values. Blank values (None, "", [], {}) are
no value at all: a CRM that sends an empty string holds what a CRM that sends nothing holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from core.merging import is_blank

__all__ = [
    "GROUPS",
    "fingerprint",
    "flatten",
    "get_path",
    "same",
    "set_path",
    "top_of",
    "unflatten",
]

# fields whose parts are separate fields (one CRM may hold the city and not the postal code)
GROUPS = ("address", "custom")


def top_of(path: str) -> str:
    return path.split(".", 1)[0]


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's non-blank fields by path."""
    fields: dict[str, Any] = {}
    for name, value in record.items():
        if name in GROUPS and isinstance(value, Mapping):
            for part, inner in value.items():
                if not is_blank(inner):
                    fields[f"{name}.{part}"] = inner
        elif not is_blank(value):
            fields[name] = value
    return fields


def unflatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The record of `flatten`'s form (blank fields left out)."""
    record: dict[str, Any] = {}
    for path, value in fields.items():
        if is_blank(value):
            continue
        group, dot, part = path.partition(".")
        if dot and group in GROUPS:
            record.setdefault(group, {})[part] = value
        else:
            record[path] = value
    return record


def get_path(record: Mapping[str, Any], path: str) -> Any:
    group, dot, part = path.partition(".")
    if dot and group in GROUPS:
        inner = record.get(group)
        value = inner.get(part) if isinstance(inner, Mapping) else None
    else:
        value = record.get(path)
    return None if is_blank(value) else value


def set_path(record: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `record` with `path` set (a blank value removes it)."""
    fields = flatten(record)
    if is_blank(value):
        fields.pop(path, None)
    else:
        fields[path] = value
    return unflatten(fields)


def same(a: Any, b: Any) -> bool:
    """Equal as the sync sees values: blanks are all the same nothing."""
    if is_blank(a) or is_blank(b):
        return is_blank(a) and is_blank(b)
    return bool(a == b)


def fingerprint(values: Any) -> str:
    """A stable hash of JSON values (key order does not matter)."""
    text = json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()
