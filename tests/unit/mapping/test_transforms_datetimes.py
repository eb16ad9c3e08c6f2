"""to_utc_datetime, to_epoch_ms, to_iso_offset, to_date and date_to_epoch_ms."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.transforms import (
    TransformError,
    date_to_epoch_ms,
    to_date,
    to_epoch_ms,
    to_iso_offset,
    to_utc_datetime,
)

_SHANGHAI = ZoneInfo("Asia/Shanghai")


def _naive(*parts: int) -> datetime:
    """A wall-clock datetime without a zone: the inputs these transforms must handle."""
    return datetime(*parts)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("raw", "default_tz", "expected"),
    [
        ("2024-05-02T11:17:33+05:30", None, datetime(2024, 5, 2, 5, 47, 33, tzinfo=UTC)),
        ("2024-05-02T11:17:33Z", None, datetime(2024, 5, 2, 11, 17, 33, tzinfo=UTC)),
        ("2024-05-02T11:17:33.123Z", None, datetime(2024, 5, 2, 11, 17, 33, 123000, tzinfo=UTC)),
        (
            "2024-05-02T11:17:33-07:00",
            "Asia/Shanghai",
            datetime(2024, 5, 2, 18, 17, 33, tzinfo=UTC),
        ),
        ("2024-05-02 11:17:33", "Asia/Shanghai", datetime(2024, 5, 2, 3, 17, 33, tzinfo=UTC)),
        ("2024-05-02", "Asia/Shanghai", datetime(2024, 5, 1, 16, 0, tzinfo=UTC)),
        ("　2024-05-02T11:17:33Z ", None, datetime(2024, 5, 2, 11, 17, 33, tzinfo=UTC)),
        (1690214400000, None, datetime(2023, 7, 24, 16, 0, tzinfo=UTC)),
        ("1690214400000", None, datetime(2023, 7, 24, 16, 0, tzinfo=UTC)),
        ("１６９０２１４４０００００", None, datetime(2023, 7, 24, 16, 0, tzinfo=UTC)),
        (1690214400, None, datetime(2023, 7, 24, 16, 0, tzinfo=UTC)),
        (1690214400123, None, datetime(2023, 7, 24, 16, 0, 0, 123000, tzinfo=UTC)),
        (0, None, datetime(1970, 1, 1, tzinfo=UTC)),
        (10**11 - 1, None, datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=10**11 - 1)),
        (10**11, None, datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),
        (
            datetime(2024, 5, 2, 11, 17, 33, tzinfo=timezone(timedelta(hours=8))),
            None,
            datetime(2024, 5, 2, 3, 17, 33, tzinfo=UTC),
        ),
        (_naive(2024, 5, 2, 11, 0), "Asia/Shanghai", datetime(2024, 5, 2, 3, 0, tzinfo=UTC)),
        (_naive(2024, 7, 1, 12, 0), "America/New_York", datetime(2024, 7, 1, 16, 0, tzinfo=UTC)),
    ],
)
def test_to_utc_datetime(raw: object, default_tz: str | None, expected: datetime) -> None:
    result = to_utc_datetime(raw, default_tz)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "default_tz", "reason"),
    [
        ("2024-05-02 11:17:33", None, "no time zone and no default_tz"),
        (_naive(2024, 5, 2, 11, 0), None, "no time zone and no default_tz"),
        ("2024-05-02T11:17:33", "Mars/Olympus", "unknown time zone"),
        (date(2024, 5, 2), "Asia/Shanghai", "use to_date"),
        (True, None, "boolean"),
        (1690214400.5, None, "got float"),
        (None, None, "got NoneType"),
        ("", None, "empty"),
        ("yesterday", None, "not an ISO 8601"),
        ("2024-13-01T00:00:00Z", None, "not an ISO 8601"),
        ("20240502", "Asia/Shanghai", "too few digits"),
        (10**20, None, "out of range"),
    ],
)
def test_to_utc_datetime_rejects(raw: object, default_tz: str | None, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_utc_datetime(raw, default_tz)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (datetime(1970, 1, 1, tzinfo=UTC), 0),
        (datetime(2023, 7, 25, tzinfo=_SHANGHAI), 1690214400000),
        (datetime(2024, 5, 2, 5, 47, 33, 123999, tzinfo=UTC), 1714628853123),
        (datetime(1969, 12, 31, 23, 59, 59, 999500, tzinfo=UTC), -1),
    ],
)
def test_to_epoch_ms(dt: datetime, expected: int) -> None:
    assert to_epoch_ms(dt) == expected


def test_to_epoch_ms_rejects_naive() -> None:
    with pytest.raises(TransformError, match="naive datetime"):
        to_epoch_ms(_naive(2024, 5, 2))


@pytest.mark.parametrize(
    ("dt", "tz", "expected"),
    [
        (datetime(2024, 5, 2, 5, 47, 33, 999, tzinfo=UTC), "Asia/Kolkata",
         "2024-05-02T11:17:33+05:30"),
        (datetime(2024, 5, 2, 5, 47, 33, tzinfo=UTC), "UTC", "2024-05-02T05:47:33+00:00"),
        (datetime(2024, 5, 2, 5, 47, 33, tzinfo=UTC), "America/New_York",
         "2024-05-02T01:47:33-04:00"),
        (datetime(2024, 1, 2, 5, 47, 33, tzinfo=UTC), "America/New_York",
         "2024-01-02T00:47:33-05:00"),
        (datetime(2024, 5, 2, 16, 0, tzinfo=UTC), "Asia/Shanghai", "2024-05-03T00:00:00+08:00"),
    ],
)  # fmt: skip
def test_to_iso_offset(dt: datetime, tz: str, expected: str) -> None:
    assert to_iso_offset(dt, tz) == expected


@pytest.mark.parametrize(
    ("dt", "tz", "reason"),
    [
        (_naive(2024, 5, 2), "UTC", "naive datetime"),
        (datetime(2024, 5, 2, tzinfo=UTC), "Nowhere/Special", "unknown time zone"),
        (datetime(2024, 5, 2, tzinfo=UTC), "", "unknown time zone"),
        (datetime.max.replace(tzinfo=UTC), "Asia/Shanghai", "out of range"),
    ],
)
def test_to_iso_offset_rejects(dt: datetime, tz: str, reason: str) -> None:
    with pytest.raises(TransformError, match=reason):
        to_iso_offset(dt, tz)


@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        ("2023-07-25", "Asia/Shanghai", date(2023, 7, 25)),
        ("2023/7/25", "Asia/Shanghai", date(2023, 7, 25)),
        ("2023年7月25日", "Asia/Shanghai", date(2023, 7, 25)),
        ("２０２３－０７－２５", "Asia/Shanghai", date(2023, 7, 25)),
        (date(2023, 7, 25), "Asia/Shanghai", date(2023, 7, 25)),
        (1690214400000, "Asia/Shanghai", date(2023, 7, 25)),
        ("1690214400000", "Asia/Shanghai", date(2023, 7, 25)),
        (1690214400000, "UTC", date(2023, 7, 24)),
        (datetime(2023, 7, 24, 16, 0, tzinfo=UTC), "Asia/Shanghai", date(2023, 7, 25)),
        (_naive(2023, 7, 24, 23, 30), "Asia/Shanghai", date(2023, 7, 24)),
        ("2023-07-24T20:00:00-04:00", "Asia/Shanghai", date(2023, 7, 25)),
        ("2023-07-24 23:30:00", "Asia/Shanghai", date(2023, 7, 24)),
    ],
)
def test_to_date(raw: object, tz: str, expected: date) -> None:
    result = to_date(raw, tz)
    assert result == expected
    assert type(result) is date


def test_to_date_defaults_to_shanghai() -> None:
    assert to_date(1690214400000) == date(2023, 7, 25)


@pytest.mark.parametrize(
    ("raw", "tz", "reason"),
    [
        ("2023-02-30", "Asia/Shanghai", "no such date"),
        ("2023年13月1日", "Asia/Shanghai", "no such date"),
        ("next week", "Asia/Shanghai", "not an ISO 8601"),
        ("", "Asia/Shanghai", "empty"),
        (True, "Asia/Shanghai", "boolean"),
        (None, "Asia/Shanghai", "got NoneType"),
        ("2023-07-25", "Not/AZone", "unknown time zone"),
    ],
)
def test_to_date_rejects(raw: object, tz: str, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        to_date(raw, tz)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("d", "tz", "expected"),
    [
        (date(2023, 7, 25), "Asia/Shanghai", 1690214400000),
        (date(1970, 1, 1), "UTC", 0),
        (date(2024, 3, 10), "America/New_York", 1710046800000),
    ],
)
def test_date_to_epoch_ms(d: date, tz: str, expected: int) -> None:
    assert date_to_epoch_ms(d, tz) == expected


def test_date_to_epoch_ms_rejects_datetime() -> None:
    with pytest.raises(TransformError, match="expected a date, got datetime"):
        date_to_epoch_ms(datetime(2023, 7, 25, tzinfo=UTC))


_ZONES = st.sampled_from(
    ["UTC", "Asia/Shanghai", "Asia/Kolkata", "America/New_York", "Europe/Berlin"]
)
# Epoch numbers below 10^11 are read as seconds, so millisecond round trips start after
# 10^11 ms (1973-03-03T09:46:40Z).
_INSTANTS = st.datetimes(
    min_value=_naive(1973, 3, 4),  # hypothesis takes naive bounds
    max_value=_naive(2100, 1, 1),
    timezones=st.just(UTC),
).map(lambda dt: dt.replace(microsecond=dt.microsecond // 1000 * 1000))


@settings(database=None, deadline=None)
@given(_INSTANTS)
def test_epoch_ms_round_trip(instant: datetime) -> None:
    ms = to_epoch_ms(instant)
    assert to_utc_datetime(ms) == instant
    assert to_utc_datetime(str(ms)) == instant


@settings(database=None, deadline=None)
@given(_INSTANTS, _ZONES)
def test_iso_offset_round_trip(instant: datetime, tz: str) -> None:
    text = to_iso_offset(instant, tz)
    assert not text.endswith("Z")
    assert text[-6] in "+-"
    assert text[-3] == ":"
    assert to_utc_datetime(text) == instant.replace(microsecond=0)


@settings(database=None, deadline=None)
@given(st.dates(min_value=date(1973, 3, 4), max_value=date(2100, 1, 1)), _ZONES)
def test_date_epoch_round_trip(day: date, tz: str) -> None:
    assert to_date(date_to_epoch_ms(day, tz), tz) == day
