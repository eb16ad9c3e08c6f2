"""The facts about one connection that mapping needs, passed explicitly (never a global)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from mapping.transforms import TransformError, to_currency

__all__ = ["MappingContext"]


@dataclass(frozen=True, slots=True)
class MappingContext:
    """How one connection writes values that carry no unit of their own.

    `default_region` reads phone numbers written without a country code (and is the country of
    a state or province written without one); `timezone` is the zone the CRM renders
    date-times in (Zoho: the API user's zone) and the default zone of calendar dates;
    `default_currency` is the currency of amounts that come without a currency field
    (Fxiaoke amounts are CNY).
    """

    connection: str
    default_region: str = "CN"
    timezone: str = "Asia/Shanghai"
    default_currency: str = "CNY"

    def __post_init__(self) -> None:
        if not self.connection:
            raise ValueError("a mapping context needs the connection's name")
        if self.default_region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"default_region {self.default_region!r} is not an ISO 3166-1 alpha-2 code "
                "with a phone numbering plan (e.g. CN, US, DE)"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"timezone {self.timezone!r} is not an IANA zone name (e.g. Asia/Shanghai)"
            ) from None
        try:
            currency = to_currency(self.default_currency)
        except TransformError as exc:
            raise ValueError(f"default_currency: {exc.reason}") from None
        if currency != self.default_currency:
            raise ValueError(
                f"default_currency {self.default_currency!r} must be an ISO 4217 code "
                f"(did you mean {currency!r}?)"
            )
