"""The rows of `crmhub match` files: CSV columns → canonical records, through the transforms."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mapping.model import MODEL_BY_KIND, CanonicalValidationError, EntityKind, validate_record
from mapping.transforms import (
    TransformError,
    clean_company_name,
    normalize_email,
    normalize_phone,
    registrable_domain,
    to_country_code,
    to_region_code,
)

__all__ = ["COLUMNS", "OUTPUT_COLUMNS", "BadRowError", "record_from_row"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": (
        "name", "website", "email", "phone", "street", "city", "region", "postal_code",
        "country", "industry",
    ),
    "contact": (
        "first_name", "last_name", "full_name", "email", "phone", "mobile", "title",
        "customer_name",
    ),
}  # fmt: skip
OUTPUT_COLUMNS = ("cluster_id", "match_score", "match_reason")


class BadRowError(ValueError):
    """A row that cannot become a canonical record: which field, which value, why."""

    def __init__(self, field: str, value: Any, reason: str) -> None:
        self.field, self.value, self.reason = field, value, reason
        super().__init__(f"{field}: {value!r} {reason}" if value else f"{field}: {reason}")


def _get(row: Mapping[str, str | None], column: str) -> str | None:
    value = row.get(column)
    return value.strip() or None if value is not None else None


def _convert(row: Mapping[str, str | None], column: str, fn: Callable[[str], Any]) -> Any:
    value = _get(row, column)
    if value is None:
        return None
    try:
        return fn(value)
    except TransformError as exc:
        raise BadRowError(column, value, exc.reason) from None


def _address(row: Mapping[str, str | None], region_hint: str) -> dict[str, Any] | None:
    country = _convert(row, "country", to_country_code)
    region = _convert(row, "region", lambda v: to_region_code(v, country or region_hint))
    address = {
        "street": _get(row, "street"),
        "city": _get(row, "city"),
        "region": region,
        "postal_code": _get(row, "postal_code"),
        "country": country,
    }
    return address if any(address.values()) else None


def _customer(row: Mapping[str, str | None], region: str) -> dict[str, Any]:
    website = _get(row, "website")
    phone = _convert(row, "phone", lambda v: normalize_phone(v, region))
    return {
        "name": _convert(row, "name", clean_company_name),
        "website": website,
        "domain": _convert(row, "website", registrable_domain),
        "email": _convert(row, "email", normalize_email),
        "phones": [phone] if phone else [],
        "industry": _get(row, "industry"),
        "address": _address(row, region),
    }


def _contact(row: Mapping[str, str | None], region: str) -> dict[str, Any]:
    email = _convert(row, "email", normalize_email)
    customer = _convert(row, "customer_name", clean_company_name)
    return {
        "first_name": _get(row, "first_name"),
        "last_name": _get(row, "last_name"),
        "full_name": _get(row, "full_name"),
        "emails": [email] if email else [],
        "phone": _convert(row, "phone", lambda v: normalize_phone(v, region)),
        "mobile": _convert(row, "mobile", lambda v: normalize_phone(v, region)),
        "title": _get(row, "title"),
        # a file names the customer; its name is its reference here
        "customer": {"remote_id": customer, "name": customer} if customer else None,
    }


def record_from_row(kind: str, row: Mapping[str, str | None], region: str) -> dict[str, Any]:
    """The canonical record (JSON form) of one row; raises BadRowError naming field, value, reason.

    Phones without a country code are read in the row's country, else in `region` (ISO alpha-2).
    """
    region = _convert(row, "country", to_country_code) or region
    data = _customer(row, region) if kind == "customer" else _contact(row, region)
    try:
        record = validate_record(MODEL_BY_KIND[EntityKind(kind)], data)
    except CanonicalValidationError as exc:
        first = exc.errors[0]
        field = first.field.split(".", 1)[-1]
        value = first.value if isinstance(first.value, str) else None
        raise BadRowError(field, value, first.reason) from None
    dumped: dict[str, Any] = record.model_dump(mode="json")
    return dumped
