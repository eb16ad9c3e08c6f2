"""Booleans, integers and text from whatever a CRM or a spreadsheet sends."""

from __future__ import annotations

import math
from datetime import date, time
from decimal import Decimal

from ._numbers import parse_decimal_text
from ._text import fold_width
from .errors import TransformError

__all__ = ["to_bool", "to_int", "to_str"]

_TRUE = frozenset({"true", "t", "yes", "y", "1", "on", "是", "真", "对", "开"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off", "否", "假", "错", "关"})


def _is_finite(number: float | Decimal) -> bool:
    return number.is_finite() if isinstance(number, Decimal) else math.isfinite(number)


def to_bool(raw: object) -> bool:
    """Return ``raw`` as a bool: true/false, yes/no, y/n, 1/0, on/off, 是/否, 真/假 (any case,
    full-width too), a bool, or the numbers 0 and 1. Raises TransformError otherwise."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float | Decimal):
        # Compare only finite numbers: a signalling Decimal NaN raises on ==.
        if _is_finite(raw) and raw in (0, 1):
            return bool(raw == 1)
        raise TransformError("only the numbers 0 and 1 are yes/no values", raw)
    if isinstance(raw, str):
        text = fold_width(raw).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if not text:
            raise TransformError("empty text is neither true nor false", raw)
        raise TransformError("not a yes/no value (expected true/false, yes/no, 1/0, 是/否)", raw)
    raise TransformError(f"expected a yes/no value, got {type(raw).__name__}", raw)


def to_int(raw: object) -> int:
    """Return ``raw`` as an int: an int, an integral Decimal or float (``3.0``), or digit text
    with optional sign, grouping commas, full-width digits and zero decimals (``"1,200.00"``).
    Raises TransformError for bool, fractions (``1.5``), NaN and anything else."""
    if isinstance(raw, bool):
        raise TransformError("a boolean is not an integer", raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise TransformError("not a finite number", raw)
        number = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise TransformError("not a finite number", raw)
        number = raw
    elif isinstance(raw, str):
        number = parse_decimal_text(raw)
    else:
        raise TransformError(f"expected an integer, got {type(raw).__name__}", raw)
    if number != number.to_integral_value():
        raise TransformError("has a fractional part; not an integer", raw)
    return int(number)


def to_str(raw: object) -> str | None:
    """Return ``raw`` as trimmed text, or None when it is None or blank.

    Numbers become their plain text (floats via ``repr``, Decimals without exponent), bools
    ``"true"``/``"false"``, dates and times ISO 8601. Raises TransformError for containers
    (dict, list …), bytes, NaN/Infinity and other objects, which are never one field's value.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float | Decimal):
        if not _is_finite(raw):
            raise TransformError("not a finite number", raw)
        return repr(raw) if isinstance(raw, float) else f"{raw:f}"
    if isinstance(raw, date | time):
        return raw.isoformat()
    if isinstance(raw, bytes | bytearray):
        raise TransformError("binary data is not text: decode it at the connector", raw)
    if isinstance(raw, dict | list | tuple | set | frozenset):
        raise TransformError(
            f"expected a single value, got a {type(raw).__name__}: map a field inside it", raw
        )
    raise TransformError(f"expected text or a plain value, got {type(raw).__name__}", raw)
