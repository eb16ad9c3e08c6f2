"""JSON in and out without floats: money stays Decimal both ways."""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]


def loads(content: bytes | str) -> Any:
    """Parse JSON; numbers with a fraction or exponent become Decimal, never float.

    A body that is not valid UTF-8 still parses: each undecodable byte becomes a lone
    surrogate in its string (Python's surrogateescape), so the one record holding it is
    refused by the mapping with its field named, instead of the whole page failing."""
    try:
        return json.loads(content, parse_float=Decimal)
    except UnicodeDecodeError:
        if isinstance(content, str):
            raise
        return json.loads(content.decode("utf-8", "surrogateescape"), parse_float=Decimal)


def dumps(value: Any) -> bytes:
    """Encode JSON (UTF-8, CJK kept as is); a Decimal is written as the exact number it holds."""
    # json cannot emit a raw number from `default`, so each Decimal goes out as a marked string
    # and the marks are replaced afterwards; the nonce keeps real text from ever matching.
    nonce = secrets.token_hex(8)

    def default(obj: object) -> str:
        if isinstance(obj, Decimal):
            if not obj.is_finite():
                raise ValueError(f"cannot write {obj} as a JSON number")
            return f"{nonce}:{obj}"
        raise TypeError(f"{type(obj).__name__} is not JSON serialisable")

    text = json.dumps(value, default=default, ensure_ascii=False, separators=(",", ":"))
    text = re.sub(f'"{nonce}:([^"]*)"', r"\1", text)
    return text.encode()
