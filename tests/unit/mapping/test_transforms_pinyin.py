"""Hanzi ↔ pinyin, nicknames and brand keys: the name forms the matcher compares."""

from __future__ import annotations

import pytest

from mapping.transforms import (
    TransformError,
    company_brand_key,
    fold_pinyin,
    given_name_forms,
    person_name_forms,
    to_pinyin,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("华腾科技", "hua teng ke ji"),
        ("重庆", "chong qing"),  # a phrase reading, not 重 = zhong
        ("长沙", "chang sha"),
        ("华腾（深圳）ABC", "hua teng shen zhen abc"),
        ("Xi'an", "xian"),
        ("", ""),
    ],
)
def test_to_pinyin(text: str, expected: str) -> None:
    assert to_pinyin(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Lyu", "lu"), ("lv", "lu"), ("LÜ", "lu"), ("Nyu", "nu"), ("  Zhang   WEI ", "zhang wei")],
)
def test_fold_pinyin_writes_u_umlaut_one_way(text: str, expected: str) -> None:
    assert fold_pinyin(text) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("伟", "张", {"zhang wei", "wei zhang"}),
        ("Wei", "Zhang", {"zhang wei", "wei zhang"}),
        (None, "张伟", {"zhang wei", "wei zhang"}),  # a full name in the family-name field
        ("秀英", "王", {"wang xiuying", "xiuying wang"}),  # given names are one word
        ("志强", "曾", {"zeng zhiqiang", "zhiqiang zeng"}),  # surname reading: zeng, not ceng
        ("雄信", "单", {"shan xiongxin", "xiongxin shan"}),  # 单 as a surname is shan
        ("娜娜", "欧阳", {"ouyang nana", "nana ouyang"}),  # compound surname
        ("娜", "吕", {"lu na", "na lu"}),
        ("Na", "Lyu", {"lu na", "na lu"}),
        ("ＪＯＨＮ", "Smith", {"john smith", "smith john"}),
        (None, "Smith", {"smith"}),
        (None, None, set()),
    ],
)
def test_person_name_forms_meet_across_scripts_and_orders(
    first: str | None, last: str | None, expected: set[str]
) -> None:
    assert person_name_forms(first, last) == expected


def test_nicknames_meet_their_formal_names() -> None:
    assert given_name_forms("Bill") & given_name_forms("William")
    assert given_name_forms("Bob") & given_name_forms("Robert")
    assert given_name_forms("Bob") & given_name_forms("robert")
    assert not given_name_forms("Bob") & given_name_forms("Mary")
    assert given_name_forms("Wei") == {"wei"}
    assert given_name_forms("  ") == frozenset()


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("深圳市华腾科技有限公司", "Shenzhen Huateng Technology Co., Ltd."),
        ("华腾科技(深圳)有限公司", "HUATENG TECHNOLOGY LIMITED"),
        ("鑫博生物科技股份有限公司", "Xinbo Biotech Co., Ltd."),
        ("Zylker Software Inc.", "ZYLKER LLC"),
    ],
)
def test_brand_key_is_shared_by_a_companys_chinese_and_english_names(left: str, right: str) -> None:
    assert company_brand_key(left) == company_brand_key(right) != ""


def test_brand_key_of_a_name_made_only_of_trade_words_keeps_the_place() -> None:
    assert company_brand_key("北京银行") == "beijing"
    with pytest.raises(TransformError):
        company_brand_key("  ")
