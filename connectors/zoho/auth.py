"""Zoho OAuth: refresh-token grant at the data centre's accounts server; the API host the
token answer names (`api_domain`) is where every API call then goes."""

from __future__ import annotations

import re
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.http import jsonio
from connectors.http.auth import Token
from connectors.http.errors import AuthError, RateLimitedError, TransientError

__all__ = ["ZohoOAuth"]

# token-endpoint throttle (10 tokens / 10 min): HTTP 200 with this error
_THROTTLED = "Access Denied"
_REFUSED_CODES = frozenset({"INVALID_TOKEN", "AUTHENTICATION_FAILURE"})


class ZohoOAuth:
    early_refresh = 120.0

    def __init__(
        self,
        *,
        connection: str,
        accounts_url: str,
        client_id: SecretStr,
        client_secret: SecretStr,
        refresh_token: SecretStr,
    ) -> None:
        self.connection = connection
        self.token_url = f"{accounts_url.rstrip('/')}/oauth/v2/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.scopes: list[str] = []

    def token_request(self) -> httpx.Request:
        return httpx.Request(
            "POST",
            self.token_url,
            data={
                "grant_type": "refresh_token",
                "client_id": self._client_id.get_secret_value(),
                "client_secret": self._client_secret.get_secret_value(),
                "refresh_token": self._refresh_token.get_secret_value(),
            },
        )

    def parse_token(self, response: httpx.Response, now: float) -> Token:
        where: dict[str, Any] = {"connection": self.connection, "endpoint": "POST /oauth/v2/token"}
        if response.status_code >= 500:
            raise TransientError(f"token server answered HTTP {response.status_code}", **where)
        try:
            body: Any = jsonio.loads(response.content)
        except ValueError:
            body = {}
        if not isinstance(body, dict) or "access_token" not in body:
            error = str(body.get("error", f"HTTP {response.status_code}")) if body else "no body"
            if error == _THROTTLED:
                raise RateLimitedError("token server: too many token requests", **where)
            # invalid_code: refresh token revoked/wrong; invalid_client: id/secret or data centre
            raise AuthError(f"token refused: {error}", code=error, **where)
        seconds = float(body.get("expires_in_sec") or body.get("expires_in") or 3600)
        if "expires_in_sec" not in body and seconds > 86_400:
            seconds /= 1000  # the legacy answer gave milliseconds
        self.scopes = [s for s in re.split(r"[,\s]+", str(body.get("scope") or "")) if s]
        api_domain = body.get("api_domain")
        return Token(
            value=str(body["access_token"]),
            expires_at=now + seconds,
            lifetime=seconds,
            extra={"api_domain": str(api_domain).rstrip("/")} if api_domain else {},
        )

    def sign(self, request: httpx.Request, token: Token) -> httpx.Request:
        api_domain = token.extra.get("api_domain")
        if api_domain:
            target = httpx.URL(api_domain)
            if (target.scheme, target.host, target.port) != (
                request.url.scheme,
                request.url.host,
                request.url.port,
            ):
                headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
                request = httpx.Request(
                    request.method,
                    request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port),
                    headers=headers,
                    content=request.content,
                )
        request.headers["Authorization"] = f"Zoho-oauthtoken {token.value}"
        return request

    def refused(self, response: httpx.Response) -> bool:
        if response.status_code != 401:
            return False
        try:
            body = jsonio.loads(response.content)
        except ValueError:
            return True
        code = body.get("code") if isinstance(body, dict) else None
        return code is None or code in _REFUSED_CODES
