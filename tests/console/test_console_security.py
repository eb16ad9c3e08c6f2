"""Every route refuses a request without a session, and every form without its CSRF token.

The routes are enumerated from the app itself, so a route added later is tested too; the only
ones served without a session are listed in `console.PUBLIC_PATHS` (login and stylesheet).
"""

from __future__ import annotations

import re
import uuid

import fastapi.routing
import httpx
import pytest
import sqlalchemy as sa
from console_seed import HASHER, PASSWORD, Seeded, add_operator_account, csrf_of, sign_in
from fastapi import FastAPI

from console import PUBLIC_PATHS, ConsoleSettings, create_app
from core.store import AuditEntry, Conflict, DeadLetter, Operator, ReviewItem, Store

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route the app serves, however it was included."""
    walk = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = list(walk(app.routes)) if walk is not None else list(app.routes)
    found = []
    for route in routes:
        for method in sorted((getattr(route, "methods", None) or set()) - {"HEAD"}):
            found.append((method, route.path))
    # the OpenAPI view of the app sees the same routes (a cross-check of the walk above)
    plain = {PARAM.sub(r"{\1}", p) for _, p in found}
    assert plain >= set(app.openapi()["paths"])
    return found


def url_for(path: str, seeded: Seeded) -> str:
    """A real URL for a route template: ids of seeded records of the right kind."""
    ids = {
        "conflict_id": seeded.conflict_id,
        "letter_id": seeded.dead_letter,
        "entity_id": seeded.match_entity,
        "review_id": seeded.dispute_review if path.startswith("/disputes") else seeded.match_review,
    }
    return PARAM.sub(lambda m: str(ids[m.group(1)]), path)


def form_for(seeded: Seeded) -> dict[str, str]:
    """Fields every form would accept: what a forged request would carry."""
    return {
        "choice": "take:zoho", "value": "x", "reason": "forged", "decision":
        f"merge:{seeded.match_candidate}", "owner": "pool", "name": "李娜", "password": PASSWORD,
        "back": "/", "next": "/",
    }  # fmt: skip


def state(store: Store) -> tuple[object, ...]:
    """What any decision would change: the audit log, open items, conflicts, dead letters."""
    with store.sessions() as session:
        return (
            session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
            session.scalars(sa.select(ReviewItem.status).order_by(ReviewItem.id)).all(),
            session.scalars(sa.select(Conflict.status)).all(),
            session.scalars(sa.select(DeadLetter.status)).all(),
        )


def test_the_app_has_pages_and_forms_and_no_api_docs(app: FastAPI) -> None:
    routes = app_routes(app)
    posts = {path for method, path in routes if method == "POST"}
    assert {"/conflicts/{conflict_id}/resolve", "/dead-letters/{letter_id}/retry"} <= posts
    assert not {p for _, p in routes} & {"/docs", "/redoc", "/openapi.json"}
    assert {method for method, _ in routes} == {"GET", "POST"}


def test_every_route_refuses_a_request_without_a_session(
    app: FastAPI, client: httpx.Client, seeded: Seeded, store: Store
) -> None:
    before = state(store)
    checked = 0
    for method, path in app_routes(app):
        if path in PUBLIC_PATHS:
            continue
        url = url_for(path, seeded)
        for cookies in ({}, {"crmhub_session": "forged-or-expired"}):
            client.cookies.clear()
            client.cookies.update(cookies)
            if method == "GET":
                response = client.get(url)
                assert response.status_code == 303, (method, url)
                assert response.headers["location"].startswith("/login"), url
            else:
                response = client.post(url, data={**form_for(seeded), "csrf_token": "x"})
                assert response.status_code == 401, (method, url)
            assert "比亚迪" not in response.text
            assert "格力" not in response.text
            checked += 1
    assert checked >= 2 * 18
    assert state(store) == before


def test_with_a_session_every_page_opens(
    app: FastAPI, client: httpx.Client, seeded: Seeded
) -> None:
    sign_in(client)
    pages = [url_for(p, seeded) for m, p in app_routes(app) if m == "GET" and p != "/login"]
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_every_form_refuses_a_request_without_its_csrf_token(
    app: FastAPI, client: httpx.Client, seeded: Seeded, store: Store
) -> None:
    add_operator_account(store, "王芳", PASSWORD)
    with httpx.Client(base_url=str(client.base_url)) as other:
        someone_elses = sign_in(other, "王芳")
    token = sign_in(client)
    before = state(store)
    posts = [p for m, p in app_routes(app) if m == "POST" and p not in PUBLIC_PATHS]
    assert len(posts) >= 7
    for path in posts:
        url = url_for(path, seeded)
        for sent in (None, "", "wrong", someone_elses, token[:-1]):
            data = form_for(seeded) | ({} if sent is None else {"csrf_token": sent})
            response = client.post(url, data=data)
            assert response.status_code == 403, (url, sent)
            assert "did not come from this console" in response.text
    assert state(store) == before
    # the same request with the token is carried out (the refusal above was the token's)
    retry = url_for("/dead-letters/{letter_id}/retry", seeded)
    assert client.post(retry, data={"csrf_token": token}).status_code == 303
    assert state(store) != before


def test_login_form_needs_its_own_token_from_its_cookie(
    client: httpx.Client, seeded: Seeded
) -> None:
    token = csrf_of(client.get("/login").text)
    fields = {"name": "李娜", "password": PASSWORD}
    assert client.post("/login", data=fields).status_code == 403
    assert client.post("/login", data={**fields, "csrf_token": "forged"}).status_code == 403
    cookie = client.cookies.get("crmhub_login")
    client.cookies.clear()  # a cross-site post carries the field but not the Strict cookie
    assert client.post("/login", data={**fields, "csrf_token": token}).status_code == 403
    client.cookies.set("crmhub_login", cookie or "", path="/login")
    response = client.post("/login", data={**fields, "csrf_token": token})
    assert response.status_code == 303
    assert "crmhub_session" in response.cookies


def test_wrong_password_unknown_name_and_inactive_operator_are_refused_alike(
    client: httpx.Client, seeded: Seeded, store: Store
) -> None:
    add_operator_account(store, "停用的人", PASSWORD)
    with store.transaction() as session:
        session.execute(sa.update(Operator).where(Operator.name == "停用的人").values(active=False))
    for name, password in (
        ("李娜", "wrong password!"),
        ("nobody", PASSWORD),
        ("停用的人", PASSWORD),
    ):
        form = client.get("/login")
        data = {"csrf_token": csrf_of(form.text), "name": name, "password": password}
        response = client.post("/login", data=data)
        assert response.status_code == 401
        assert "Wrong name or password." in response.text
        assert "crmhub_session" not in response.cookies


def test_session_cookie_is_httponly_samesite_and_secure_over_https(
    store: Store, seeded: Seeded
) -> None:
    from connectors.emulator.serve import running

    app = create_app(ConsoleSettings(store, hasher=HASHER))
    with running(app) as url, httpx.Client(base_url=url) as client:
        for proto, secure in (("http", False), ("https", True)):
            # uvicorn trusts X-Forwarded-Proto from 127.0.0.1 (a TLS proxy in front)
            headers = {"X-Forwarded-Proto": proto}
            form = client.get("/login", headers=headers)
            login_cookie = form.headers["set-cookie"].lower()
            assert "httponly" in login_cookie
            assert "samesite=strict" in login_cookie
            client.cookies.set("crmhub_login", form.cookies["crmhub_login"], path="/login")
            data = {"csrf_token": csrf_of(form.text), "name": "李娜", "password": PASSWORD}
            response = client.post("/login", data=data, headers=headers)
            cookie = next(
                c for c in response.headers.get_list("set-cookie") if "crmhub_session=" in c
            ).lower()
            assert "httponly" in cookie
            assert "samesite=lax" in cookie
            assert ("; secure" in cookie) is secure


def test_sign_out_ends_the_session_on_the_server(client: httpx.Client, seeded: Seeded) -> None:
    token = sign_in(client)
    stolen = client.cookies.get("crmhub_session")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    with httpx.Client(base_url=str(client.base_url), cookies={"crmhub_session": stolen or ""}) as c:
        assert c.get("/").status_code == 303


def test_a_deactivated_operator_is_signed_out_at_once(
    client: httpx.Client, seeded: Seeded, store: Store
) -> None:
    sign_in(client)
    assert client.get("/").status_code == 200
    with store.transaction() as session:
        session.execute(sa.update(Operator).values(active=False))
    assert client.get("/").status_code == 303


@pytest.mark.parametrize(
    ("target", "lands"),
    [
        ("/conflicts?status=all", "/conflicts?status=all"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_after_login_only_local_pages(
    client: httpx.Client, seeded: Seeded, target: str, lands: str
) -> None:
    first = client.get(target if target.startswith("/") and not target.startswith("//") else "/")
    assert first.status_code in (303, 404)
    form = client.get("/login", params={"next": target})
    data = {"csrf_token": csrf_of(form.text), "name": "李娜", "password": PASSWORD, "next": target}
    assert client.post("/login", data=data).headers["location"] == lands


def test_pages_carry_security_headers(client: httpx.Client, seeded: Seeded) -> None:
    response = client.get("/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # no scripts at all
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_unknown_ids_are_404_pages(client: httpx.Client, seeded: Seeded) -> None:
    sign_in(client)
    for url in ("/conflicts/99999", "/matches/99999", "/disputes/99999", "/dead-letters/99999"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/audit?entity={uuid.uuid4()}").status_code == 200
