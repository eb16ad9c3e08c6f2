"""Sign in and out. The login form is the only form without a session; it carries a one-off
token that must equal the one in its SameSite=Strict cookie, so another site cannot post it."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from console.accounts import authenticate
from console.security import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfTokenError,
    guard,
    safe_next,
    set_cookie,
    settings_of,
    tokens_match,
)
from console.sessions import SignedIn, end_session, start_session
from console.settings import ConsoleSettings
from console.templating import render
from core.audit import ActorKind, record_audit

__all__ = ["login_url", "router"]

router = APIRouter()
LOGIN_TOKEN_AGE = 3600


def login_url(target: str | None = None) -> str:
    target = safe_next(target)
    return "/login" if target == "/" else f"/login?{urlencode({'next': target})}"


def _form(request: Request, status: int, next_: str, name: str = "", error: str = "") -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request, "login.html", status, login_token=token, next=safe_next(next_), name=name,
        error=error,
    )  # fmt: skip
    set_cookie(
        request, response, LOGIN_COOKIE, token, max_age=LOGIN_TOKEN_AGE, same_site="strict",
        path="/login",
    )  # fmt: skip
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _form(request, 200, next)


def _sign_in(settings: ConsoleSettings, name: str, password: str) -> str | None:
    with settings.store.transaction() as session:
        account = authenticate(session, name, password, hasher=settings.hasher)
        if account is None:
            return None
        record_audit(
            session, actor_kind=ActorKind.OPERATOR, actor=account.name, action="operator.login"
        )
        return start_session(session, account.id, ttl=settings.session_ttl)


def _audit_failure(settings: ConsoleSettings, name: str, address: str) -> None:
    with settings.store.transaction() as session:
        record_audit(
            session, actor_kind=ActorKind.SYSTEM, actor="console", action="operator.login_failed",
            after={"name": name[:100], "address": address},
        )  # fmt: skip


@router.post("/login")
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    form = await request.form()
    if not tokens_match(form.get(CSRF_FIELD), request.cookies.get(LOGIN_COOKIE)):
        raise CsrfTokenError
    settings = settings_of(request)
    address = request.client.host if request.client else "?"
    wait = settings.throttle.retry_after(name, address)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        response = _form(
            request, 429, next, name,
            f"Too many failed sign-ins. Try again in about {minutes} minute(s).",
        )  # fmt: skip
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    token = await run_in_threadpool(_sign_in, settings, name, password)
    if token is None:
        settings.throttle.failed(name, address)
        await run_in_threadpool(_audit_failure, settings, name, address)
        return _form(request, 401, next, name, "Wrong name or password.")
    settings.throttle.succeeded(name, address)
    response = RedirectResponse(safe_next(next), status_code=303)
    max_age = int(settings.session_ttl.total_seconds())
    set_cookie(request, response, SESSION_COOKIE, token, max_age=max_age)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, operator: Annotated[SignedIn, Depends(guard)]) -> Response:
    with settings_of(request).store.transaction() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE))
        record_audit(
            session, actor_kind=ActorKind.OPERATOR, actor=operator.name, action="operator.logout"
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
