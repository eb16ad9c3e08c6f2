"""to_bool, to_int and to_str."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.transforms import TransformError, to_bool, to_int, to_str


@pytest.mark.parametrize(
    "raw",
    ["true", "TRUE", "True", "t", "yes", "YES", "y", "Y", "1", "on", "ON", "是", "真", "对",
     " yes ", "ｙｅｓ", "１", True, 1, 1.0, Decimal("1")],
)  # fmt: skip
def test_to_bool_true(raw: object) -> None:
    assert to_bool(raw) is True


@pytest.mark.parametrize(
    "raw",
    ["false", "FALSE", "f", "no", "No", "n", "N", "0", "off", "Off", "否", "假", "错",
     "　no　", False, 0, 0.0, Decimal("0")],
)  # fmt: skip
def test_to_bool_false(raw: object) -> None:
    assert to_bool(raw) is False


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty text"),
        ("  ", "empty text"),
        ("maybe", "not a yes/no value"),
        ("yes please", "not a yes/no value"),
        ("2", "not a yes/no value"),
        (2, "only the numbers 0 and 1"),
        (-1, "only the numbers 0 and 1"),
        (0.5, "only the numbers 0 and 1"),
        (Decimal("sNaN"), "only the numbers 0 and 1"),
        (None, "got NoneType"),
        ([True], "got list"),
    ],
)
def test_to_bool_rejects(raw: object, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_bool(raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, 12), (-3, -3), (10**30, 10**30), (Decimal("12"), 12), (Decimal("12.00"), 12),
        (Decimal("1E+3"), 1000), (3.0, 3), (-0.0, 0), ("42", 42), (" 42 ", 42),
        ("1,234", 1234), ("1,234,567", 1234567), ("-5", -5), ("+5", 5), ("12.00", 12),
        ("１２３", 123), ("１，２３４", 1234),
    ],
)  # fmt: skip
def test_to_int(raw: object, expected: int) -> None:
    result = to_int(raw)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (1.5, "fractional part"),
        ("1.5", "fractional part"),
        (Decimal("0.1"), "fractional part"),
        (True, "boolean"),
        (False, "boolean"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (Decimal("NaN"), "finite"),
        (Decimal("sNaN"), "finite"),
        ("", "empty"),
        ("abc", "not a number"),
        ("1e3", "not a number"),
        ("12a", "not a number"),
        ("1,23", "group digits by three"),
        (None, "got NoneType"),
        ({"n": 1}, "got dict"),
    ],
)
def test_to_int_rejects(raw: object, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_int(raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  hello ", "hello"),
        ("张伟", "张伟"),
        ("　张伟　", "张伟"),
        ("", None),
        ("   ", None),
        ("\t\n", None),
        (None, None),
        (12, "12"),
        (-7, "-7"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (Decimal("1E+3"), "1000"),
        (Decimal("12.50"), "12.50"),
        (True, "true"),
        (False, "false"),
        (date(2024, 5, 2), "2024-05-02"),
        (datetime(2024, 5, 2, 11, 17, 33, tzinfo=UTC), "2024-05-02T11:17:33+00:00"),
        (time(9, 30), "09:30:00"),
    ],
)
def test_to_str(raw: object, expected: str | None) -> None:
    assert to_str(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"a": 1}, "got a dict"),
        ([1, 2], "got a list"),
        ((1,), "got a tuple"),
        ({1}, "got a set"),
        (b"abc", "binary data"),
        (bytearray(b"x"), "binary data"),
        (float("nan"), "finite"),
        (Decimal("Infinity"), "finite"),
        (Decimal("sNaN"), "finite"),
        (object(), "got object"),
    ],
)
def test_to_str_rejects(raw: object, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_str(raw)
    assert reason in caught.value.reason


@settings(database=None, deadline=None)
@given(st.integers())
def test_to_int_reads_its_own_text(value: int) -> None:
    assert to_int(str(value)) == value
    assert to_int(f"{value:,}") == value
    assert to_int(to_str(value)) == value


@settings(database=None, deadline=None)
@given(st.booleans())
def test_to_bool_reads_to_str(value: bool) -> None:
    assert to_bool(to_str(value)) is value


@settings(database=None, deadline=None)
@given(st.text())
def test_to_str_is_trimmed_or_none(raw: str) -> None:
    result = to_str(raw)
    assert result is None or (result == result.strip() and result)
