"""Value types of the canonical model: each one validates strictly and says why a value is refused.

These types check canonical form; they do not guess. Turning "010-1234 5678" into E.164 needs a
region and belongs to the transforms (`mapping.transforms`), which the mapping engine runs first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import pycountry
from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
)

from mapping.transforms.emails import normalize_email
from mapping.transforms.errors import TransformError
from mapping.transforms.phones import is_e164

__all__ = [
    "VOUCHED",
    "Amount",
    "CountryCode",
    "CurrencyCode",
    "CustomFieldName",
    "CustomValue",
    "Domain",
    "Email",
    "EntityKind",
    "Phone",
    "RegionCode",
    "Stage",
    "Tier",
    "UtcDatetime",
]

VOUCHED = "vouched"
"""Validation-context key: a set of phone numbers and e-mail addresses that
`normalize_phone`/`normalize_email` just produced (the mapping engine passes it). Both are
idempotent, so checking those values again would repeat the same parse for the same answer
(a third of the time it takes to map a record); every other value is checked as usual."""


class EntityKind(StrEnum):
    CUSTOMER = "customer"
    CONTACT = "contact"
    OPPORTUNITY = "opportunity"


class Tier(StrEnum):
    """Customer importance: A customers go to the most experienced account managers."""

    A = "A"
    B = "B"
    C = "C"


class Stage(StrEnum):
    """Canonical opportunity stages; each CRM's picklist maps onto these."""

    PROSPECTING = "prospecting"
    QUALIFICATION = "qualification"
    NEEDS_ANALYSIS = "needs_analysis"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    CLOSED_WON = "closed_won"
    CLOSED_LOST = "closed_lost"


def _vouched(value: str, info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, dict) and value in context.get(VOUCHED, ())


def _check_phone(value: str, info: ValidationInfo) -> str:
    if _vouched(value, info):
        return value
    if not is_e164(value):
        raise ValueError(
            "not an E.164 phone number (expected + and country code, e.g. +8613800138000)"
        )
    return value


def _check_email(value: str, info: ValidationInfo) -> str:
    if _vouched(value, info):
        return value
    try:
        return normalize_email(value)
    except TransformError as exc:
        raise ValueError(f"not a valid e-mail address: {exc.reason}") from None


_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[\w-]{1,63}(?<!-)(\.(?!-)[\w-]{1,63}(?<!-))+$")


def _check_domain(value: str) -> str:
    value = value.strip().lower().rstrip(".")
    if "://" in value or "/" in value or "@" in value or not _DOMAIN.match(value):
        raise ValueError(
            "not a bare domain name (expected e.g. zylker.com, without scheme or path)"
        )
    return value


def _check_country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("not an ISO 3166-1 alpha-2 country code (e.g. CN, US, DE)")
    return code


def _check_region(value: str) -> str:
    code = value.strip().upper()
    if pycountry.subdivisions.get(code=code) is None:  # type: ignore[no-untyped-call]
        raise ValueError("not an ISO 3166-2 subdivision code (e.g. CN-GD, US-CA)")
    return code


def _check_currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError("not an ISO 4217 currency code (e.g. CNY, USD, EUR)")
    return code


def _refuse_float(value: Any) -> Any:
    # A float has already lost the cents (0.1 + 0.2); money must arrive as text or Decimal.
    if isinstance(value, float):
        raise ValueError("amounts must be given as a string or Decimal, never a float")
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    return value


def _check_amount(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    if abs(value) >= Decimal("1e18"):
        raise ValueError("amount is larger than any CRM stores (18 integer digits)")
    return value


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime has no time zone; give an offset such as +08:00 or Z")
    return value.astimezone(UTC)


def _check_field_name(value: str) -> str:
    if not re.fullmatch(r"[^\W\d][\w.-]{0,99}", value):
        raise ValueError("custom field names start with a letter and hold letters, digits, _ . -")
    return value


Phone = Annotated[str, AfterValidator(_check_phone)]
Email = Annotated[str, AfterValidator(_check_email)]
Domain = Annotated[str, AfterValidator(_check_domain)]
CountryCode = Annotated[str, AfterValidator(_check_country)]
RegionCode = Annotated[str, AfterValidator(_check_region)]
CurrencyCode = Annotated[str, AfterValidator(_check_currency)]
Amount = Annotated[
    Decimal,
    BeforeValidator(_refuse_float),
    AfterValidator(_check_amount),
    # JSON keeps the exact digits as text; a JSON number would come back as a float.
    PlainSerializer(lambda v: str(v), return_type=str, when_used="json"),
]
UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]
CustomFieldName = Annotated[str, AfterValidator(_check_field_name)]


def _check_custom_value(value: Any) -> str | int | bool | list[str] | None:
    # Custom values stay scalar (or a list of text for multi-select picklists): anything deeper is
    # a vendor payload leaking past the connector boundary. Amounts travel as text so that they
    # survive a JSON round trip exactly (a Decimal would come back as a str, a float loses cents).
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ValueError("is not a custom value (text, whole number, true/false or a list of text)")


CustomValue = Annotated[str | int | bool | list[str] | None, PlainValidator(_check_custom_value)]
