"""What Zoho does that the shared client cannot know: where its error codes sit, how per-record
results read, and its timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from connectors.protocol import PushOutcome, PushResult, RemoteRecord
from connectors.zoho.spec import ZOHO
from mapping.transforms import TransformError
from mapping.transforms.datetimes import to_utc_datetime

__all__ = ["error_code", "modified_at", "record_result", "to_record"]


def error_code(response: httpx.Response, body: Any) -> tuple[str | None, str | None]:
    """Request-level errors are one top-level object; a write answers per record in `data[]`
    even when every record failed (HTTP 400). Some 4xx answers wrap the one error in `data[]`."""
    if not isinstance(body, dict):
        return None, None
    if body.get("status") == "error" and "code" in body:
        return str(body["code"]), str(body.get("message") or "")
    data = body.get("data")
    if response.status_code >= 400 and isinstance(data, list) and data:
        first = data[0] if isinstance(data[0], dict) else {}
        if response.request.method != "GET" and response.status_code == 400:
            return "PER_RECORD_RESULTS", None
        return str(first.get("code") or ""), str(first.get("message") or "")
    return None, None


def modified_at(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return to_utc_datetime(value)
    except TransformError:
        return None


def to_record(row: dict[str, Any]) -> RemoteRecord:
    return RemoteRecord(str(row["id"]), modified_at(row.get("Modified_Time")), row)


def record_result(key: str, entry: Any, *, deleting: bool = False) -> PushResult:
    """One entry of a write's `data[]` as a result."""
    if not isinstance(entry, dict):
        return PushResult(key, PushOutcome.FAILED, error_message="no result for this record")
    code = str(entry.get("code") or "")
    message = str(entry.get("message") or "")
    raw_details = entry.get("details")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    if entry.get("status") == "success":
        return PushResult(
            key,
            PushOutcome.OK,
            remote_id=str(details["id"]) if details.get("id") else None,
            modified_at=modified_at(details.get("Modified_Time")),
        )
    outcome = ZOHO.record_codes.get(code, PushOutcome.FAILED)
    remote_id = None
    if outcome is PushOutcome.ALREADY_EXISTS:
        duplicate = details.get("duplicate_record")
        remote_id = (
            str(duplicate["id"]) if isinstance(duplicate, dict) and duplicate.get("id") else None
        )
    elif deleting and code == "INVALID_DATA" and details.get("id"):
        # the id is unknown: a delete repeated after a lost answer finds nothing left to delete
        return PushResult(
            key, PushOutcome.OK, str(details["id"]), None, code, f"already absent: {message}"
        )
    if code == "MULTIPLE_OR_MULTI_ERRORS" and isinstance(details.get("errors"), list):
        message = "; ".join(
            f"{e.get('code')}: {e.get('message')} ({(e.get('details') or {}).get('api_name', '')})"
            for e in details["errors"]
            if isinstance(e, dict)
        )
    elif details.get("api_name"):
        message = f"{message} (field {details['api_name']})"
    return PushResult(key, outcome, remote_id, None, code or None, message or None)
