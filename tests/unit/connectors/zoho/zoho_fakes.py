"""Zoho fakes for respx: list pages computed from the request (page, page_token,
If-Modified-Since, sort), not canned."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

API = "https://www.zohoapis.com"
ACCOUNTS = "https://accounts.zoho.com"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
SECRETS = ("zoho-client-id-1", "zoho-client-secret-2", "1000.zoho-refresh-token-3")


class FakeModule:
    """Rows of one module served like Zoho v8 serves them."""

    def __init__(self, rows: list[dict[str, Any]], wall: int = 2000, tokens: bool = True):
        self.rows = rows
        self.wall = wall
        self.tokens = tokens
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        params = request.url.params
        if "fields" not in params:
            return httpx.Response(400, json=error("REQUIRED_PARAM_MISSING"))
        since = request.headers.get("If-Modified-Since")
        rows = self.rows
        if since:
            after = datetime.fromisoformat(since)
            rows = [r for r in rows if datetime.fromisoformat(r["Modified_Time"]) > after]
            if not rows:
                return httpx.Response(304)
        rows = sorted(rows, key=lambda r: (datetime.fromisoformat(r["Modified_Time"]), r["id"]))
        per_page = int(params.get("per_page", 200))
        if "page_token" in params:
            if "page" in params:
                return httpx.Response(400, json=error("AMBIGUITY_DURING_PROCESSING"))
            offset = int(params["page_token"].removeprefix("tok-"))
        else:
            page = int(params.get("page", 1))
            if page * per_page > self.wall:
                return httpx.Response(400, json=error("DISCRETE_PAGINATION_LIMIT_EXCEEDED"))
            offset = (page - 1) * per_page
        chunk = rows[offset : offset + per_page]
        if not chunk:
            return httpx.Response(204)
        more = offset + per_page < len(rows)
        info = {"per_page": per_page, "count": len(chunk), "more_records": more}
        if more and self.tokens:
            info["next_page_token"] = f"tok-{offset + per_page}"
        return httpx.Response(200, json={"data": chunk, "info": info})


def error(code: str, status: str = "error") -> dict[str, Any]:
    return {"code": code, "details": {}, "message": code.lower(), "status": status}


def account(n: int, modified: datetime) -> dict[str, Any]:
    return {
        "id": str(5725767000001000000 + n),
        "Account_Name": f"Company {n}",
        "Modified_Time": modified.astimezone(UTC).isoformat(timespec="seconds"),
    }


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)
