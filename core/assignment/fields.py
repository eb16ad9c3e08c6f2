"""The canonical customer fields assignment rules can test, and a customer's values for them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from core.assignment.currency import Amount

__all__ = [
    "CUSTOM_PREFIX",
    "FIELDS",
    "FieldType",
    "customer_facts",
    "field_type",
    "known_field_names",
]

CUSTOM_PREFIX = "custom."
# the same shape the canonical model accepts for custom field names
_CUSTOM_NAME = re.compile(r"[^\W\d][\w.-]{0,99}")


class FieldType(StrEnum):
    TEXT = "text"  # compared case-blind
    COUNTRY = "country"  # ISO 3166-1 alpha-2
    REGION = "region"  # ISO 3166-2
    TIER = "tier"
    MONEY = "money"
    INTEGER = "integer"
    CONNECTIONS = "connections"  # a list: the connections the customer is linked in
    TAGS = "tags"  # a list of text
    CUSTOM = "custom"  # text, whole number, true/false or a list of text


FIELDS: dict[str, FieldType] = {
    "name": FieldType.TEXT,
    "country": FieldType.COUNTRY,
    "region": FieldType.REGION,
    "city": FieldType.TEXT,
    "industry": FieldType.TEXT,
    "tier": FieldType.TIER,
    "annual_revenue": FieldType.MONEY,
    "employee_count": FieldType.INTEGER,
    "source": FieldType.CONNECTIONS,
    "tags": FieldType.TAGS,
}


def field_type(name: str) -> FieldType | None:
    """The type of criteria field `name` (`custom.<name>` for custom fields), None if unknown."""
    if name.startswith(CUSTOM_PREFIX):
        return FieldType.CUSTOM if _CUSTOM_NAME.fullmatch(name[len(CUSTOM_PREFIX) :]) else None
    return FIELDS.get(name)


def known_field_names() -> list[str]:
    return [*FIELDS, "custom.<name>"]


def customer_facts(data: Mapping[str, Any], connections: Iterable[str]) -> dict[str, Any]:
    """A customer's values for every criteria field, from its golden record in JSON form."""
    address = data.get("address") or {}
    facts: dict[str, Any] = {
        "name": data.get("name"),
        "country": address.get("country"),
        "region": address.get("region"),
        "city": address.get("city"),
        "industry": data.get("industry"),
        "tier": data.get("tier"),
        "annual_revenue": Amount.from_money(data.get("annual_revenue")),
        "employee_count": data.get("employee_count"),
        "source": sorted(set(connections)),
        "tags": list(data.get("tags") or []),
    }
    for key, value in (data.get("custom") or {}).items():
        facts[CUSTOM_PREFIX + key] = value
    return facts
