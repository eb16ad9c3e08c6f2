"""Fxiaoke's envelope: HTTP 200 always, `errorCode` 0 or not, wording that varies.

Codes from the vendor's global table (via the reference) where one fits; the business errors
(record not found, validation, duplicate, delete-before-invalid, wrong object path, no
permission) have no published codes, so the 3200xx values here are placeholders (UNCONFIRMED):
a client must treat unknown non-zero codes as permanent business errors.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from connectors.emulator.http import ApiResponse

__all__ = ["Code", "Envelope", "FxError"]


class Code:
    BUSY = -1
    SYSTEM = -2
    PARAM_MISSING = 10006  # also unknown paths and bad token-call parameters
    OPEN_USER_MISSING = 10010
    OFFSET_RANGE = 10013
    CORP_ID_MISSING = 10014
    OPEN_USER_INVALID = 11008
    RATE_LIMITED = 14001
    PARAM_INVALID = 15002
    APP_WRONG = 20006
    OPEN_USER_NOT_FOUND = 20012
    PERMANENT_CODE_WRONG = 20015
    TOKEN_EXPIRED = 20016
    TOKEN_MISSING = 20017
    DAILY_QUOTA = 30002
    NO_QUOTA = 30003
    EMPLOYEE_NOT_FOUND = 30027
    PARAM_ERROR = 32000
    SERVICE = 50009
    RECORD_NOT_FOUND = 320001
    VALIDATION = 320002
    DUPLICATE = 320003
    NOT_INVALIDATED = 320004
    NO_SUCH_OBJECT = 320005
    NO_PERMISSION = 320006


_WORDING: dict[int, list[str]] = {
    Code.BUSY: ["系统繁忙，请稍后重试", "system busy", "服务繁忙"],
    Code.SERVICE: ["服务异常", "service exception: read timed out", "调用超时"],
    Code.PARAM_MISSING: ["缺少参数或参数不合法", "the parameter is missing or illegal"],
    Code.RATE_LIMITED: ["接口调用超过限制", "interface call limit exceeded", "调用频率超限"],
    Code.TOKEN_EXPIRED: [
        "corpAccessToken不存在或者已经过期",
        "the cropId,cropAccessToken or authorization is error",
    ],
    Code.TOKEN_MISSING: ["corpAccessToken为必填项，不能为空", "corpAccessToken is required"],
}


class FxError(Exception):
    """A failed call: answered HTTP 200 with this errorCode (and optional extra keys)."""

    def __init__(self, code: int, message: str, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.extra = code, message, extra


class Envelope:
    """Builds responses; picks one of several wordings per code from its own seeded generator."""

    def __init__(self, seed: int, corp_ea: str) -> None:
        self._rng = random.Random(f"fxiaoke-wording-{seed}")
        self._lock = threading.Lock()
        self._ea = corp_ea
        self._seq = 0

    def _trace(self) -> str:
        with self._lock:
            self._seq += 1
            return f"E-O.{self._ea}.{self._seq}-{self._rng.getrandbits(32):08x}"

    def ok(self, **payload: Any) -> ApiResponse:
        body = {"errorCode": 0, "errorMessage": "success", "errorDescription": "success"}
        body |= {"traceId": self._trace(), **payload}
        return ApiResponse(body, code="0")

    def fail(self, code: int, message: str | None = None, **extra: Any) -> ApiResponse:
        wordings = _WORDING.get(code)
        with self._lock:
            if wordings and (message is None or self._rng.random() < 0.5):
                message = self._rng.choice(wordings)
        body = {
            "errorCode": code,
            "errorMessage": message or "error",
            "errorDescription": message or "error",
            "traceId": self._trace(),
            **extra,
        }
        return ApiResponse(body, code=str(code))

    def error(self, exc: FxError) -> ApiResponse:
        return self.fail(exc.code, exc.message, **exc.extra)
