"""to_country_code, to_region_code, country_name and region_name."""

from __future__ import annotations

import pycountry
import pytest

from mapping.transforms import (
    TransformError,
    country_name,
    region_name,
    to_country_code,
    to_region_code,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CN", "CN"), ("cn", "CN"), (" CHN ", "CN"), ("156", "CN"), ("840", "US"),
        ("036", "AU"), ("36", "AU"), ("ｃｈｉｎａ", "CN"), ("China", "CN"),
        ("People's Republic of China", "CN"), ("PRC", "CN"), ("Mainland China", "CN"),
        ("USA", "US"), ("U.S.A.", "US"), ("US", "US"), ("United States of America", "US"),
        ("the United States", "US"), ("UK", "GB"), ("Great Britain", "GB"),
        ("England", "GB"), ("United Kingdom", "GB"), ("Korea", "KR"), ("South Korea", "KR"),
        ("Korea, Republic of", "KR"), ("North Korea", "KP"), ("Russia", "RU"),
        ("Russian Federation", "RU"), ("Vietnam", "VN"), ("Viet Nam", "VN"),
        ("Taiwan", "TW"), ("Hong Kong", "HK"), ("Macau", "MO"), ("Macao", "MO"),
        ("the Netherlands", "NL"), ("Germany", "DE"), ("Türkiye", "TR"), ("Turkey", "TR"),
        ("Czech Republic", "CZ"), ("Côte d'Ivoire", "CI"),
        ("中国", "CN"), ("中华人民共和国", "CN"), ("中国大陆", "CN"), ("美国", "US"),
        ("英国", "GB"), ("香港", "HK"), ("中国香港", "HK"), ("澳门", "MO"), ("台湾", "TW"),
        ("韩国", "KR"), ("大韩民国", "KR"), ("日本", "JP"), ("德国", "DE"), ("法国", "FR"),
        ("新加坡", "SG"), ("马来西亚", "MY"), ("澳大利亚", "AU"), ("中國", "CN"),
    ],
)  # fmt: skip
def test_to_country_code(raw: str, expected: str) -> None:
    assert to_country_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty country"),
        ("   ", "empty country"),
        ("Atlantis", "unknown country"),
        ("Chna", "did you mean 'china'"),
        ("Germny", "did you mean 'germany'"),
        ("XX", "unknown country"),
        ("999", "unknown country"),
        ("火星", "unknown country"),
    ],
)
def test_to_country_code_rejects(raw: str, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_country_code(raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("alpha_2", "alpha_3", "numeric"),
    [(country.alpha_2, country.alpha_3, country.numeric) for country in pycountry.countries],
)
def test_every_iso_country_round_trips(alpha_2: str, alpha_3: str, numeric: str) -> None:
    assert to_country_code(alpha_2) == alpha_2
    assert to_country_code(alpha_3.lower()) == alpha_2
    assert to_country_code(numeric) == alpha_2
    assert to_country_code(country_name(alpha_2, "en")) == alpha_2
    assert to_country_code(country_name(alpha_2, "zh")) == alpha_2


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("GD", "CN", "CN-GD"), ("gd", "CN", "CN-GD"), ("CN-GD", "CN", "CN-GD"),
        ("Guangdong", "CN", "CN-GD"), ("Guangdong Sheng", "CN", "CN-GD"),
        ("广东", "CN", "CN-GD"), ("广东省", "CN", "CN-GD"), ("北京", "CN", "CN-BJ"),
        ("北京市", "CN", "CN-BJ"), ("Beijing", "China", "CN-BJ"), ("上海", "中国", "CN-SH"),
        ("新疆", "CN", "CN-XJ"), ("新疆维吾尔自治区", "CN", "CN-XJ"), ("宁夏", "CN", "CN-NX"),
        ("宁夏回族自治区", "CN", "CN-NX"), ("广西", "CN", "CN-GX"),
        ("广西壮族自治区", "CN", "CN-GX"), ("内蒙古", "CN", "CN-NM"),
        ("Inner Mongolia", "CN", "CN-NM"), ("西藏", "CN", "CN-XZ"), ("Tibet", "CN", "CN-XZ"),
        ("香港", "CN", "CN-HK"), ("黑龙江", "CN", "CN-HL"), ("Shaanxi", "CN", "CN-SN"),
        ("Shanxi", "CN", "CN-SX"), ("　广东省　", "CN", "CN-GD"),
        ("CA", "US", "US-CA"), ("US-CA", "US", "US-CA"), ("California", "US", "US-CA"),
        ("california", "USA", "US-CA"), ("加利福尼亚州", "US", "US-CA"),
        ("New York", "US", "US-NY"), ("ON", "CA", "CA-ON"), ("Ontario", "Canada", "CA-ON"),
        ("Bayern", "DE", "DE-BY"), ("Tokyo", "JP", "JP-13"), ("东京都", "JP", "JP-13"),
        ("东京", "JP", "JP-13"),
    ],
)  # fmt: skip
def test_to_region_code(raw: str, country: str, expected: str) -> None:
    assert to_region_code(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "country", "reason"),
    [
        ("", "CN", "empty region"),
        ("Foo", "CN", "unknown region of CN"),
        ("Guandong", "CN", "did you mean 'guangdong'"),
        ("Califrnia", "US", "did you mean 'california'"),
        ("CN-GD", "US", "belongs to CN, not US"),
        ("ZZ", "US", "unknown region of US"),
        ("Chiayi", "TW", "ambiguous"),
        ("GD", "Atlantis", "unknown country"),
        ("anything", "AQ", "no subdivisions"),
    ],
)
def test_to_region_code_rejects(raw: str, country: str, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_region_code(raw, country)
    assert reason in caught.value.reason


def test_every_cn_province_resolves_from_code_and_chinese_names() -> None:
    from mapping.transforms._cn_places import CN_PROVINCES

    iso = {sub.code for sub in pycountry.subdivisions if sub.country_code == "CN"}
    assert {province.code for province in CN_PROVINCES} == iso
    for province in CN_PROVINCES:
        for name in (province.code, province.short, province.full, *province.english):
            assert to_region_code(name, "CN") == province.code


@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [
        ("CN", "en", "China"), ("CN", "zh", "中国"), ("cn", "zh", "中国"),
        ("US", "en", "United States"), ("US", "zh", "美国"), ("GB", "zh", "英国"),
        ("KR", "en", "South Korea"), ("KR", "zh", "韩国"), ("TW", "en", "Taiwan"),
        ("TW", "zh", "中国台湾"), ("HK", "zh", "中国香港"), ("VN", "en", "Vietnam"),
        ("IR", "en", "Iran"), ("DE", "zh", "德国"), ("MY", "zh", "马来西亚"),
        ("JP", "en", "Japan"),
    ],
)  # fmt: skip
def test_country_name(code: str, language: str, expected: str) -> None:
    assert country_name(code, language) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["", "XX", "CHN", "China", "1"])
