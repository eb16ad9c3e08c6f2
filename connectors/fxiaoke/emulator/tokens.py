"""`/cgi/corpAccessToken/get/V2`: one corp token at a time, the same until close to expiry.

Inside the last `token_renew_window_s` of a token's life a new one is issued while the old stays
valid until it expires; a freshly issued token is never answered with 20016.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from connectors.emulator.clock import EmulatorClock
from connectors.emulator.limits import SlidingWindows
from connectors.fxiaoke.emulator.envelope import Code, FxError
from connectors.fxiaoke.emulator.settings import FxiaokeCredentials, FxiaokeLimits

__all__ = ["CorpTokens"]

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")


@dataclass(slots=True)
class _Token:
    value: str
    issued: float
    expires: float


class CorpTokens:
    def __init__(
        self, clock: EmulatorClock, limits: FxiaokeLimits, credentials: FxiaokeCredentials
    ) -> None:
        self.clock = clock
        self.limits = limits
        self.credentials = credentials
        self.calls = SlidingWindows(clock, limits.token_calls_per_min, 60)
        self._tokens: dict[str, _Token] = {}
        self._current: _Token | None = None
        self._lock = threading.Lock()

    def issue(self, body: dict[str, Any]) -> dict[str, Any]:
        creds = self.credentials
        app_id, secret, code = body.get("appId"), body.get("appSecret"), body.get("permanentCode")
        for name, value in (("appId", app_id), ("appSecret", secret), ("permanentCode", code)):
            if not isinstance(value, str) or not value:
                raise FxError(Code.PARAM_MISSING, f"the parameter {name} is missing or illegal")
        if not isinstance(secret, str) or not _HEX32.match(secret):
            raise FxError(Code.PARAM_MISSING, "the parameter appSecret is missing or illegal")
        if app_id != creds.app_id or secret != creds.app_secret:
            raise FxError(Code.APP_WRONG, "appId或appSecret错误")
        if code != creds.permanent_code:
            raise FxError(Code.PERMANENT_CODE_WRONG, "permanentCode错误")
        if not self.calls.try_call("token"):
            raise FxError(Code.RATE_LIMITED, "获取token接口调用超过限制(10次/分钟)")
        now = self.clock.now()
        with self._lock:
            current = self._current
            renew_at = (current.expires - self.limits.token_renew_window_s) if current else 0
            if current is None or now >= renew_at:
                current = _Token(secrets.token_hex(16).upper(), now, now + self.limits.token_ttl_s)
                self._tokens[current.value] = current
                self._current = current
            expires_in = max(1, int(current.expires - now))
        return {"corpAccessToken": current.value, "corpId": creds.corp_id, "expiresIn": expires_in}

    def check(self, body: dict[str, Any]) -> None:
        token, corp_id = body.get("corpAccessToken"), body.get("corpId")
        if not token:
            raise FxError(Code.TOKEN_MISSING, "corpAccessToken为必填项，不能为空")
        if not corp_id:
            raise FxError(Code.CORP_ID_MISSING, "corpId为必填项")
        with self._lock:
            found = self._tokens.get(token) if isinstance(token, str) else None
            live = found is not None and found.expires > self.clock.now()
        if not live or corp_id != self.credentials.corp_id:
            raise FxError(Code.TOKEN_EXPIRED, "corpAccessToken不存在或者已经过期")

    def forget(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._current = None
