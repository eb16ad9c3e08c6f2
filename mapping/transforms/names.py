"""Person names across scripts: 张伟 is surname then given name, John Smith is the reverse."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from nicknames import NickNamer

from ._text import collapse_spaces, fold_width, words

__all__ = [
    "contains_cjk",
    "fold_width",
    "given_name_forms",
    "join_person_name",
    "split_person_name",
]

_CJK = re.compile(
    "["
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han: extension A, unified, compatibility
    "\u1100-\u11ff\uac00-\ud7af"  # Hangul jamo and syllables
    "\U00020000-\U0003134f"  # Han extensions B and later
    "]"
)
# 复姓: two-character surnames, simplified and traditional. Checked before the one-character
# rule so 欧阳娜娜 is 欧阳 + 娜娜, not 欧 + 阳娜娜.
_COMPOUND_SURNAMES = frozenset(
    words("""
    欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫
    宗政 濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官
    司寇 巫马 公西 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延
    东郭 南门 羊舌 微生 梁丘 左丘 西门 第五 东里 即墨 达奚 褚师 单于 尉迟
    歐陽 司馬 諸葛 東方 尉遲 公孫 長孫 軒轅 鍾離 南宮 西門 澹臺 聞人 獨孤 濮陽 閭丘 鮮于
    """)
)
# Lower-case particles belong to the family name (Ludwig van Beethoven, Juan de la Cruz);
# capitalised "Van" is too often a given name to guess.
_PARTICLES = frozenset(
    words("van von der den de del della di da du la le dos das ter ten bin binti al el")
)
_GENERATIONAL = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_FOREIGN_DOT = re.compile(r"\s*[·•・]\s*")


def contains_cjk(text: str) -> bool:
    """Whether ``text`` has a Han ideograph, kana or Hangul character (punctuation aside)."""
    return _CJK.search(text) is not None


def _clean(part: str | None) -> str:
    return collapse_spaces(fold_width(part)) if part else ""


def _written_forms(given: str, family: str) -> tuple[str, ...]:
    """How a name may be written, the usual form first, then forms that mark the boundary."""
    if not given or not family:
        return (given or family,)
    explicit = f"{family}, {given}"  # "Last, First" reads the same in any script
    if contains_cjk(given) and contains_cjk(family):
        return (family + given, f"{family} {given}", explicit)
    if contains_cjk(given) or contains_cjk(family):
        return (f"{family} {given}", explicit)  # Xie 芳: the surname still leads
    return (f"{given} {family}", explicit)


def join_person_name(first: str | None, last: str | None) -> str:
    """Return one display name from given name ``first`` and family name ``last``.

    In the name's own culture: when both parts are CJK the surname comes first with no space
    (张 + 伟 → 张伟); when one is (a pinyin surname and a hanzi given name) the surname still
    comes first, with a space (Xie 芳); otherwise "First Last". A missing or blank part gives
    the other alone; both missing give "".

    The result always splits back into the parts (``split_person_name``), so a full name and
    its parts never contradict each other across CRMs: where the usual form would split
    otherwise, the boundary is written out, as a space after a CJK surname (欧 + 阳娜 →
    ``欧 阳娜``, not 欧阳 + 娜; 山田 + 太郎 → ``山田 太郎``), else as "Last, First" (Garcia
    Lopez + Juan → ``Garcia Lopez, Juan``). Parts that no form keeps apart (a family name
    holding a comma) get the usual form. A part alone is written alone: a hanzi family name
    of several characters (张伟 typed whole into Zoho's Last_Name) then reads back as 张 + 伟.
    """
    given, family = _clean(first), _clean(last)
    if not given and not family:
        return ""
    forms = _written_forms(given, family)
    parts = (given or None, family or None)
    return next((form for form in forms if split_person_name(form) == parts), forms[0])


def _split_cjk(name: str) -> tuple[str | None, str | None]:
    if _FOREIGN_DOT.search(name):
        # Transliterated and minority names keep the foreign order: 迈克尔·乔丹.
        given, _, family = _FOREIGN_DOT.sub("·", name).rpartition("·")
        return given or None, family or None
    if " " in name:
        family, _, given = name.partition(" ")
        return given, family
    if len(name) == 1:
        return None, name
    surname_length = 2 if name[:2] in _COMPOUND_SURNAMES else 1
    return name[surname_length:] or None, name[:surname_length]


def _split_latin(name: str) -> tuple[str | None, str | None]:
    words = name.split(" ")
    cut = len(words) - 1
    if cut > 0 and words[cut].casefold() in _GENERATIONAL:
        cut -= 1
    while cut > 1 and words[cut - 1] in _PARTICLES:
        cut -= 1
    if cut == 0:
        return None, name
    return " ".join(words[:cut]), " ".join(words[cut:])


def split_person_name(full: str) -> tuple[str | None, str | None]:
    """Split a full name into ``(first, last)``, i.e. (given name, family name).

    Whitespace is trimmed and collapsed (U+3000 too). CJK names: a two-character compound
    surname (欧阳, 司马, 诸葛 …) if the name starts with one, else the first character, is
    the family name (张伟 → ("伟", "张")); a one-character name is a surname alone; with a
    space the first word is the surname (山田 太郎); with a middle dot the foreign order is
    kept (迈克尔·乔丹 → ("迈克尔", "乔丹")). "Last, First" in any script. Latin names: "First Last",
    "First Middle Last" → ("First Middle", "Last"); lower-case particles and Jr./III stay
    with the family name ("Ludwig van Beethoven" → ("Ludwig", "van Beethoven")); a single word
    is a family name alone (Zoho's Last_Name is the mandatory one). Blank input gives (None, None).
    """
    name = _clean(full)
    if not name:
        return None, None
    if "," in name:
        family, _, given = name.partition(",")
        return collapse_spaces(given) or None, collapse_spaces(family) or None
    if contains_cjk(name):
        return _split_cjk(name)
    return _split_latin(name)


@cache
def _nicknamer() -> NickNamer:
    # The curated English name/nickname table the package ships (read once, never changed).
    return NickNamer()


@lru_cache(maxsize=65536)
def given_name_forms(given: str) -> frozenset[str]:
    """Return a given name and the formal names it may stand for, lower-case.

    English nicknames reach their formal names and a formal name reaches itself
    (``Bill`` → {"bill", "william", …}, ``Bob`` → {"bob", "robert", …}, ``William`` →
    {"william"}), so two given names may be the same person's when their forms meet.
    Names outside the table (``Wei``) come back alone; blank gives an empty set.
    """
    name = collapse_spaces(fold_width(given)).casefold()
    if not name:
        return frozenset()
    return frozenset({name, *_nicknamer().canonicals_of(name)})
