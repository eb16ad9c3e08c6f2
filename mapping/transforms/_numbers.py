"""Parsing numeric text, shared by money and scalars so both accept the same spellings."""

from __future__ import annotations

import re
from decimal import Decimal

from ._text import fold_width
from .errors import TransformError

__all__ = ["parse_decimal_text"]

# Thousands separators must group by three: "1,234" yes, "1,23" no. A comma in the wrong place
# more often means a European decimal comma, and guessing would be off by a factor of 1000.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def parse_decimal_text(raw: str, original: object = None) -> Decimal:
    """Parse plain decimal text (sign, digits, grouping commas, point) into a finite Decimal.

    Full-width digits are folded first. Exponents, spaces inside the number, and anything
    else raise TransformError. ``original`` is what the caller was given, for the error.
    """
    value = raw if original is None else original
    text = fold_width(raw).strip()
    if not text:
        raise TransformError("empty text is not a number", value)
    if text.casefold() in _NON_FINITE:
        raise TransformError("not a finite number (NaN and Infinity are not amounts)", value)
    if not _NUMBER.fullmatch(text):
        if re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
            reason = "looks like a European number (dot grouping, decimal comma); not guessing"
        elif "," in text:
            reason = "commas must group digits by three, as in 1,234.50"
        else:
            reason = "not a number: expected digits with an optional sign and decimal point"
        raise TransformError(reason, value)
    return Decimal(text.replace(",", ""))
