"""Who is asking, and may they: the session cookie, CSRF tokens and safe redirects.

Every router of the console depends on `guard`: no session, no page (GET is sent to the login
page, anything else refused with 401), and a request that changes something must carry its
session's CSRF token in the form (403 otherwise). The login form, which has no session yet, is
protected by a one-off token in a SameSite=Strict cookie (double submit).
"""

from __future__ import annotations

import hmac
from typing import Final

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from console.sessions import SignedIn, load_session
from console.settings import ConsoleSettings

__all__ = [
    "CSRF_FIELD",
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "CsrfTokenError",
    "NotSignedInError",
    "guard",
    "safe_next",
    "set_cookie",
    "settings_of",
    "tokens_match",
]

SESSION_COOKIE: Final = "crmhub_session"
LOGIN_COOKIE: Final = "crmhub_login"
CSRF_FIELD: Final = "csrf_token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedInError(Exception):
    """The request has no valid session."""


class CsrfTokenError(Exception):
    """A state-changing request without its session's CSRF token."""


def settings_of(request: Request) -> ConsoleSettings:
    found: ConsoleSettings = request.app.state.console
    return found


def tokens_match(sent: object, expected: str | None) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    if not isinstance(sent, str) or not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())


def _signed_in(settings: ConsoleSettings, token: str | None) -> SignedIn | None:
    with settings.store.sessions() as session:
        return load_session(session, token)


async def guard(request: Request) -> SignedIn:
    """The signed-in operator, or NotSignedInError / CsrfTokenError (see the module doc)."""
    token = request.cookies.get(SESSION_COOKIE)
    signed = await run_in_threadpool(_signed_in, settings_of(request), token)
    if signed is None:
        raise NotSignedInError
    if request.method not in SAFE_METHODS:
        form = await request.form()  # Starlette keeps it for the route's Form parameters
        if not tokens_match(form.get(CSRF_FIELD), signed.csrf_token):
            raise CsrfTokenError
    request.state.operator = signed
    return signed


def safe_next(target: str | None) -> str:
    """A local path to go back to after login; anything else (other hosts, //x, /\\x) is /."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\r\n\t"):
        return "/"
    return target


def set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    max_age: int | None,
    same_site: str = "lax",
    path: str = "/",
) -> None:
    """HttpOnly always; Secure per the settings (by default when the request was https)."""
    secure = settings_of(request).secure_cookies
    if secure is None:
        secure = request.url.scheme == "https"
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        secure=secure,
        samesite=same_site,  # type: ignore[arg-type]
    )
