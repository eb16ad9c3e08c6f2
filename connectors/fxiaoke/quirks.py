"""What Fxiaoke does that the shared client cannot know: errorCode in HTTP-200 bodies, millisecond
timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from connectors.protocol import RemoteRecord
from mapping.transforms import TransformError
from mapping.transforms.datetimes import to_utc_datetime

__all__ = ["error_code", "moment", "to_record"]


def error_code(response: httpx.Response, body: Any) -> tuple[str | None, str | None]:
    if isinstance(body, dict) and "errorCode" in body and body["errorCode"] not in (0, "0"):
        message = body.get("errorMessage") or body.get("errorDescription") or ""
        return str(body["errorCode"]), str(message)
    return None, None


def moment(value: Any) -> datetime | None:
    """An epoch-milliseconds field as an aware UTC datetime (None when absent or unreadable)."""
    if value is None or value == "":
        return None
    try:
        return to_utc_datetime(value)
    except TransformError:
        return None


def to_record(row: dict[str, Any]) -> RemoteRecord:
    return RemoteRecord(str(row["_id"]), moment(row.get("last_modified_time")), row)
