"""clean_company_name and company_key."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.transforms import TransformError, clean_company_name, company_key, company_place


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  腾讯科技（深圳）有限公司　 ", "腾讯科技(深圳)有限公司"),
        ("Zylker   Inc.", "Zylker Inc."),
        ("ＡＣＭＥ　Ｃｏ．，Ｌｔｄ．", "ACME Co.,Ltd."),
        ("华为技术有限公司\n", "华为技术有限公司"),
        ("The Boeing Company", "The Boeing Company"),
    ],
)
def test_clean_company_name(raw: str, expected: str) -> None:
    assert clean_company_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "　"])
def test_clean_company_name_rejects_blank(raw: str) -> None:
    with pytest.raises(TransformError, match="empty company name"):
        clean_company_name(raw)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统有限公司"),
        ("华为技术有限公司", "华为技术有限公司 "),
        ("华为技术有限公司", "华为技术(深圳)有限公司"),
        ("华为技术有限公司", "华为技术（深圳）有限公司"),
        ("华为技术有限公司", "广东省深圳市华为技术有限公司"),
        ("华为技术有限公司", "华为技术有限责任公司"),
        ("华为技术股份有限公司", "华为技术公司"),
        ("Zylker Inc.", "ZYLKER, INC"),
        ("Zylker Inc.", "Zylker Incorporated"),
        ("Zylker Corp.", "Zylker Corporation"),
        ("Zylker L.L.C.", "zylker llc"),
        ("Acme Co., Ltd.", "ACME Company Limited"),
        ("Acme Co.,Ltd", "Acme"),
        ("Acme (Shanghai) Co., Ltd.", "Acme Ltd"),
        ("Acme Pte. Ltd.", "ACME PTE LTD"),
        ("Acme Pty Ltd", "Acme"),
        ("Siemens AG", "Siemens"),
        ("Muster GmbH", "Muster"),
        ("Danone S.A.", "Danone"),
        ("Philips B.V.", "Philips"),
        ("Sony K.K.", "Sony"),
        ("Acme LLP", "Acme PLC"),
        ("The Boeing Company", "Boeing"),
        ("Procter & Gamble", "Procter and Gamble"),
        ("Smith & Co.", "Smith"),
        ("McDonald's", "McDonalds"),
        ("海尔(集团)股份有限公司", "海尔集团有限公司"),
        ("腾讯科技有限公司北京分公司", "腾讯科技北京分公司"),
        ("中国银行股份有限公司北京市分行", "中国银行北京分行"),
        ("上海腾讯科技有限公司", "腾讯科技有限公司"),
        ("浙江省阿里巴巴网络有限公司", "阿里巴巴网络有限公司"),
        ("新疆维吾尔自治区天山网络有限公司", "天山网络有限公司"),
        ("某某投资中心（有限合伙）", "某某投资中心"),
        ("华为技术【深圳】有限公司", "华为技术有限公司"),
        ("Huawei Technologies (China) Co., Ltd.", "HUAWEI TECHNOLOGIES CO LTD"),
    ],
)
def test_company_key_equal(left: str, right: str) -> None:
    assert company_key(left) == company_key(right)
    assert company_key(left) != ""


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("腾讯科技", "腾讯音乐"),
        ("Acme North", "Acme South"),
        ("北京银行股份有限公司", "南京银行股份有限公司"),
        ("上海汽车集团股份有限公司", "北京汽车集团有限公司"),
        ("海尔集团有限公司", "海尔有限公司"),
        ("腾讯科技有限公司北京分公司", "腾讯科技有限公司"),
        ("腾讯科技北京分公司", "腾讯科技上海分公司"),
        ("中山大学", "大学"),
        ("Acme Holdings", "Acme"),
        ("Alpha Inc", "Beta Inc"),
    ],
)
def test_company_key_different(left: str, right: str) -> None:
    assert company_key(left) != company_key(right)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统"),
        ("腾讯科技(深圳)有限公司", "腾讯科技"),
        ("腾讯科技（深圳）有限公司", "腾讯科技"),
        ("Zylker Inc.", "zylker"),
        ("The Acme Trading Company", "acmetrading"),
        ("北京银行股份有限公司", "北京银行"),
        ("吉林化纤股份有限公司", "吉林化纤"),
        ("吉林市化纤有限公司", "化纤"),
        ("腾讯科技有限公司北京分公司", "腾讯科技北京分公司"),
        ("深圳市腾讯科技有限公司北京市分公司", "腾讯科技北京分公司"),
        ("深圳市有限公司", "深圳市"),
        ("Inc.", ""),
        ("有限公司", ""),
        ("Company Limited", ""),
        ("Co., Ltd.", ""),
        ("The", "the"),
    ],
)
def test_company_key_values(raw: str, expected: str) -> None:
    assert company_key(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "　"])
def test_company_key_rejects_blank(raw: str) -> None:
    with pytest.raises(TransformError, match="empty company name"):
        company_key(raw)


_NAME = st.text(
    alphabet=st.sampled_from(list("腾讯华为科技有限公司深圳市() .,&ABCabc123（）")), max_size=20
).filter(lambda name: name.strip() != "")


@settings(database=None, deadline=None)
@given(_NAME)
def test_company_key_is_stable_under_display_cleaning(raw: str) -> None:
    key = company_key(raw)
    assert company_key(clean_company_name(raw)) == key
    assert company_key(raw.upper()) == key
    assert company_key(f"  {raw}  ") == key
    assert " " not in key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("深圳市华腾科技有限公司", "深圳"),
        ("广东省深圳市华腾科技有限公司", "深圳"),
        ("华腾科技(深圳)有限公司", "深圳"),
        ("华腾科技（深圳）有限公司", "深圳"),
        ("北京宏丰达贸易有限责任公司", "北京"),  # a municipality is a city
        ("中山市华腾科技有限公司", "中山"),
        ("Huateng Technology (Shenzhen) Co., Ltd.", "shenzhen"),
        ("Hangzhou Minganyong Capital Co., Ltd.", "hangzhou"),
        ("广东华腾科技有限公司", None),  # a province alone names no city
        ("中山华腾科技有限公司", None),  # 中山 without 市 is a word (中山装), not a place
        ("明安永投资股份有限公司", None),
        ("北京银行", None),  # the place is part of the name: nothing else would remain
        ("华腾科技(中国)有限公司", None),
        ("Acme Corp", None),
    ],
)
def test_company_place(raw: str, expected: str | None) -> None:
    assert company_place(raw) == expected


def test_company_place_rejects_blank() -> None:
    with pytest.raises(TransformError, match="empty company name"):
        company_place(" ")
