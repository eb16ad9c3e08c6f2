"""Instants as aware UTC datetimes; dates as calendar dates in the CRM's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._text import fold_width
from .errors import TransformError

__all__ = ["date_to_epoch_ms", "to_date", "to_epoch_ms", "to_iso_offset", "to_utc_datetime"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
# Below 10^11 an epoch number is read as seconds (10^11 s is the year 5138); from 10^11 on as
# milliseconds (10^11 ms is 1973-03-03). Every CRM timestamp we see falls clearly on one side.
_MS_THRESHOLD = 10**11
# Epoch text needs 9+ digits (from 1973 in seconds): a shorter run is more likely a compact
# date such as 20240502, which read as seconds would be 1970-08-23.
_EPOCH_TEXT = re.compile(r"-?\d{9,}")
_DATE_TEXT = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TransformError(
            "unknown time zone: expected an IANA name such as Asia/Shanghai", name
        ) from exc


def _from_epoch(number: int, raw: object) -> datetime:
    unit = _MS if abs(number) >= _MS_THRESHOLD else timedelta(seconds=1)
    try:
        return _EPOCH + number * unit
    except OverflowError as exc:
        raise TransformError("epoch timestamp is out of range", raw) from exc


def _localize(naive: datetime, default_tz: str | None, raw: object) -> datetime:
    if default_tz is None:
        raise TransformError("date-time has no time zone and no default_tz was given", raw)
    # A wall time in a DST gap or overlap takes the first (fold=0) reading, as zoneinfo does.
    return naive.replace(tzinfo=_zone(default_tz))


def _parse_text(raw: str, default_tz: str | None) -> datetime:
    text = fold_width(raw).strip()
    if not text:
        raise TransformError("empty date-time", raw)
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(int(text), raw)
    if text.isdigit():
        raise TransformError(
            "too few digits for an epoch timestamp; write dates as yyyy-MM-dd", raw
        )
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TransformError("not an ISO 8601 date-time or epoch milliseconds", raw) from exc
    return parsed if parsed.tzinfo else _localize(parsed, default_tz, raw)


def to_utc_datetime(raw: object, default_tz: str | None = None) -> datetime:
    """Return ``raw`` as an aware datetime in UTC.

    Takes an aware datetime; ISO 8601 text with an offset or ``Z`` (fractions allowed); an
    epoch int or digit string: seconds below 10^11, milliseconds from 10^11 (13 digits is
    typical). A naive datetime or offset-less text is read in ``default_tz`` (IANA name);
    without one it raises TransformError naming the missing zone, as it does for bool,
    float, a bare date and anything unparseable.
    """
    if isinstance(raw, bool):
        raise TransformError("a boolean is not a date-time", raw)
    if isinstance(raw, datetime):
        aware = raw if raw.tzinfo else _localize(raw, default_tz, raw)
    elif isinstance(raw, date):
        raise TransformError("a date has no time of day: use to_date", raw)
    elif isinstance(raw, int):
        aware = _from_epoch(raw, raw)
    elif isinstance(raw, str):
        aware = _parse_text(raw, default_tz)
    else:
        raise TransformError(
            f"expected a datetime, ISO 8601 text or epoch milliseconds, got {type(raw).__name__}",
            raw,
        )
    try:
        return aware.astimezone(UTC)
    except OverflowError as exc:
        raise TransformError("date-time is out of range once converted to UTC", raw) from exc


def _require_aware(dt: datetime) -> None:
    if not isinstance(dt, datetime):
        raise TransformError(f"expected a datetime, got {type(dt).__name__}", dt)
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise TransformError("naive datetime: attach a time zone first", dt)


def to_epoch_ms(dt: datetime) -> int:
    """Return milliseconds since 1970-01-01T00:00Z for an aware ``dt`` (sub-ms truncated
    towards the past). Raises TransformError for a naive datetime."""
    _require_aware(dt)
    return (dt - _EPOCH) // _MS


def to_iso_offset(dt: datetime, tz: str) -> str:
    """Return ``dt`` in zone ``tz`` as ISO 8601 with seconds and a ``±HH:MM`` offset, never
    ``Z`` (``2024-05-02T11:17:33+05:30``), as Zoho renders times in the user's zone.

    Fractions of a second are dropped. Raises TransformError for a naive ``dt`` or an unknown
    zone.
    """
    _require_aware(dt)
    zone = _zone(tz)
    try:
        local = dt.astimezone(zone).replace(microsecond=0)
    except OverflowError as exc:
        raise TransformError(f"date-time is out of range in {tz}", dt) from exc
    return local.isoformat(timespec="seconds")


def to_date(raw: object, tz: str = "Asia/Shanghai") -> date:
    """Return the calendar date of ``raw`` in zone ``tz``.

    Takes a date; ``yyyy-MM-dd`` text (also ``yyyy/M/d`` and ``yyyy年M月d日``); an aware
    datetime or ISO text with an offset (converted to ``tz`` first); a naive datetime (its own
    date); an epoch number as in to_utc_datetime. Fxiaoke sends dates as epoch milliseconds
    at local midnight: ``1690214400000`` → 2023-07-25 in Asia/Shanghai. Raises TransformError.
    """
    zone = _zone(tz)
    if isinstance(raw, datetime):
        return raw.astimezone(zone).date() if raw.tzinfo else raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        match = _DATE_TEXT.fullmatch(fold_width(raw).strip())
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError as exc:
                raise TransformError(f"no such date: {exc}", raw) from exc
    return to_utc_datetime(raw, default_tz=tz).astimezone(zone).date()


def date_to_epoch_ms(d: date, tz: str = "Asia/Shanghai") -> int:
    """Return epoch milliseconds of midnight at the start of ``d`` in zone ``tz`` (Fxiaoke's
    date encoding). Raises TransformError if given a datetime rather than a date."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TransformError(f"expected a date, got {type(d).__name__}", d)
    midnight = datetime(d.year, d.month, d.day, tzinfo=_zone(tz))
    return to_epoch_ms(midnight)
