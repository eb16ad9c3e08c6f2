"""Fxiaoke corpAccessToken: fetched with appId/appSecret/permanentCode, sent in every JSON body
(with corpId, and the acting user on CRM calls); errorCode 20016 in an HTTP-200 answer means
the token is gone: refresh once and replay."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from connectors.fxiaoke.spec import FXIAOKE
from connectors.http import jsonio
from connectors.http.auth import Token
from connectors.http.errors import AuthError, RateLimitedError, TransientError

__all__ = ["CorpAccessToken"]

_THROTTLED = frozenset({14001, 30004})
_BUSY = frozenset({-1, -2, 50009})


def _body(content: bytes) -> dict[str, Any]:
    try:
        body = jsonio.loads(content) if content else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class CorpAccessToken:
    # clients keep the token for its lifetime minus 30 s (the server hands out the same token
    # for most of its life and a new one only near the end)
    early_refresh = 30.0

    def __init__(
        self,
        *,
        connection: str,
        base_url: str,
        app_id: SecretStr,
        app_secret: SecretStr,
        permanent_code: SecretStr,
        current_open_user_id: str,
    ) -> None:
        self.connection = connection
        self.token_url = f"{base_url.rstrip('/')}{FXIAOKE.paths.token}"
        self._credentials = (app_id, app_secret, permanent_code)
        self.current_open_user_id = current_open_user_id

    def token_request(self) -> httpx.Request:
        app_id, app_secret, permanent_code = self._credentials
        body = {
            "appId": app_id.get_secret_value(),
            "appSecret": app_secret.get_secret_value(),
            "permanentCode": permanent_code.get_secret_value(),
        }
        return httpx.Request(
            "POST",
            self.token_url,
            content=jsonio.dumps(body),
            headers={"Content-Type": "application/json"},
        )

    def parse_token(self, response: httpx.Response, now: float) -> Token:
        where: dict[str, Any] = {"connection": self.connection, "endpoint": FXIAOKE.paths.token}
        body = _body(response.content)
        code = body.get("errorCode")
        if response.status_code >= 500 or code in _BUSY:
            raise TransientError(f"token endpoint busy ({code or response.status_code})", **where)
        if code in _THROTTLED:
            raise RateLimitedError(f"token endpoint throttled ({code})", code=str(code), **where)
        if code != 0 or not body.get("corpAccessToken"):
            message = body.get("errorMessage") or f"HTTP {response.status_code}"
            raise AuthError(f"token refused: {code} {message}", code=str(code), **where)
        seconds = float(body.get("expiresIn") or 7200)
        return Token(
            value=str(body["corpAccessToken"]),
            expires_at=now + seconds,
            lifetime=seconds,
            extra={"corpId": str(body.get("corpId") or "")},
        )

    def sign(self, request: httpx.Request, token: Token) -> httpx.Request:
        body = _body(request.content)
        body["corpAccessToken"] = token.value
        body["corpId"] = token.extra.get("corpId", "")
        if request.url.path.startswith("/cgi/crm/"):
            body["currentOpenUserId"] = self.current_open_user_id
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")
        }
        return httpx.Request(
            request.method, request.url, headers=headers, content=jsonio.dumps(body)
        )

    def refused(self, response: httpx.Response) -> bool:
        return _body(response.content).get("errorCode") in FXIAOKE.token_refused_codes
