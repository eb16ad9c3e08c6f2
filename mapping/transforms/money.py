"""Amounts as exact Decimals and currencies as ISO 4217 codes."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache

import pycountry

from ._numbers import parse_decimal_text
from ._text import fold_width
from .errors import TransformError

__all__ = ["canonical_amount", "format_amount", "to_currency", "to_decimal"]

# Symbols on either side of an amount are dropped; which currency they mean is to_currency's
# business, and amounts and currencies travel in separate fields in both CRMs.
_SYMBOLS = re.compile(r"^(?:[A-Z]{0,2}[$¥€£₩₹₽]|RMB)\s*|\s*元$", re.IGNORECASE)

_CURRENCY_ALIASES = {
    "RMB": "CNY", "CN¥": "CNY", "人民币": "CNY", "元": "CNY", "人民币元": "CNY",
    "美元": "USD", "美金": "USD", "US$": "USD", "港币": "HKD", "港元": "HKD", "HK$": "HKD",
    "港幣": "HKD", "欧元": "EUR", "€": "EUR", "日元": "JPY", "日币": "JPY", "JP¥": "JPY",
    "英镑": "GBP", "£": "GBP", "韩元": "KRW", "₩": "KRW", "新加坡元": "SGD", "新币": "SGD",
    "S$": "SGD", "新台币": "TWD", "台币": "TWD", "NT$": "TWD", "澳门元": "MOP",
    "澳门币": "MOP", "澳元": "AUD", "A$": "AUD", "加元": "CAD", "C$": "CAD",
    "瑞士法郎": "CHF", "卢布": "RUB", "₽": "RUB", "卢比": "INR", "₹": "INR", "泰铢": "THB",
}  # fmt: skip
_AMBIGUOUS = {
    "¥": "¥ is both yuan (CNY) and yen (JPY)",
    "$": "$ is the sign of a dozen dollars (USD, HKD, SGD, AUD …)",
    "DOLLAR": "several currencies are called dollar",
}


@cache
def _currency_index() -> dict[str, str]:
    # Built once: scanning pycountry's table on every call cost ~0.5 ms per amount mapped.
    index: dict[str, str] = {}
    for currency in pycountry.currencies:
        for key in (currency.alpha_3, currency.numeric, currency.name.upper()):
            index.setdefault(key, str(currency.alpha_3))
    return index


def to_decimal(raw: object) -> Decimal:
    """Return ``raw`` as an exact, finite Decimal.

    Takes Decimal, int, float (through ``repr``, so 0.1 is ``Decimal("0.1")``, never the binary
    expansion) and text: trimmed, full-width digits folded, grouping commas (``1,234.50``) and
    a currency sign (``¥1,234``, ``1,234元``) allowed. Raises TransformError for bool, NaN,
    Infinity, empty text and anything else.
    """
    if isinstance(raw, bool):
        raise TransformError("a boolean is not an amount", raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise TransformError("not a finite number (NaN and Infinity are not amounts)", raw)
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise TransformError("not a finite number (NaN and Infinity are not amounts)", raw)
        return Decimal(repr(raw))
    if isinstance(raw, str):
        text = _SYMBOLS.sub("", fold_width(raw).strip())
        return parse_decimal_text(text, raw)
    raise TransformError(f"expected a number or numeric text, got {type(raw).__name__}", raw)


def to_currency(raw: str) -> str:
    """Return the ISO 4217 code for a code (``cny``), number (``156``), ISO name, common alias
    (RMB, 人民币, 元 → CNY; 美元 → USD; 港币 → HKD; 欧元 → EUR; 日元 → JPY …) or unambiguous
    sign (€, £, US$, HK$). A bare ``¥`` or ``$`` raises TransformError: it names several.
    """
    text = fold_width(raw).strip()
    key = text.upper()
    if not key:
        raise TransformError("empty currency", raw)
    alias = _CURRENCY_ALIASES.get(key) or _CURRENCY_ALIASES.get(text)
    if alias:
        return alias
    if key in _AMBIGUOUS:
        raise TransformError(f"ambiguous currency sign: {_AMBIGUOUS[key]}; give the code", raw)
    code = _currency_index().get(key)
    if code is not None:
        return code
    raise TransformError("unknown currency: expected an ISO 4217 code such as CNY or USD", raw)


def format_amount(value: Decimal, places: int = 2) -> str:
    """Return ``value`` rounded half-up to ``places`` decimals in plain notation (no exponent).

    ``Decimal("21739535")`` → ``"21739535.00"``; negative zero comes back as ``"0.00"``.
    Half-up is how people (and Fxiaoke's UI) round money; banker's rounding would surprise
    them. Raises TransformError for a non-finite value or negative ``places``.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TransformError("format_amount needs a finite Decimal", value)
    if places < 0:
        raise TransformError("decimal places cannot be negative", places)
    with localcontext() as context:
        # Enough precision for any integer part: quantize fails rather than round it.
        context.prec = max(28, value.adjusted() + places + 2)
        quantized = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if quantized.is_zero():
        quantized = abs(quantized)
    return f"{quantized:f}"


def canonical_amount(value: Decimal, min_places: int = 2) -> Decimal:
    """Return ``value`` in one spelling per number: trailing zeros dropped, but at least
    ``min_places`` decimals, and no positive exponent (``1E+3`` becomes ``1000.00``).

    ``12500.5``, ``12500.50`` and ``12500.500`` all give ``Decimal("12500.50")``; ``100`` gives
    ``100.00``; ``0.125`` stays ``0.125`` (nothing is rounded). CRMs spell one amount several
    ways (Zoho a JSON number, Fxiaoke a 2-decimal string) and canonical records are compared in
    their JSON form, where ``"12500.5"`` and ``"12500.50"`` would differ. Raises TransformError for
    a non-finite value or negative ``min_places``.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TransformError("canonical_amount needs a finite Decimal", value)
    if min_places < 0:
        raise TransformError("decimal places cannot be negative", min_places)
    with localcontext() as context:
        context.prec = max(28, value.adjusted() + min_places + 2, len(value.as_tuple().digits))
        reduced = value.normalize()
        exponent = reduced.as_tuple().exponent
        if not isinstance(exponent, int) or exponent > -min_places:
            reduced = reduced.quantize(Decimal(1).scaleb(-min_places))
    return abs(reduced) if reduced.is_zero() else reduced
