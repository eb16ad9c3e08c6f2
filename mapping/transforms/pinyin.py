"""Hanzi ↔ pinyin for matching: 张伟 and "Zhang Wei" / "Wei Zhang" are one person's name.

Pinyin is written without tones, lower-case, one word per name part (``xiuying``, not
``xiu ying``), with ü as ``u`` (``lv``, ``lyu`` and ``lü`` all become ``lu``): that is how
people type Chinese names in Latin script, and the form both sides can reach.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from ._text import collapse_spaces, fold_width
from .names import contains_cjk, split_person_name

__all__ = ["fold_pinyin", "person_name_forms", "to_pinyin"]

# Surnames read differently from the same character elsewhere (曾经 ceng, 单位 dan …);
# pypinyin reads characters as words, so a surname gets its surname reading here.
_SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao",
    "查": "zha", "盖": "ge", "乐": "yue", "覃": "qin", "翟": "zhai", "缪": "miao",
    "秘": "bi", "种": "chong", "召": "shao", "员": "yun", "繁": "po", "黑": "he",
    "尉迟": "yuchi", "万俟": "moqi", "长孙": "zhangsun", "单于": "chanyu", "句": "gou",
    "车": "che", "藏": "zang", "沈": "shen", "折": "she", "隗": "wei", "阚": "kan",
}  # fmt: skip
_UMLAUT = re.compile(r"(?<=[ln])(?:yu|v|ü)")
_NOT_LETTERS = re.compile(r"[^a-z ]+")


def fold_pinyin(text: str) -> str:
    """Return Latin-script ``text`` in the matching form: lower-case letters and single spaces,
    ü written ``u`` after l and n (``Lyu`` / ``lv`` / ``lü`` → ``lu``), other marks dropped
    (``Xi'an`` → ``xian``). Not for display.
    """
    text = _UMLAUT.sub("u", collapse_spaces(fold_width(text)).casefold())
    return collapse_spaces(_NOT_LETTERS.sub("", text.replace("-", " ")))


@lru_cache(maxsize=65536)
def to_pinyin(text: str) -> str:
    """Return the toneless pinyin of the hanzi in ``text``, one syllable per character,
    separated by spaces (``华腾科技`` → ``hua teng ke ji``). Latin letters and digits pass
    through lower-case; punctuation goes. Text without hanzi comes back folded only.
    """
    # non-hanzi runs come back as they are (errors="default")
    syllables = lazy_pinyin(fold_width(text), style=Style.NORMAL, errors="default")
    return fold_pinyin(" ".join(syllables))


def _surname_pinyin(surname: str) -> str:
    reading = _SURNAME_READINGS.get(surname)
    if reading is None and len(surname) == 2:
        reading = "".join(_SURNAME_READINGS.get(ch) or to_pinyin(ch) for ch in surname)
    return (reading or to_pinyin(surname)).replace(" ", "")


@lru_cache(maxsize=65536)
def person_name_forms(first: str | None, last: str | None) -> frozenset[str]:
    """Return the Latin forms a person's name is written in, in both orders.

    ``(伟, 张)`` → {"zhang wei", "wei zhang"}; ``(Wei, Zhang)`` → the same two;
    ``(秀英, 王)`` → {"wang xiuying", "xiuying wang"}; ``(John, Smith)`` →
    {"john smith", "smith john"}. A hanzi surname gets its surname reading (曾 → zeng,
    单 → shan). A missing first name gives the family name alone; a full name in one part
    (``last="张伟"``) is split first. Empty when there is no name.
    """
    given, family = (
        (fold_width(first).strip() if first else ""),
        (fold_width(last).strip() if last else ""),
    )
    if family and not given and contains_cjk(family) and len(family) > 1:
        split_given, split_family = split_person_name(family)
        given, family = split_given or "", split_family or ""
    parts: list[str] = []
    for part, is_family in ((given, False), (family, True)):
        if not part:
            continue
        if contains_cjk(part):
            parts.append(_surname_pinyin(part) if is_family else to_pinyin(part).replace(" ", ""))
        else:
            parts.append(fold_pinyin(part))
    parts = [p for p in parts if p]
    if not parts:
        return frozenset()
    if len(parts) == 1:
        return frozenset(parts)
    return frozenset({f"{parts[0]} {parts[1]}", f"{parts[1]} {parts[0]}"})