def test_country_name_rejects(code: str) -> None:
    with pytest.raises(TransformError, match="alpha-2"):
        country_name(code, "en")


@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [
        ("CN-GD", "zh", "广东省"), ("CN-GD", "en", "Guangdong"),
        ("cn-xj", "zh", "新疆维吾尔自治区"),
        ("CN-BJ", "zh", "北京市"), ("CN-NM", "en", "Inner Mongolia"), ("US-CA", "en", "California"),
        ("US-CA", "zh", "加利福尼亚州"), ("DE-BY", "en", "Bayern"),
    ],
)  # fmt: skip
def test_region_name(code: str, language: str, expected: str) -> None:
    assert region_name(code, language) == expected  # type: ignore[arg-type]


def test_region_name_rejects_unknown_codes() -> None:
    with pytest.raises(TransformError, match="not an ISO 3166-2 subdivision"):
        region_name("CN-ZZ", "en")


@pytest.mark.parametrize("country", ["CN", "US", "DE", "JP", "GB", "FR", "IN", "KR", "AU", "BR"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_region_name_reads_back_to_its_code(country: str, language: str) -> None:
    for subdivision in pycountry.subdivisions.get(country_code=country):
        name = region_name(subdivision.code, language)  # type: ignore[arg-type]
        assert to_region_code(name, country) == subdivision.code, name
