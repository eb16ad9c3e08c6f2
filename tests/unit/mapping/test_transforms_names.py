"""contains_cjk, fold_width, join_person_name and split_person_name."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mapping.transforms import contains_cjk, fold_width, join_person_name, split_person_name
from mapping.transforms.names import _COMPOUND_SURNAMES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张伟", True),
        ("Zhang 伟", True),
        ("山田たろう", True),
        ("김민준", True),
        ("𠀀", True),  # extension B
        ("John Smith", False),
        ("ｊｏｈｎ", False),
        ("，。、　", False),
        ("", False),
    ],
)
def test_contains_cjk(text: str, expected: bool) -> None:
    assert contains_cjk(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１３８００１３８０００", "13800138000"),
        ("ＡＢＣ　ａｂｃ", "ABC abc"),
        ("腾讯科技（深圳）有限公司", "腾讯科技(深圳)有限公司"),
        ("zhang＠qq．com", "zhang@qq.com"),
        ("￥１，２３４", "¥1,234"),
        ("张伟，你好。", "张伟,你好。"),  # 。 is CJK punctuation, not full-width ASCII
        ("\uf900\u2460\u3231", "\uf900\u2460\u3231"),  # NFKC would change all three
        ("ﾀﾅｶ", "ﾀﾅｶ"),
        ("plain text", "plain text"),
    ],
)
def test_fold_width(text: str, expected: str) -> None:
    assert fold_width(text) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("伟", "张", "张伟"),
        ("娜娜", "欧阳", "欧阳娜娜"),
        (" 伟 ", "　张　", "张伟"),
        ("John", "Smith", "John Smith"),
        ("John  Ronald", " Smith ", "John Ronald Smith"),
        # one part in hanzi: the surname leads (as "David 张" it would read back as 张 given)
        ("David", "张", "张 David"),
        ("芳", "Xie", "Xie 芳"),
        ("阳娜", "欧", "欧 阳娜"),  # 欧阳娜 would read back as 欧阳 + 娜
        ("Juan", "Garcia Lopez", "Garcia Lopez, Juan"),
        (None, "张", "张"),
        ("伟", None, "伟"),
        ("", "Smith", "Smith"),
        ("John", "  ", "John"),
        (None, None, ""),
        ("", "", ""),
    ],
)
def test_join_person_name(first: str | None, last: str | None, expected: str) -> None:
    assert join_person_name(first, last) == expected


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("张伟", ("伟", "张")),
        ("王小明", ("小明", "王")),
        ("  张　伟 ", ("伟", "张")),
        ("张", (None, "张")),
        ("欧阳娜娜", ("娜娜", "欧阳")),
        ("司马相如", ("相如", "司马")),
        ("诸葛亮", ("亮", "诸葛")),
        ("上官婉儿", ("婉儿", "上官")),
        ("东方朔", ("朔", "东方")),
        ("皇甫嵩", ("嵩", "皇甫")),
        ("尉迟恭", ("恭", "尉迟")),
        ("公孙胜", ("胜", "公孙")),
        ("慕容复", ("复", "慕容")),
        ("长孙无忌", ("无忌", "长孙")),
        ("宇文泰", ("泰", "宇文")),
        ("司徒雷登", ("雷登", "司徒")),
        ("夏侯惇", ("惇", "夏侯")),
        ("轩辕剑", ("剑", "轩辕")),
        ("令狐冲", ("冲", "令狐")),
        ("钟离春", ("春", "钟离")),
        ("端木赐", ("赐", "端木")),
        ("南宫适", ("适", "南宫")),
        ("西门庆", ("庆", "西门")),
        ("百里奚", ("奚", "百里")),
        ("呼延灼", ("灼", "呼延")),
        ("申屠嘉", ("嘉", "申屠")),
        ("澹台灭明", ("灭明", "澹台")),
        ("歐陽修", ("修", "歐陽")),
        ("欧阳", (None, "欧阳")),
        ("山田 太郎", ("太郎", "山田")),
        ("张，伟", ("伟", "张")),
        ("迈克尔·乔丹", ("迈克尔", "乔丹")),
        ("阿依古丽・买买提", ("阿依古丽", "买买提")),
        ("John Smith", ("John", "Smith")),
        ("John Ronald Smith", ("John Ronald", "Smith")),
        ("  John   Smith  ", ("John", "Smith")),
        ("Smith, John", ("John", "Smith")),
        ("Smith,John Ronald", ("John Ronald", "Smith")),
        ("Smith,", (None, "Smith")),
        ("Madonna", (None, "Madonna")),
        ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")),
        ("Juan de la Cruz", ("Juan", "de la Cruz")),
        ("Van Morrison", ("Van", "Morrison")),
        ("Martin Luther King Jr.", ("Martin Luther", "King Jr.")),
        ("ｊｏｈｎ ｓｍｉｔｈ", ("john", "smith")),
        ("", (None, None)),
        ("　 ", (None, None)),
    ],
)
def test_split_person_name(full: str, expected: tuple[str | None, str | None]) -> None:
    assert split_person_name(full) == expected


_GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉"
_SINGLE_SURNAMES = "张王李赵刘陈杨黄吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭"
_CJK_GIVEN = st.text(alphabet=_GIVEN_CHARS, min_size=1, max_size=2)
_CJK_SURNAME = st.sampled_from(sorted(_COMPOUND_SURNAMES) + list(_SINGLE_SURNAMES))
_LATIN_WORD = st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True).filter(
    lambda word: word.casefold() not in {"jr", "sr", "ii", "iii", "iv"}
)


@settings(database=None, deadline=None)
@given(_CJK_GIVEN, _CJK_SURNAME)
def test_cjk_join_then_split_gives_the_parts(first: str, last: str) -> None:
    assume(not (len(last) == 1 and (last + first[0]) in _COMPOUND_SURNAMES))
    full = join_person_name(first, last)
    assert " " not in full
    assert split_person_name(full) == (first, last)


@settings(database=None, deadline=None)
@given(st.lists(_LATIN_WORD, min_size=1, max_size=3), _LATIN_WORD)
def test_latin_join_then_split_gives_the_parts(given_words: list[str], last: str) -> None:
    first = " ".join(given_words)
    assert split_person_name(join_person_name(first, last)) == (first, last)
    assert split_person_name(f"{last}, {first}") == (first, last)


@settings(database=None, deadline=None)
@given(st.text(max_size=20))
def test_split_never_returns_blank_parts(full: str) -> None:
    for part in split_person_name(full):
        assert part is None or (part == part.strip() and part)
