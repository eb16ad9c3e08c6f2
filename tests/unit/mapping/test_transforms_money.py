"""to_decimal, to_currency, format_amount and canonical_amount."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.transforms import (
    TransformError,
    canonical_amount,
    format_amount,
    to_currency,
    to_decimal,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Decimal("1.50"), "1.50"),
        (12, "12"),
        (-7, "-7"),
        (0.1, "0.1"),
        (1234.5, "1234.5"),
        (1e20, "1E+20"),
        ("21739535.00", "21739535.00"),
        ("1,234.50", "1234.50"),
        ("1,234,567", "1234567"),
        ("¥1,234", "1234"),
        ("￥１，２３４", "1234"),
        ("$ 99.90", "99.90"),
        ("US$12", "12"),
        ("HK$12", "12"),
        ("€5", "5"),
        ("RMB 12", "12"),
        ("rmb12", "12"),
        ("1,234元", "1234"),
        (" 12 ", "12"),
        ("　１２　", "12"),
        ("１２３４．５", "1234.5"),
        ("-12.5", "-12.5"),
        ("+3", "3"),
        (".5", "0.5"),
        ("0", "0"),
    ],
)
def test_to_decimal(raw: object, expected: str) -> None:
    result = to_decimal(raw)
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (True, "boolean"),
        (False, "boolean"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (Decimal("NaN"), "finite"),
        (Decimal("-Infinity"), "finite"),
        ("NaN", "finite"),
        ("Infinity", "finite"),
        ("-inf", "finite"),
        ("", "empty"),
        ("   ", "empty"),
        ("¥", "empty"),
        ("abc", "not a number"),
        ("12 34", "not a number"),
        ("1e5", "not a number"),
        ("1..2", "not a number"),
        ("--1", "not a number"),
        ("1,23", "group digits by three"),
        ("12,34.5", "group digits by three"),
        ("1.234,56", "European"),
        (None, "got NoneType"),
        ([1], "got list"),
        ({"amount": 1}, "got dict"),
    ],
)
def test_to_decimal_rejects(raw: object, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_decimal(raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CNY", "CNY"), ("cny", "CNY"), (" usd ", "USD"), ("ｅｕｒ", "EUR"), ("156", "CNY"),
        ("RMB", "CNY"), ("rmb", "CNY"), ("人民币", "CNY"), ("元", "CNY"), ("美元", "USD"),
        ("美金", "USD"), ("港币", "HKD"), ("港元", "HKD"), ("欧元", "EUR"), ("日元", "JPY"),
        ("英镑", "GBP"), ("€", "EUR"), ("£", "GBP"), ("US$", "USD"), ("HK$", "HKD"),
        ("Euro", "EUR"), ("US Dollar", "USD"), ("Yuan Renminbi", "CNY"), ("Yen", "JPY"),
    ],
)  # fmt: skip
def test_to_currency(raw: str, expected: str) -> None:
    assert to_currency(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("¥", "both yuan (CNY) and yen (JPY)"),
        ("￥", "both yuan (CNY) and yen (JPY)"),
        ("$", "dozen dollars"),
        ("dollar", "several currencies"),
        ("", "empty currency"),
        ("XYZ", "unknown currency"),
        ("钱", "unknown currency"),
    ],
)
def test_to_currency_rejects(raw: str, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_currency(raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("21739535"), 2, "21739535.00"),
        (Decimal("1.005"), 2, "1.01"),
        (Decimal("1.004"), 2, "1.00"),
        (Decimal("-1.005"), 2, "-1.01"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("1E+5"), 2, "100000.00"),
        (Decimal("1E-30"), 2, "0.00"),
        (Decimal("-0.001"), 2, "0.00"),
        (Decimal("-0"), 2, "0.00"),
        (Decimal("12.3456"), 4, "12.3456"),
        (Decimal("123456789012345678901234567890.555"), 2, "123456789012345678901234567890.56"),
    ],
)
def test_format_amount(value: Decimal, places: int, expected: str) -> None:
    assert format_amount(value, places) == expected


@pytest.mark.parametrize(
    ("value", "places", "reason"),
    [
        (Decimal("NaN"), 2, "finite Decimal"),
        (Decimal("Infinity"), 2, "finite Decimal"),
        (1.5, 2, "finite Decimal"),
        (Decimal("1"), -1, "cannot be negative"),
    ],
)
def test_format_amount_rejects(value: Decimal, places: int, reason: str) -> None:
    with pytest.raises(TransformError, match=reason):
        format_amount(value, places)


_AMOUNTS = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15)


@settings(database=None, deadline=None)
@given(_AMOUNTS, st.integers(min_value=0, max_value=6))
def test_format_amount_round_trips_through_to_decimal(value: Decimal, places: int) -> None:
    text = format_amount(value, places)
    assert "E" not in text
    expected = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert to_decimal(text) == expected
    assert format_amount(to_decimal(text), places) == text


@settings(database=None, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_to_decimal_keeps_a_floats_shortest_repr(value: float) -> None:
    result = to_decimal(value)
    assert result == Decimal(repr(value))
    assert float(result) == value


@settings(database=None, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_to_decimal_reads_grouped_text(value: int) -> None:
    assert to_decimal(f"{value:,}") == value
    assert to_decimal(f"¥{abs(value):,}.00") == abs(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12500.5", "12500.50"),
        ("12500.50", "12500.50"),
        ("12500.500", "12500.50"),
        ("12500.125", "12500.125"),
        ("100", "100.00"),
        ("1E+3", "1000.00"),
        ("-0.00", "0.00"),
        ("-3.1", "-3.10"),
        ("99999999999999999.99", "99999999999999999.99"),
        ("0.000000001", "1E-9"),  # nothing is rounded away
    ],
)
def test_canonical_amount(value: str, expected: str) -> None:
    assert str(canonical_amount(Decimal(value))) == expected


def test_canonical_amount_takes_other_minimum_places() -> None:
    assert str(canonical_amount(Decimal("5"), min_places=0)) == "5"
    assert str(canonical_amount(Decimal("5.10"), min_places=0)) == "5.1"


@pytest.mark.parametrize(
    ("value", "places", "reason"),
    [(Decimal("NaN"), 2, "finite Decimal"), (Decimal("1"), -1, "cannot be negative"),
     (1.5, 2, "finite Decimal")],
)  # fmt: skip
def test_canonical_amount_rejects(value: Decimal, places: int, reason: str) -> None:
    with pytest.raises(TransformError, match=reason):
        canonical_amount(value, places)


@settings(max_examples=200)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, max_value=10**15,
                   min_value=-(10**15)))  # fmt: skip
def test_canonical_amount_is_one_spelling_per_number(value: Decimal) -> None:
    canonical = canonical_amount(value)
    assert canonical == value  # the same number
    assert canonical_amount(canonical) == canonical
    assert str(canonical_amount(Decimal(str(value) + "0"))) == str(canonical)
    as_json_number = Decimal(repr(float(canonical)))  # as Zoho sends it back
    if as_json_number == canonical:
        assert str(canonical_amount(as_json_number)) == str(canonical)
