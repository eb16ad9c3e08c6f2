"""Countries (ISO 3166-1 alpha-2) and their subdivisions (ISO 3166-2), from English or Chinese."""

from __future__ import annotations

import difflib
import gettext
import re
from collections.abc import Iterable
from functools import cache
from typing import Literal

import pycountry

from ._cn_places import CN_PROVINCES
from ._country_aliases import COUNTRY_ALIASES, ZH_COUNTRY_NAMES
from ._text import collapse_spaces, fold_width
from .errors import TransformError

__all__ = ["country_name", "region_name", "to_country_code", "to_region_code"]

# 都 and 府 are Japanese prefectures (东京都, 大阪府); 北海道 keeps its 道.
_ZH_SUFFIX = re.compile(r"(?:特别行政区|自治[区州]|[省市州县都府])$")
_EN_SUFFIX = re.compile(r"\s+(?:sheng|shi|zizhiqu|\w+zu zizhiqu|sar)$")


def _key(text: str) -> str:
    # Dots and a leading "the" carry no meaning in a country name: U.S.A. = USA.
    folded = collapse_spaces(fold_width(text).casefold().replace(".", ""))
    return folded.removeprefix("the ")


@cache
def _zh(domain: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


def _zh_name(domain: str, english: str) -> str | None:
    translated = _zh(domain).gettext(english)
    return translated if translated != english else None


def _names(country: object) -> Iterable[str]:
    for attribute in ("name", "official_name", "common_name"):
        name = getattr(country, attribute, None)
        if name:
            yield name
            zh = _zh_name("iso3166-1", name)
            if zh:
                yield zh


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        index[_key(country.alpha_2)] = country.alpha_2
        index[_key(country.alpha_3)] = country.alpha_2
        index[country.numeric] = country.alpha_2
        index[str(int(country.numeric))] = country.alpha_2
        for name in _names(country):
            index.setdefault(_key(name), country.alpha_2)
    index.update({_key(alias): code for alias, code in COUNTRY_ALIASES.items()})
    index.update({_key(name): code for code, name in ZH_COUNTRY_NAMES.items()})
    return index


def _suggest(key: str, candidates: Iterable[str]) -> str:
    # Only names are worth suggesting; two-letter codes are close to everything.
    names = [candidate for candidate in candidates if len(candidate) > 3]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.75)
    return f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""


def to_country_code(raw: str) -> str:
    """Return the ISO 3166-1 alpha-2 code for a country code, number or name.

    Accepts alpha-2, alpha-3 and numeric codes, ISO English names (short, official, common),
    common aliases (USA, UK, England, PRC, South Korea, Russia, Hong Kong …) and Chinese names
    (ISO's zh_CN catalogue plus 中国, 中国大陆, 美国, 香港, 台湾 …), case- and width-blind.
    Lookups are exact, never fuzzy; TransformError suggests close names instead.
    """
    key = _key(raw)
    if not key:
        raise TransformError("empty country", raw)
    index = _country_index()
    code = index.get(key)
    if code is None:
        raise TransformError(f"unknown country{_suggest(key, index)}", raw)
    return code


def _short_english(name: str) -> str:
    return _EN_SUFFIX.sub("", name.casefold())


def _add(tier: dict[str, str | None], key: str, code: str) -> None:
    # A key naming two subdivisions (Taiwan's Chiayi city and county) resolves to neither.
    if not key:
        return
    if tier.get(key, code) != code:
        tier[key] = None
    else:
        tier[key] = code


@cache
def _region_index(country: str) -> tuple[dict[str, str | None], dict[str, str | None]]:
    exact: dict[str, str | None] = {}
    derived: dict[str, str | None] = {}
    for sub in pycountry.subdivisions:
        if sub.country_code != country:
            continue
        _add(exact, _key(sub.code), sub.code)
        _add(exact, _key(sub.code.partition("-")[2]), sub.code)
        _add(exact, _key(sub.name), sub.code)
        _add(derived, _key(_short_english(sub.name)), sub.code)
        zh = _zh_name("iso3166-2", sub.name)
        if zh:
            _add(exact, _key(zh), sub.code)
            _add(derived, _key(_ZH_SUFFIX.sub("", zh)), sub.code)
    if country == "CN":
        for province in CN_PROVINCES:
            for name in (province.short, province.full, *province.english):
                exact[_key(name)] = province.code
    return exact, derived


def to_region_code(raw: str, country: str) -> str:
    """Return the ISO 3166-2 code (``CN-GD``, ``US-CA``) of a subdivision of ``country``.

    ``raw`` may be the full code, the part after the dash (``GD``, ``CA``), the English name
    (``Guangdong``, ``California``) or the Chinese name with or without its suffix (``广东``,
    ``广东省``, ``新疆``, ``新疆维吾尔自治区``). ``country`` is anything to_country_code takes.
    Raises TransformError for unknown, ambiguous or other-country subdivisions.
    """
    code = to_country_code(country)
    key = _key(raw)
    if not key:
        raise TransformError("empty region", raw)
    exact, derived = _region_index(code)
    if not exact:
        raise TransformError(f"ISO 3166-2 lists no subdivisions for {code}", raw)
    if key in exact or key in derived:
        region = exact[key] if key in exact else derived[key]
        if region is None:
            raise TransformError(f"ambiguous: several subdivisions of {code} have this name", raw)
        return region
    prefix, dash, _ = key.partition("-")
    if dash and len(prefix) == 2 and prefix.upper() != code:
        raise TransformError(f"region code belongs to {prefix.upper()}, not {code}", raw)
    raise TransformError(f"unknown region of {code}{_suggest(key, {**exact, **derived})}", raw)


def country_name(code: str, language: Literal["en", "zh"]) -> str:
    """Return the everyday name of an ISO alpha-2 ``code`` in English or Chinese.

    English prefers ISO's common name (South Korea, Taiwan, Vietnam) over the formal one;
    Chinese uses the names Chinese readers expect (韩国, 中国台湾) and falls back to ISO's
    zh_CN catalogue, then to English. Raises TransformError for an unknown code.
    """
    country = pycountry.countries.get(alpha_2=code.strip().upper()) if len(code) == 2 else None
    if country is None:
        raise TransformError("not an ISO 3166-1 alpha-2 country code", code)
    english = str(getattr(country, "common_name", None) or country.name)
    if language == "en":
        return english
    return ZH_COUNTRY_NAMES.get(country.alpha_2) or _zh_name("iso3166-1", country.name) or english


def region_name(code: str, language: Literal["en", "zh"]) -> str:
    """Return the everyday name of an ISO 3166-2 subdivision ``code`` in English or Chinese.

    Chinese provinces as people write them: ``CN-GD`` → ``广东省`` (zh) or ``Guangdong`` (en);
    other subdivisions by ISO's English name, or its zh_CN translation when there is one.
    ``to_region_code`` reads every name this returns back to ``code``. Raises TransformError
    for an unknown code.
    """
    key = code.strip().upper()
    for province in CN_PROVINCES:
        if province.code == key:
            return province.full if language == "zh" else province.english[0]
    subdivision = pycountry.subdivisions.get(code=key)  # type: ignore[no-untyped-call]
    if subdivision is None:
        raise TransformError("not an ISO 3166-2 subdivision code (e.g. CN-GD, US-CA)", code)
    english = str(subdivision.name)
    if language == "en":
        return english
    return _zh_name("iso3166-2", english) or english
