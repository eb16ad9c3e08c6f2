"""normalize_phone, is_e164 and phone_region: E.164 from what people type."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.transforms import (
    TransformError,
    is_e164,
    landline_cities,
    normalize_phone,
    phone_region,
    same_digits,
)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+86 138 0013 8000", None, "+8613800138000"),
        ("+8613800138000", None, "+8613800138000"),
        ("0086 13800138000", None, "+8613800138000"),
        ("0086-138-0013-8000", "US", "+8613800138000"),
        ("13800138000", "CN", "+8613800138000"),
        ("138.0013.8000", "CN", "+8613800138000"),
        ("(0755) 8888-8888", "CN", "+8675588888888"),
        ("（0755）8888-8888", "CN", "+8675588888888"),
        ("010-12345678", "CN", "+861012345678"),
        ("+86 (0)755 8888 8888", None, "+8675588888888"),
        ("１３８００１３８０００", "CN", "+8613800138000"),
        ("＋８６　１３８－００１３－８０００", None, "+8613800138000"),
        ("tel:+86-10-12345678", None, "+861012345678"),
        ("TEL:+86-10-12345678;ext=12", None, "+861012345678"),
        ("+8613800138000 ext. 12", None, "+8613800138000"),
        ("+8613800138000 ext 12", None, "+8613800138000"),
        ("010-12345678转12", "CN", "+861012345678"),
        ("010-12345678 转 305", "CN", "+861012345678"),
        ("010-12345678分机12", "CN", "+861012345678"),
        ("415-555-0132 x12", "US", "+14155550132"),
        ("415-555-0132x12", "US", "+14155550132"),
        ("(415) 555-0132", "US", "+14155550132"),
        ("1 (415) 555-0132", "US", "+14155550132"),
        ("(415) 555-0132", "us", "+14155550132"),
        ("+1 415 555 0132", "CN", "+14155550132"),
        ("+14155550132", None, "+14155550132"),
        ("  +44 20 7946 0958 ", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_normalize_phone_gives_e164(raw: str, region: str | None, expected: str) -> None:
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("", "CN", "empty"),
        ("   ", "CN", "empty"),
        ("tel:", None, "empty"),
        ("abc", "CN", "letters"),
        ("call me", "CN", "letters"),
        ("1-800-FLOWERS", "US", "letters"),
        ("123", "CN", "too short"),
        ("+86 10 1234", None, "dialable only locally"),
        ("555-0132", "US", "dialable only locally"),
        ("+8613800138000123456", None, "too long"),
        ("+65 9123 45678", None, "length no number"),
        ("+999 1234 5678", None, "calling code does not exist"),
        ("13800138000", None, "no default region"),
        ("(0755) 8888-8888", None, "no default region"),
        ("13800138000", "XX", "unknown phone region"),
        ("13800138000/13900139000", "CN", "several phone numbers"),
        ("13800138000、13900139000", "CN", "several phone numbers"),
        ("+86 138+0013", None, "other than digits"),
        ("138*0013*8000", "CN", "other than digits"),
        ("---", "CN", "no digits"),
    ],
)
def test_normalize_phone_rejects(raw: str, region: str | None, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        normalize_phone(raw, region)
    assert reason in caught.value.reason
    assert caught.value.value == raw


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+8613800138000", True),
        ("+14155550132", True),
        ("+861012345678", True),
        ("8613800138000", False),
        ("+86 138 0013 8000", False),
        ("+86-13800138000", False),
        ("+0613800138000", False),
        ("+123", False),
        ("+8613800138000123", False),
        ("", False),
        ("+８６１３８００１３８０００", False),
    ],
)
def test_is_e164(value: str, expected: bool) -> None:
    assert is_e164(value) is expected


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+8613800138000", "CN"),
        ("+14155550132", "US"),
        ("+14165550132", "CA"),
        ("+442079460958", "GB"),
        ("+85221234567", "HK"),
        ("+80012345678", None),
    ],
)
def test_phone_region(e164: str, expected: str | None) -> None:
    assert phone_region(e164) == expected


@pytest.mark.parametrize("value", ["13800138000", "+86 138 0013 8000", "", "+12"])
def test_phone_region_rejects_non_e164(value: str) -> None:
    with pytest.raises(TransformError, match=r"not an E\.164"):
        phone_region(value)


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+8657134609695", ("Hangzhou",)),
        ("+862059327707", ("Guangzhou",)),
        ("+861084653048", ("Beijing",)),
        ("+862946501352", ("XiAn", "Xianyang")),  # one area code, two cities
        ("+8613805316574", ()),  # a mobile moves with its owner
        ("+14155550132", ()),  # elsewhere an area code is a region, not a city
    ],
)
def test_landline_cities(e164: str, expected: tuple[str, ...]) -> None:
    assert landline_cities(e164) == expected


def test_landline_cities_rejects_non_e164() -> None:
    with pytest.raises(TransformError, match=r"not an E\.164"):
        landline_cities("0571-3460-9695")


_REGIONS = st.sampled_from(["CN", "US", "GB", "DE", "JP", "HK", "SG", "FR", "AU"])


@st.composite
def _example_numbers(draw: st.DrawFn) -> tuple[str, str]:
    region = draw(_REGIONS)
    kind = draw(st.sampled_from([phonenumbers.PhoneNumberType.MOBILE,
                                 phonenumbers.PhoneNumberType.FIXED_LINE]))  # fmt: skip
    number = phonenumbers.example_number_for_type(region, kind)
    style = draw(st.sampled_from([phonenumbers.PhoneNumberFormat.NATIONAL,
                                  phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                                  phonenumbers.PhoneNumberFormat.E164]))  # fmt: skip
    return str(phonenumbers.format_number(number, style)), region


@settings(database=None, deadline=None)
@given(_example_numbers())
def test_normalize_phone_is_idempotent_and_strict(example: tuple[str, str]) -> None:
    raw, region = example
    once = normalize_phone(raw, region)
    assert is_e164(once)
    assert normalize_phone(once) == once
    assert normalize_phone(once, "CN") == once
    assert phone_region(once) == region


@settings(database=None, deadline=None)
@given(st.text(max_size=30))
def test_normalize_phone_only_ever_raises_transform_error(raw: str) -> None:
    # Any other exception type escapes and fails the test.
    try:
        result: str | None = normalize_phone(raw, "CN")
    except TransformError:
        result = None
    assert result is None or is_e164(result)


@pytest.mark.parametrize(
    ("raw", "record_region", "expected"),
    [
        # a US customer's number without its country code, in a CRM whose region is CN
        ("415-719-7050", "US", "+14157197050"),
        ("(415) 719 7050", "us", "+14157197050"),
        # a Chinese mobile on a US-addressed record: not valid in the US, valid in China
        ("13800138000", "US", "+8613800138000"),
        ("0755-86013388", "US", "+8675586013388"),
        # a country code always wins over both regions
        ("+44 20 7946 0958", "US", "+442079460958"),
        # a country phonenumbers does not know (from data) falls back to the connection's
        ("415-719-7050", "ZZ", "+864157197050"),
        ("13800138000", None, "+8613800138000"),
    ],
)
def test_a_national_number_is_read_in_the_records_own_country_first(
    raw: str, record_region: str | None, expected: str
) -> None:
    assert normalize_phone(raw, "CN", record_region=record_region) == expected


def test_a_number_valid_nowhere_is_read_as_possible_in_the_records_country() -> None:
    # no area code starts with 1 in the US, and no Chinese number with 11: possible, not valid
    assert normalize_phone("111-111-1111", "CN", record_region="US") == "+11111111111"
    assert normalize_phone("111-111-1111", "CN", record_region="CN") == "+861111111111"


def test_same_digits_under_two_country_codes_are_one_number_read_twice() -> None:
    us = normalize_phone("415-586-5647", "CN", record_region="US")
    guessed = normalize_phone("415-586-5647", "CN")
    assert (us, guessed) == ("+14155865647", "+864155865647")
    assert same_digits(us, guessed)
    assert same_digits(guessed, us)
    assert not same_digits(us, us)  # the same number, not two readings of it
    assert not same_digits(us, "+14155865648")
    assert not same_digits("+8613800138000", "13800138000")  # not E.164
