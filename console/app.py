"""The console's FastAPI app: routers, error pages, security headers, the stylesheet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from console.routes import audit, conflicts, dashboard, dead_letters, disputes, login, matches
from console.security import CsrfTokenError, NotSignedInError
from console.settings import ConsoleSettings
from console.templating import make_templates, render

__all__ = ["PUBLIC_PATHS", "create_app"]

# the only paths served without a session: the login form and the stylesheet
PUBLIC_PATHS = frozenset({"/login", "/static"})
STATIC = Path(__file__).parent / "static"
# pages only: no scripts at all, styles from our own stylesheet, never framed elsewhere
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_app(settings: ConsoleSettings) -> FastAPI:
    """A console over `settings.store` (already migrated). No OpenAPI pages: every route is
    a page or a form for operators, and each one needs a session."""
    app = FastAPI(title="crmhub console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = settings
    app.state.templates = make_templates(settings.zone)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (login, dashboard, conflicts, matches, disputes, dead_letters, audit):
        app.include_router(module.router)

    @app.exception_handler(NotSignedInError)
    async def _not_signed_in(request: Request, _exc: NotSignedInError) -> Response:
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(login.login_url(target), status_code=303)
        return render(request, "refused.html", 401, why="Sign in first.")

    @app.exception_handler(CsrfTokenError)
    async def _csrf_refused(request: Request, _exc: CsrfTokenError) -> Response:
        why = (
            "This form has expired or did not come from this console. "
            "Reload the page and try again."
        )
        return render(request, "refused.html", 403, why=why)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # an HTML page naming the fields, never echoing what was sent (FastAPI's JSON would)
        names = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()})
        why = f"Not accepted: {', '.join(names) or 'the request'} missing, too long or malformed."
        return render(request, "refused.html", 422, why=why)

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
