"""Match keys from canonical values: the hard cases each key must get right."""

from __future__ import annotations

from typing import Any

import pytest

from core.config.matching import MatchingConfig
from core.matching import Matcher
from core.matching import features as f


def customer(**values: Any) -> dict[str, Any]:
    return {"name": "华腾科技有限公司", **values}


def keys(kind: str, record: dict[str, Any]) -> set[tuple[str, str]]:
    config = MatchingConfig()
    return set(Matcher(kind, config.for_kind(kind)).keys(record))


def test_phone_keys_are_e164_from_every_phone_field() -> None:
    record = {"phones": ["+8675523456789"], "phone": "+8613800138000", "mobile": "0755-2345 6789"}
    # a national number without its region cannot be read: it gives no key rather than a wrong one
    assert f.phone_keys(record) == {"+8675523456789", "+8613800138000"}


def test_email_keys_are_lower_case() -> None:
    assert f.email_keys({"emails": ["Zhang.Wei@HuaTeng.COM"], "email": None}) == {
        "zhang.wei@huateng.com"
    }


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"website": "https://www.HuaTeng.com.cn/about"}, {"huateng.com.cn"}),
        ({"domain": "huateng.com", "email": "info@huateng.com"}, {"huateng.com"}),
        ({"email": "zhangwei@qq.com"}, set()),  # free mail is never a company key
        ({"email": "someone@vip.163.com", "website": "gmail.com"}, set()),
        ({"website": "localhost"}, set()),
    ],
)
def test_domain_keys_never_come_from_free_mail(record: dict[str, Any], expected: set[str]) -> None:
    assert f.domain_keys(record) == expected


@pytest.mark.parametrize(
    "name",
    [
        "深圳市华腾科技有限公司",
        "华腾科技(深圳)有限公司",
        "华腾科技（深圳）股份有限公司",
        "深圳华腾科技有限责任公司",
        "华腾科技",
    ],
)
def test_company_keys_agree_across_suffixes_places_brackets_and_width(name: str) -> None:
    assert f.company_keys(name) == {"华腾科技", "huatengkeji"}


def test_company_keys_of_english_names_drop_legal_forms() -> None:
    assert f.company_keys("Zylker, Inc.") == f.company_keys("ZYLKER INC") == {"zylker"}
    assert f.company_keys("Zylker Corp") == {"zylker"}


def test_a_group_and_its_branch_keep_different_keys() -> None:
    assert f.company_keys("海尔集团") != f.company_keys("海尔")
    assert f.company_keys("腾讯科技有限公司北京分公司") != f.company_keys("腾讯科技有限公司")


@pytest.mark.parametrize(
    "record",
    [
        {"first_name": "伟", "last_name": "张"},
        {"full_name": "张伟"},
        {"first_name": "Wei", "last_name": "Zhang"},
        {"first_name": "Zhang", "last_name": "Wei"},  # typed in the other order
        {"last_name": "张伟"},  # the whole name in the family-name field
    ],
)
def test_person_name_key_is_one_for_hanzi_pinyin_and_both_orders(record: dict[str, Any]) -> None:
    assert ("person_name", "wei zhang") in keys("contact", record)


def test_contact_keys_include_email_and_phones() -> None:
    found = keys(
        "contact",
        {"last_name": "Smith", "emails": ["BOB@zylker.com"], "mobile": "+15125550101"},
    )
    assert {("email", "bob@zylker.com"), ("phone", "+15125550101"), ("person_name", "smith")} <= (
        found
    )


def test_customer_keys() -> None:
    found = keys(
        "customer",
        customer(
            phones=["+8675523456789"],
            website="www.huateng.com",
            email="info@qq.com",
            custom={"credit_code": "91440300MA5FXXXX0Q"},
        ),
    )
    assert found == {
        ("phone", "+8675523456789"),
        ("email", "info@qq.com"),
        ("domain", "huateng.com"),
        ("company_name", "华腾科技"),
        ("company_name", "huatengkeji"),
        ("brand", "huateng"),
        ("v:custom.credit_code", "91440300ma5fxxxx0q"),
    }


def test_a_chinese_and_an_english_name_meet_on_their_trade_name_only() -> None:
    chinese = keys("customer", {"name": "达丰软件(重庆)有限公司"})
    english = keys("customer", {"name": "Chongqing Dafeng Software Co., Ltd."})
    assert chinese & english == {("brand", "dafeng")}


def test_a_contact_with_only_a_family_name_meets_a_full_name_at_its_customer() -> None:
    customer_id = "6f1c0a52-5d4e-4c1e-9a57-0f0f6d1c2b3a"
    surname_only = {"last_name": "李", "customer": {"entity_id": customer_id}}
    full = {"first_name": "思远", "last_name": "李", "customer": {"entity_id": customer_id}}
    elsewhere = {"first_name": "思远", "last_name": "李", "customer": {"entity_id": "other"}}
    shared = keys("contact", surname_only) & keys("contact", full)
    assert shared == {("customer_family", f"{customer_id}|li")}
    assert not keys("contact", surname_only) & keys("contact", elsewhere)
    assert not any(t == "customer_family" for t, _ in keys("contact", {"last_name": "李"}))


def test_city_key_reads_hanzi_and_pinyin_alike() -> None:
    for city in ("深圳", "深圳市", "Shenzhen", "SHENZHEN", "Shenzhen City"):
        assert f.city_key({"address": {"city": city}}) == "shenzhen"
    assert f.city_key({"address": {"city": "Xi'an"}}) == f.city_key({"address": {"city": "西安"}})
    assert f.city_key({"address": None}) is None
