"""Match keys from canonical values, through the mapping transforms (one concept, one place).

Every function takes a canonical record (JSON form) and returns the normalised keys the
comparisons and the blocking index use: E.164 phones, lower-cased e-mails, registrable company
domains (never free mail), company keys with their pinyin, person names in both orders and
in pinyin, folded city names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from core.matching.paths import texts_at, value_at
from mapping.transforms import (
    TransformError,
    company_brand_key,
    company_key,
    company_place,
    contains_cjk,
    fold_width,
    is_e164,
    is_free_mail_domain,
    landline_cities,
    normalize_email,
    normalize_phone,
    registrable_domain,
    split_person_name,
)
from mapping.transforms.pinyin import fold_pinyin, person_name_forms, to_pinyin

__all__ = [
    "PersonName",
    "brand_key",
    "city_key",
    "company_keys",
    "domain_keys",
    "email_keys",
    "first_text",
    "folded",
    "landline_places",
    "person_name",
    "phone_keys",
    "place_keys",
    "stated_places",
]

PHONE_FIELDS = ("phones", "phone", "mobile")
EMAIL_FIELDS = ("email", "emails")
DOMAIN_FIELDS = ("domain", "website", "email", "emails")


def folded(text: str) -> str:
    """Case, width and spaces folded: the form exact comparisons use."""
    return " ".join(fold_width(text).casefold().split())


@lru_cache(maxsize=262144)
def _phone(text: str) -> str | None:
    if is_e164(text):
        return text
    try:
        return normalize_phone(text)
    except TransformError:
        return None  # a national number without its region cannot be compared


def phone_keys(record: Mapping[str, Any], fields: Sequence[str] = PHONE_FIELDS) -> frozenset[str]:
    keys = {_phone(text) for text in texts_at(record, fields)}
    return frozenset(key for key in keys if key)


@lru_cache(maxsize=262144)
def _email(text: str) -> str | None:
    # each record and each of its candidates asks again: the syntax check is the cost
    try:
        return normalize_email(text)
    except TransformError:
        return None


def email_keys(record: Mapping[str, Any], fields: Sequence[str] = EMAIL_FIELDS) -> frozenset[str]:
    keys = {_email(text) for text in texts_at(record, fields)}
    return frozenset(key for key in keys if key)


@lru_cache(maxsize=65536)
def _registrable(text: str) -> str | None:
    try:
        domain = registrable_domain(text)
    except TransformError:
        return None
    return None if is_free_mail_domain(domain) else domain


def domain_keys(record: Mapping[str, Any], fields: Sequence[str] = DOMAIN_FIELDS) -> frozenset[str]:
    """Registrable domains of the company's website and e-mail addresses; free mail never."""
    keys = {_registrable(text) for text in texts_at(record, fields)}
    return frozenset(key for key in keys if key)


@lru_cache(maxsize=262144)
def company_keys(name: str) -> frozenset[str]:
    """The company_key of a name and, for a Chinese name, that key in pinyin (no spaces)."""
    try:
        key = company_key(name)
    except TransformError:
        return frozenset()
    if not key:
        return frozenset()
    keys = {key}
    if contains_cjk(key):
        keys.add(to_pinyin(key).replace(" ", ""))
    return frozenset(keys)


@lru_cache(maxsize=262144)
def brand_key(name: str) -> str:
    """The trade name in Latin letters (company_brand_key), "" when there is none."""
    try:
        return company_brand_key(name)
    except TransformError:
        return ""


class PersonName(tuple[frozenset[str], str, str]):
    """(forms in both orders, folded given name, folded family name) of one person."""

    __slots__ = ()

    @property
    def forms(self) -> frozenset[str]:
        return self[0]

    @property
    def given(self) -> str:
        return self[1]

    @property
    def family(self) -> str:
        return self[2]


def _part(text: str | None, family: bool) -> str:
    if not text:
        return ""
    forms = person_name_forms(None, text) if family else person_name_forms(text, None)
    return next(iter(forms), "") if len(forms) == 1 else fold_pinyin(text)


def person_name(record: Mapping[str, Any], fields: Sequence[str] = ()) -> PersonName | None:
    """The name of a contact in every form it is written in; None when it has none."""
    first_path, last_path, full_path = (*fields, "first_name", "last_name", "full_name")[:3]
    first = value_at(record, first_path)
    last = value_at(record, last_path)
    if not (first or last):
        full = value_at(record, full_path)
        if not full:
            return None
        first, last = split_person_name(str(full))
    first_text = str(first) if first else None
    last_text = str(last) if last else None
    if last_text and not first_text and contains_cjk(last_text) and len(last_text) > 1:
        first_text, last_text = split_person_name(last_text)
    forms = person_name_forms(first_text, last_text)
    if not forms:
        return None
    return PersonName((forms, _part(first_text, False), _part(last_text, True)))


@lru_cache(maxsize=65536)
def _city(text: str) -> str:
    text = fold_width(text).strip().removesuffix("市")
    key = fold_pinyin(to_pinyin(text) if contains_cjk(text) else text).replace(" ", "")
    return key.removesuffix("city")


def city_key(record: Mapping[str, Any], fields: Sequence[str] = ("address.city",)) -> str | None:
    """The city in pinyin, folded, without 市 or "City" (深圳市 = Shenzhen = shenzhen)."""
    for text in texts_at(record, fields):
        key = _city(text)
        if key:
            return key
    return None


@lru_cache(maxsize=262144)
def _name_place(name: str) -> str:
    try:
        place = company_place(name)
    except TransformError:
        return ""
    return _city(place) if place else ""


@lru_cache(maxsize=262144)
def _landline_places(text: str) -> tuple[str, ...]:
    phone = _phone(text)
    return tuple(_city(city) for city in landline_cities(phone)) if phone else ()


def place_keys(
    record: Mapping[str, Any],
    fields: Sequence[str] = ("address.city",),
    name_fields: Sequence[str] = ("name",),
    phone_fields: Sequence[str] = PHONE_FIELDS,
) -> frozenset[str]:
    """Every city a customer record states, as city_key folds them: its address's city, the
    place its registered name carries (深圳市华腾… / 华腾(深圳)…) and its Chinese landlines'
    area codes (0755 is Shenzhen)."""
    keys = set(stated_places(record, fields, name_fields))
    for places in landline_places(record, phone_fields).values():
        keys.update(places)
    return frozenset(keys)


def stated_places(
    record: Mapping[str, Any],
    fields: Sequence[str] = ("address.city",),
    name_fields: Sequence[str] = ("name",),
) -> frozenset[str]:
    """The cities a record states in words: its address's city and the place its registered
    name carries, as city_key folds them."""
    keys = {_city(text) for text in texts_at(record, fields)}
    keys.update(_name_place(text) for text in texts_at(record, name_fields))
    return frozenset(key for key in keys if key)


def landline_places(
    record: Mapping[str, Any], phone_fields: Sequence[str] = PHONE_FIELDS
) -> dict[str, tuple[str, ...]]:
    """Each Chinese landline of the record (E.164) -> the cities its area code serves."""
    places: dict[str, tuple[str, ...]] = {}
    for text in texts_at(record, phone_fields):
        cities = _landline_places(text)
        phone = _phone(text) if cities else None
        if phone:
            places[phone] = cities
    return places


def first_text(record: Mapping[str, Any], fields: Iterable[str]) -> str | None:
    found = texts_at(record, fields)
    return folded(found[0]) if found else None
