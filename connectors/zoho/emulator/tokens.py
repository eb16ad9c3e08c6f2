"""Zoho Accounts' token endpoint and the access tokens it issues.

Failures come back as HTTP 200 with an `error` key and no `access_token` (`invalid_client`,
`invalid_code`, `Access Denied` when a refresh token asks too often), as the real server does.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from connectors.emulator.clock import EmulatorClock
from connectors.emulator.http import ApiResponse, Call
from connectors.zoho.emulator.settings import ZohoCredentials, ZohoLimits

__all__ = ["AccessToken", "TokenIssuer"]

THROTTLED = {
    "error": "Access Denied",
    "error_description": "You have made too many requests continuously. "
    "Please try again after some time.",
    "status": "failure",
}


@dataclass(slots=True)
class AccessToken:
    token: str
    refresh_token: str
    user_id: str
    scopes: frozenset[str]
    expires_at: float


@dataclass(slots=True)
class _Grant:
    client_id: str
    scope: str
    user_id: str
    issued: deque[float] = field(default_factory=deque)  # when access tokens were issued
    active: deque[str] = field(default_factory=deque)  # their values, oldest first


def _new_token() -> str:
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


class TokenIssuer:
    def __init__(
        self, clock: EmulatorClock, limits: ZohoLimits, credentials: ZohoCredentials, user_id: str
    ) -> None:
        self.clock = clock
        self.limits = limits
        self.clients = {credentials.client_id: credentials.client_secret}
        self.grants: dict[str, _Grant] = {
            credentials.refresh_token: _Grant(credentials.client_id, credentials.scope, user_id)
        }
        self.codes: dict[str, tuple[str, str, str, float]] = {}  # code -> client, scope, user, at
        self.tokens: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

    # ---- issuing ------------------------------------------------------------------------
    def add_refresh_token(self, client_id: str, scope: str, user_id: str) -> str:
        """Another refresh token for a client (e.g. with a narrower scope)."""
        token = _new_token()
        with self._lock:
            self.grants[token] = _Grant(client_id, scope, user_id)
        return token

    def issue_grant_code(self, client_id: str, scope: str, user_id: str) -> str:
        code = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        with self._lock:
            self.codes[code] = (client_id, scope, user_id, self.clock.now())
        return code

    def revoke(self, refresh_token: str) -> bool:
        with self._lock:
            grant = self.grants.pop(refresh_token, None)
            if grant is None:
                return False
            for token in grant.active:
                self.tokens.pop(token, None)
            return True

    def forget_access_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()
            for grant in self.grants.values():
                grant.active.clear()
                grant.issued.clear()

    def _access(self, refresh_token: str, grant: _Grant, now: float) -> dict[str, Any] | None:
        window = self.limits.token_refresh_window_s
        while grant.issued and grant.issued[0] <= now - window:
            grant.issued.popleft()
        if len(grant.issued) >= self.limits.token_refresh_limit:
            return None
        grant.issued.append(now)
        token = _new_token()
        scopes = frozenset(s for s in grant.scope.replace(" ", ",").split(",") if s)
        self.tokens[token] = AccessToken(
            token, refresh_token, grant.user_id, scopes, now + self.limits.token_ttl_s
        )
        grant.active.append(token)
        while len(grant.active) > self.limits.max_access_tokens:
            self.tokens.pop(grant.active.popleft(), None)  # the oldest stops working
        return {"access_token": token, "scope": grant.scope}

    def token_endpoint(self, call: Call, api_domain: str) -> ApiResponse:
        params = dict(call.query)
        if "form-urlencoded" in call.headers.get("content-type", ""):
            params.update(parse_qsl(call.body.decode("utf-8", "replace")))
        grant_type = params.get("grant_type")
        client_id, secret = params.get("client_id"), params.get("client_secret")
        if grant_type not in ("refresh_token", "authorization_code"):
            return ApiResponse({"error": "unsupported_grant_type"}, code="unsupported_grant_type")
        if client_id not in self.clients or self.clients[client_id] != secret:
            return ApiResponse({"error": "invalid_client"}, code="invalid_client")
        now = self.clock.now()
        with self._lock:
            if grant_type == "authorization_code":
                return self._exchange_code(params.get("code"), client_id, now, api_domain)
            refresh_token = params.get("refresh_token") or ""
            grant = self.grants.get(refresh_token)
            if grant is None or grant.client_id != client_id:
                return ApiResponse({"error": "invalid_code"}, code="invalid_code")
            issued = self._access(refresh_token, grant, now)
        if issued is None:
            return ApiResponse(THROTTLED, code="Access Denied")
        body = {
            **issued,
            "api_domain": api_domain,
            "token_type": "Bearer",
            "expires_in": self.limits.token_ttl_s,
        }
        return ApiResponse(body, code="ok")

    def _exchange_code(
        self, code: str | None, client_id: str, now: float, api_domain: str
    ) -> ApiResponse:
        found = self.codes.pop(code or "", None)
        if found is None or found[0] != client_id or now - found[3] > self.limits.grant_code_ttl_s:
            return ApiResponse({"error": "invalid_code"}, code="invalid_code")
        refresh_token = _new_token()
        grant = _Grant(found[0], found[1], found[2])
        self.grants[refresh_token] = grant
        issued = self._access(refresh_token, grant, now) or {}
        body = {
            **issued,
            "refresh_token": refresh_token,
            "api_domain": api_domain,
            "token_type": "Bearer",
            "expires_in": self.limits.token_ttl_s,
        }
        return ApiResponse(body, code="ok")

    # ---- checking -------------------------------------------------------------------------
    def lookup(self, token: str) -> AccessToken | None:
        """The live access token, or None if unknown, revoked or expired."""
        with self._lock:
            found = self.tokens.get(token)
            if found is None or found.expires_at <= self.clock.now():
                return None
            return found
