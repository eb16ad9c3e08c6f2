"""Zoho's response shapes: request-level error objects and per-record results."""

from __future__ import annotations

from typing import Any

from connectors.emulator.http import ApiResponse

__all__ = ["ZohoError", "error", "record_error", "status_for_batch"]


class ZohoError(Exception):
    """A request-level failure, answered as `{code, details, message, status: "error"}`."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details or {}

    def response(self) -> ApiResponse:
        return error(self.status, self.code, self.message, self.details)


def error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> ApiResponse:
    body = {"code": code, "details": details or {}, "message": message, "status": "error"}
    return ApiResponse(body, status, code=code)


def record_error(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "details": details, "message": message, "status": "error"}


def status_for_batch(results: list[dict[str, Any]], all_ok: int) -> int:
    """All succeeded → `all_ok` (201 insert, 200 others); mixed → 207; all failed → 400."""
    ok = sum(1 for r in results if r["status"] == "success")
    if ok == len(results):
        return all_ok
    return 207 if ok else 400
