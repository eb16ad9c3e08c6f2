"""Text helpers shared by the transforms: width folding and whitespace."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["collapse_spaces", "fold_width", "words"]


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
