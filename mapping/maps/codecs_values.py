"""Codecs for single values: text, names, phones, e-mails, places, numbers, money, time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mapping.maps.codec import BuildArgs, Codec, as_text, whole_number
from mapping.model import Money
from mapping.transforms import (
    TransformError,
    canonical_amount,
    clean_company_name,
    country_name,
    date_to_epoch_ms,
    format_amount,
    join_person_name,
    normalize_email,
    normalize_phone,
    region_name,
    registrable_domain,
    to_bool,
    to_country_code,
    to_currency,
    to_date,
    to_decimal,
    to_epoch_ms,
    to_int,
    to_iso_offset,
    to_region_code,
    to_str,
    to_utc_datetime,
)

__all__ = [
    "BoolCodec",
    "CompanyNameCodec",
    "CountryCodec",
    "CurrencyCodec",
    "DateCodec",
    "DateOptions",
    "DateTimeCodec",
    "DateTimeOptions",
    "DomainCodec",
    "EmailCodec",
    "IntCodec",
    "MoneyCodec",
    "MoneyOptions",
    "NoOptions",
    "PersonNameCodec",
    "PhoneCodec",
    "PlaceOptions",
    "RegionCodec",
    "TextCodec",
]

PlaceLanguage = Literal["en", "zh", "code"]


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlaceOptions(NoOptions):
    # how a country or region is written back: English name, Chinese name, or the ISO code
    language: PlaceLanguage = "en"


class MoneyOptions(NoOptions):
    # the remote field holding the record's currency (Zoho `Currency`); without one, amounts
    # are in the connection's default currency and other currencies cannot be written
    currency_field: str | None = None
    # number: a JSON number (Zoho); string: text with `places` decimals (Fxiaoke "12500.50")
    format: Literal["number", "string"] = "number"
    places: int = Field(default=2, ge=0, le=9)


class DateTimeOptions(NoOptions):
    # iso: ISO 8601 with the connection zone's offset (Zoho); epoch_ms: milliseconds (Fxiaoke)
    format: Literal["iso", "epoch_ms"] = "iso"


class DateOptions(DateTimeOptions):
    # the zone whose midnight an epoch date means (Fxiaoke: Asia/Shanghai); default: the
    # connection's zone
    zone: str | None = None

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("is not an IANA time zone name (e.g. Asia/Shanghai)") from None
        return value


class TextCodec(Codec):
    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return to_str(raw)

    def push(self, value: Any) -> Any:
        return value


class CompanyNameCodec(TextCodec):
    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return clean_company_name(as_text(raw))


class PersonNameCodec(TextCodec):
    """One part of a person's name (Zoho First_Name, Last_Name), tidied but never split."""

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        # join_person_name with one part is that part, width-folded and space-collapsed.
        return join_person_name(as_text(raw), None) or None


class PhoneCodec(TextCodec):
    """A phone in E.164: a number without a country code is read in the record's own country
    (its address) when it is valid there, else in the connection's region."""

    vouches = True
    late = True  # needs the country mapped first

    def __init__(self, args: BuildArgs) -> None:
        self.region = args.context.default_region

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        address = out.get("address")
        country = address.get("country") if isinstance(address, dict) else None
        return normalize_phone(as_text(raw), self.region, record_region=country)


class EmailCodec(TextCodec):
    vouches = True

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return normalize_email(as_text(raw))


class DomainCodec(Codec):
    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return registrable_domain(as_text(raw))


class CurrencyCodec(TextCodec):
    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return to_currency(as_text(raw))


class CountryCodec(Codec):
    def __init__(self, args: BuildArgs) -> None:
        assert isinstance(args.options, PlaceOptions)
        self.language = args.options.language

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return to_country_code(as_text(raw))

    def push(self, value: Any) -> Any:
        return value if self.language == "code" else country_name(value, self.language)


class RegionCodec(Codec):
    """A state or province, read in the record's own country (else the connection's region)."""

    late = True  # needs the country mapped first

    def __init__(self, args: BuildArgs) -> None:
        assert isinstance(args.options, PlaceOptions)
        self.language = args.options.language
        self.group = args.path.keys[:-1]  # the address holding both region and country
        self.default_country = args.context.default_region

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        group: Any = out
        for key in self.group:
            group = group.get(key) if isinstance(group, dict) else None
        country = group.get("country") if isinstance(group, dict) else None
        return to_region_code(as_text(raw), country or self.default_country)

    def push(self, value: Any) -> Any:
        return value if self.language == "code" else region_name(value, self.language)


class IntCodec(Codec):
    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return to_int(raw)

    def push(self, value: Any) -> Any:
        return value


class BoolCodec(Codec):
    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return to_bool(raw)

    def push(self, value: Any) -> Any:
        return value


class DateTimeCodec(Codec):
    def __init__(self, args: BuildArgs) -> None:
        assert isinstance(args.options, DateTimeOptions)
        self.format = args.options.format
        self.zone = args.context.timezone

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return to_utc_datetime(whole_number(raw), default_tz=self.zone)

    def push(self, value: Any) -> Any:
        assert isinstance(value, datetime)
        if self.format == "epoch_ms":
            return to_epoch_ms(value)
        return to_iso_offset(value, self.zone)


class DateCodec(Codec):
    def __init__(self, args: BuildArgs) -> None:
        assert isinstance(args.options, DateOptions)
        self.format = args.options.format
        self.zone = args.options.zone or args.context.timezone

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        return to_date(whole_number(raw), self.zone)

    def push(self, value: Any) -> Any:
        assert isinstance(value, date)
        if self.format == "epoch_ms":
            return date_to_epoch_ms(value, self.zone)
        return value.isoformat()


class MoneyCodec(Codec):
    """An amount and its currency: from the record's currency field, else the default."""

    def __init__(self, args: BuildArgs) -> None:
        assert isinstance(args.options, MoneyOptions)
        self.currency_field = args.options.currency_field
        self.format = args.options.format
        self.places = args.options.places
        self.default_currency = args.context.default_currency
        self.connection = args.context.connection

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        amount = canonical_amount(to_decimal(raw))
        currency = self.default_currency
        if self.currency_field is not None:
            given = payload.get(self.currency_field)
            if given is not None and given != "":
                currency = to_currency(as_text(given))
        return {"amount": amount, "currency": currency}

    def push(self, value: Any) -> Any:
        assert isinstance(value, Money)
        if self.currency_field is None and value.currency != self.default_currency:
            raise TransformError(
                f"{self.connection} keeps amounts in {self.default_currency} only and has no "
                f"currency field; convert {value.currency} before writing",
                f"{value.amount} {value.currency}",
            )
        if self.format == "string":
            return format_amount(value.amount, self.places)
        return json_number(value.amount)


def json_number(amount: Decimal) -> int | float:
    """A Decimal as a JSON number without losing a digit: int when whole, else a float that
    reads back as the same Decimal. Raises TransformError when no float carries it exactly."""
    if amount == amount.to_integral_value():
        return int(amount)
    number = float(amount)
    if Decimal(repr(number)) != amount:
        raise TransformError(
            "has more significant digits than a JSON number carries exactly", amount
        )
    return number
