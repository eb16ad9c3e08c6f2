"""One phone number read in two countries: the reading in the record's own country is the number.

A number written without its country code (``415-586-5647``) is read in the record's country
when the record has one, else in the connection's region. Twins in two CRMs, one with a country
and one without, can therefore hold the same digits under two country codes (+1 and +86). That
is not two numbers: once the record's country is known, from either side, the reading in that
country is the number, and it replaces the other reading instead of competing with it under the
field's policy (where the older guess could win and be written to every CRM).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from mapping.transforms import phone_region, same_digits

__all__ = ["PHONE_FIELDS", "in_country", "read_in_country", "record_country"]

PHONE_FIELDS = frozenset({"phones", "phone", "mobile"})


def record_country(record: Mapping[str, Any]) -> str | None:
    """The country of a canonical record in JSON form (its address's)."""
    address = record.get("address")
    country = address.get("country") if isinstance(address, Mapping) else None
    return country if isinstance(country, str) and country else None


def _numbers(value: Any) -> list[str] | None:
    numbers = value if isinstance(value, list) else [value]
    return numbers if all(isinstance(n, str) for n in numbers) else None


def _readings(ours: list[str], theirs: list[str], countries: Collection[str]) -> dict[str, str]:
    """number -> the number it is, for each pair of `ours` and `theirs` that are the same digits
    read in two countries, exactly one of them in `countries`."""
    chosen: dict[str, str] = {}
    for a in ours:
        for b in theirs:
            if not same_digits(a, b):
                continue
            a_home, b_home = phone_region(a) in countries, phone_region(b) in countries
            if a_home != b_home:
                chosen[a] = chosen[b] = a if a_home else b
    return chosen


def _replaced(numbers: list[str], chosen: Mapping[str, str]) -> list[str]:
    return list(dict.fromkeys(chosen.get(number, number) for number in numbers))


def in_country(mine: Any, held: Any, countries: Collection[str]) -> Any | None:
    """The value `mine` and `held` both are once each number they read in two countries is
    taken in one of `countries` (the record's country as either side has it); None when they
    differ otherwise, or when no such pair has exactly one reading in `countries`."""
    ours, theirs = _numbers(mine), _numbers(held)
    if not countries or ours is None or theirs is None:
        return None
    chosen = _readings(ours, theirs, countries)
    if not chosen:
        return None
    ours, theirs = _replaced(ours, chosen), _replaced(theirs, chosen)
    if ours != theirs:
        return None
    return ours if isinstance(mine, list) else ours[0]


def read_in_country(value: Any, others: Iterable[Any], countries: Collection[str]) -> Any:
    """`value` with each number that one of `others` holds read in `countries` (and `value`
    does not) replaced by that reading."""
    ours = _numbers(value)
    if not countries or ours is None:
        return value
    chosen: dict[str, str] = {}
    for other in others:
        theirs = _numbers(other)
        if theirs is not None:
            chosen.update(_readings(ours, theirs, countries))
    if not chosen:
        return value
    replaced = _replaced(ours, chosen)
    return replaced if isinstance(value, list) else replaced[0]
