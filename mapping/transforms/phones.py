"""Phone numbers in E.164, the one form every CRM and the matcher compare."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneNumberFormat,
    PhoneNumberType,
    ValidationResult,
    geocoder,
)

from ._text import fold_width
from .errors import TransformError

__all__ = ["is_e164", "landline_cities", "normalize_phone", "phone_region", "same_digits"]

_TEL_PREFIX = re.compile(r"^tel:\s*", re.IGNORECASE)
# Extensions are dropped: the customer is matched on the line, not on the desk.
_EXTENSION = re.compile(
    r"(?:;\s*ext=|\s*(?:转|分机|ext\.?|extension|x|#))\s*\d{1,6}\s*$", re.IGNORECASE
)
_ALLOWED = re.compile(r"\+?[\d\s().\-]+")
_SEVERAL = re.compile(r"[/,;、|]")
_E164 = re.compile(r"\+[1-9]\d{1,14}")
_MAX_DIGITS = 17  # E.164 allows 15; national prefixes add a couple

_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "too short to be a phone number",
    ValidationResult.TOO_LONG: "too long to be a phone number",
    ValidationResult.INVALID_LENGTH: "has a length no number in that country has",
    ValidationResult.INVALID_COUNTRY_CODE: "the country calling code does not exist",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "too short: dialable only locally (no area code?)",
}
_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "the country calling code does not exist",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short to be a phone number",
    NumberParseException.TOO_LONG: "too long to be a phone number",
}


def _clean(raw: str) -> str:
    text = _TEL_PREFIX.sub("", fold_width(raw).strip())
    text = _EXTENSION.sub("", text).strip()
    if not text:
        raise TransformError("empty phone number", raw)
    if _SEVERAL.search(text):
        raise TransformError("looks like several phone numbers in one field", raw)
    if any(ch.isalpha() for ch in text):
        raise TransformError("phone number contains letters", raw)
    if not _ALLOWED.fullmatch(text) or "+" in text[1:]:
        raise TransformError("phone number contains characters other than digits", raw)
    digits = re.sub(r"\D", "", text)
    if not digits:
        raise TransformError("phone number has no digits", raw)
    if len(digits) > _MAX_DIGITS:
        raise TransformError("too long to be a phone number", raw)
    if text.startswith("+"):
        return "+" + digits
    # 00 is the ITU international prefix; no national number starts with it.
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def normalize_phone(
    raw: str, default_region: str | None = None, *, record_region: str | None = None
) -> str:
    """Return ``raw`` as an E.164 number such as ``+8613800138000``.

    Accepts separators, brackets, full-width digits, a ``tel:`` prefix, a ``00`` international
    prefix and an extension (``ext. 12``, ``x12``, ``转12``), which is dropped. A number without
    a country code is read in ``record_region`` (the record's own country, when it has one)
    if it is a valid number there, else in ``default_region`` (the connection's) if valid
    there, else as a *possible* number (right length) in the first of them: a US customer's
    ``415-719-7050`` in a CRM whose region is CN is +14157197050, not a landline in Dandong,
    while a Chinese mobile ``13800138000`` on the same record stays +8613800138000. Idempotent
    on its own output. Raises TransformError otherwise.
    """
    region = default_region.strip().upper() if default_region else None
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        raise TransformError(f"unknown phone region {default_region!r}", raw)
    text = _clean(raw)
    if text.startswith("+"):
        return _e164(text, None, raw)
    # the record's country comes from data: one phonenumbers does not know is not an error
    home = record_region.strip().upper() if record_region else None
    regions = [r for r in dict.fromkeys((home, region)) if r in phonenumbers.SUPPORTED_REGIONS]
    if not regions:
        raise TransformError(
            "national number without a country code and no default region to read it in", raw
        )
    for candidate in regions if len(regions) > 1 else ():
        try:
            number = phonenumbers.parse(text, candidate)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))
    return _e164(text, regions[0], raw)


def _e164(text: str, region: str | None, raw: str) -> str:
    """The number read in `region`, if it is possible (right length for its country)."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        reason = _PARSE_REASONS.get(exc.error_type, "not a phone number")
        raise TransformError(reason, raw) from exc
    result = phonenumbers.is_possible_number_with_reason(number)
    if result != ValidationResult.IS_POSSIBLE:
        reason = _LENGTH_REASONS.get(result, "not a possible phone number")
        raise TransformError(reason, raw)
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def is_e164(value: str) -> bool:
    """Whether ``value`` is exactly ``+`` and digits and a possible number (no separators)."""
    if not _E164.fullmatch(value):
        return False
    try:
        number = phonenumbers.parse(value, None)
    except NumberParseException:
        return False
    return bool(phonenumbers.is_possible_number(number))


def phone_region(e164: str) -> str | None:
    """Return the ISO alpha-2 country of an E.164 number, or None if no single country has it.

    Shared calling codes (+1, +7, +44 …) are told apart by the number's range; global
    services (+800, +888) and unassigned ranges give None. Raises TransformError when
    ``e164`` is not E.164.
    """
    if not is_e164(e164):
        raise TransformError("not an E.164 phone number (normalise it first)", e164)
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    if region is None or region in {"ZZ", "001"}:
        return None
    return str(region)


def same_digits(a: str, b: str) -> bool:
    """Whether two E.164 numbers are the same national digits under two country codes
    (``+864155865647`` and ``+14155865647``): one number as written without its country code,
    read in two countries. False for equal numbers and for anything not E.164."""
    if a == b:
        return False
    first, second = _national(a), _national(b)
    return first is not None and first == second


@lru_cache(maxsize=65536)
def _national(e164: str) -> str | None:
    if not is_e164(e164):
        return None
    return str(phonenumbers.national_significant_number(phonenumbers.parse(e164, None)))


def landline_cities(e164: str) -> tuple[str, ...]:
    """Return the cities a Chinese landline's area code serves, in English (``+8657134609695``
    → ``("Hangzhou",)``; 029 serves ``("XiAn", "Xianyang")``), from libphonenumber's offline
    geocoding data. () for mobiles (they keep their number when they move), for numbers
    outside China (elsewhere an area code names a region rather than one city) and for codes
    the data does not know. Raises TransformError when ``e164`` is not E.164.
    """
    if not is_e164(e164):
        raise TransformError("not an E.164 phone number (normalise it first)", e164)
    number = phonenumbers.parse(e164, None)
    if number.country_code != 86 or phonenumbers.number_type(number) != PhoneNumberType.FIXED_LINE:
        return ()
    where = geocoder.description_for_number(number, "en").split(",")[0]
    return tuple(city.strip() for city in where.split("/") if city.strip())
