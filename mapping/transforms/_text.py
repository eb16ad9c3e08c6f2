"""Text helpers shared by the transforms: width folding and whitespace."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["collapse_spaces", "fold_width", "unreadable_text", "words"]


def _width_table() -> dict[int, str]:
    # Only the full-width ASCII block, the ideographic space and the full-width signs (¥ £ …):
    # NFKC over the whole string would also rewrite CJK compatibility ideographs, circled
    # digits and the like, which changes what a customer's name says.
    table: dict[int, str] = {}
    for code in [*range(0xFF01, 0xFF5F), 0x3000, *range(0xFFE0, 0xFFE7)]:
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1:  # U+FFE3 folds to space + macron: not worth a guess
            table[code] = folded
    return table


_WIDTH = _width_table()
_SPACES = re.compile(r"\s+")


def fold_width(text: str) -> str:
    """Return ``text`` with full-width ASCII, U+3000 and full-width signs made half-width.

    Each of those characters is folded exactly as NFKC would fold it (``１２３`` → ``123``,
    ``（）`` → ``()``, ``＠`` → ``@``, ``￥`` → ``¥``, U+3000 → space). Nothing else is touched:
    CJK ideographs (including compatibility ideographs), kana, Hangul and CJK punctuation such
    as ``、`` and ``。`` come back unchanged, which a whole-string NFKC would not promise.
    """
    return text.translate(_WIDTH)


def words(block: str) -> tuple[str, ...]:
    """Split a whitespace-separated word list written as one string (readable data tables)."""
    return tuple(block.split())


def collapse_spaces(text: str) -> str:
    """Return ``text`` trimmed, with every run of whitespace (U+3000 included) made one space."""
    return _SPACES.sub(" ", text).strip()


_UNREADABLE = re.compile("[\x00\ud800-\udfff]")


def unreadable_text(raw: object) -> str | None:
    """Why ``raw`` (text, or text anywhere inside lists and objects) is not readable text,
    or None when it is. Catches NUL (no database text column takes it) and lone surrogates,
    which are what bytes that are not UTF-8 become when a response is decoded leniently."""
    if isinstance(raw, str):
        found = _UNREADABLE.search(raw)
        if found is None:
            return None
        code = ord(found.group())
        where = f"at character {found.start() + 1}"
        if code == 0:
            return f"contains a NUL character (U+0000) {where}"
        if 0xDC80 <= code <= 0xDCFF:
            return f"is not valid UTF-8: the byte 0x{code - 0xDC00:02X} {where} is not text"
        return f"is not valid Unicode: a lone surrogate U+{code:04X} {where}"
    if isinstance(raw, dict):
        for key, value in raw.items():
            reason = unreadable_text(key) or unreadable_text(value)
            if reason is not None:
                return reason
    elif isinstance(raw, list | tuple):
        for item in raw:
            reason = unreadable_text(item)
            if reason is not None:
                return reason
    return None
