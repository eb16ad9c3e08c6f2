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


_UNIQUE = {"Accounts": "Account_Name", "Contacts": "Email", "Deals": "Deal_Name"}


class FakeOrg:
    """A whole Zoho org behind respx: token server, list/deleted reads, batch writes, users.

    Its clock moves one second per write, so every change has its own Modified_Time.
    `throttle` / `failures` make the next N API calls answer 429 / 500."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now
        self.modules: dict[str, list[dict[str, Any]]] = {m: [] for m in _UNIQUE}
        self.deleted: dict[str, list[dict[str, Any]]] = {m: [] for m in _UNIQUE}
        self.valid: set[str] = set()
        self.issued = 0
        self.throttle = 0
        self.failures = 0
        self.serial = 0
        self.lists = 0  # list reads served so far
        self.before_list: Any = None  # hook(list_count) run before each list read

    def install(self, router: Any) -> None:
        router.post(f"{ACCOUNTS}/oauth/v2/token").mock(side_effect=self.token)
        router.route(host="www.zohoapis.com").mock(side_effect=self.api)

    def tick(self) -> str:
        stamp = self.now.isoformat(timespec="seconds")
        self.now += timedelta(seconds=1)
        return stamp

    def token(self, request: httpx.Request) -> httpx.Response:
        form = dict(item.split("=", 1) for item in request.content.decode().split("&"))
        if form.get("client_secret") != SECRETS[1]:
            return httpx.Response(200, json={"error": "invalid_client"})
        self.issued += 1
        value = f"1000.token-{self.issued}"
        self.valid.add(value)
        return httpx.Response(
            200, json={"access_token": value, "api_domain": API, "expires_in": 3600}
        )

    def api(self, request: httpx.Request) -> httpx.Response:
        header = request.headers.get("Authorization", "")
        if header.removeprefix("Zoho-oauthtoken ") not in self.valid:
            return httpx.Response(401, json=error("INVALID_TOKEN"))
        if request.method == "GET" and self.before_list is not None:
            self.lists += 1
            self.before_list(self.lists)
        if self.throttle:
            self.throttle -= 1
            return httpx.Response(429, json=error("TOO_MANY_REQUESTS"))
        if self.failures:
            self.failures -= 1
            return httpx.Response(500, json=error("INTERNAL_ERROR"))
        parts = request.url.path.split("/")[3:]  # after /crm/v8
        module = parts[0]
        if module == "users":
            return httpx.Response(
                200,
                json={
                    "users": [{"id": "1", "full_name": "Admin", "status": "active"}],
                    "info": {"more_records": False},
                },
            )
        if request.method == "GET" and len(parts) == 2 and parts[1] == "deleted":
            return self.list_deleted(module, request)
        if request.method == "GET":
            return FakeModule(self.modules[module])(request)
        if request.method == "DELETE":
            return self.delete(module, request.url.params["ids"].split(","))
        records = json.loads(request.content)["data"]
        if len(records) > 100:
            return httpx.Response(400, json=error("LIMIT_EXCEEDED"))
        if request.method == "PUT":
            answers = [self.update(module, r) for r in records]
        elif parts[-1] == "upsert":
            fields = json.loads(request.content).get("duplicate_check_fields") or [_UNIQUE[module]]
            answers = [self.upsert(module, r, fields) for r in records]
        else:
            answers = [self.insert(module, r) for r in records]
        ok = [a["status"] == "success" for a in answers]
        status = (201 if request.method == "POST" else 200) if all(ok) else 207 if any(ok) else 400
        return httpx.Response(status, json={"data": answers})

    def find(self, module: str, field: str, value: Any) -> dict[str, Any] | None:
        if value in (None, ""):
            return None
        return next((r for r in self.modules[module] if r.get(field) == value), None)

    def insert(self, module: str, record: dict[str, Any]) -> dict[str, Any]:
        unique = _UNIQUE[module]
        clash = self.find(module, unique, record.get(unique))
        if clash is not None:
            details = {"api_name": unique, "duplicate_record": {"id": clash["id"]}}
            return {
                "code": "DUPLICATE_DATA",
                "status": "error",
                "message": "dup",
                "details": details,
            }
        self.serial += 1
        stamp = self.tick()
        row = {**record, "id": str(5725767000009000000 + self.serial), "Modified_Time": stamp}
        self.modules[module].append(row)
        return self.success(row, "record added")

    def update(self, module: str, record: dict[str, Any]) -> dict[str, Any]:
        row = self.find(module, "id", record.get("id"))
        if row is None:
            return {
                "code": "INVALID_DATA",
                "status": "error",
                "message": "the id given seems to be invalid",
                "details": {"id": record.get("id")},
            }
        row.update(record)
        row["Modified_Time"] = self.tick()
        return self.success(row, "record updated")

    def upsert(self, module: str, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        for field in fields:
            row = self.find(module, field, record.get(field))
            if row is not None:
                answer = self.update(module, {**record, "id": row["id"]})
                return {**answer, "action": "update", "duplicate_field": field}
        return {**self.insert(module, record), "action": "insert", "duplicate_field": None}

    def delete(self, module: str, ids: list[str]) -> httpx.Response:
        answers = []
        for rid in ids:
            row = self.find(module, "id", rid)
            if row is None:
                answers.append(
                    {
                        "code": "INVALID_DATA",
                        "status": "error",
                        "message": "invalid",
                        "details": {"id": rid},
                    }
                )
                continue
            self.modules[module].remove(row)
            self.deleted[module].append(
                {
                    "id": rid,
                    "type": "recycle",
                    "deleted_time": self.tick(),
                    "display_name": row.get("Account_Name"),
                }
            )
            answers.append(
                {
                    "code": "SUCCESS",
                    "status": "success",
                    "message": "record deleted",
                    "details": {"id": rid},
                }
            )
        return httpx.Response(200, json={"data": answers})

    def success(self, row: dict[str, Any], message: str) -> dict[str, Any]:
        details = {
            "id": row["id"],
            "Modified_Time": row["Modified_Time"],
            "Created_Time": row["Modified_Time"],
        }
        return {"code": "SUCCESS", "status": "success", "message": message, "details": details}

    def list_deleted(self, module: str, request: httpx.Request) -> httpx.Response:
        since = request.headers.get("If-Modified-Since")
        after = datetime.fromisoformat(since) if since else None
        rows = [
            r
            for r in self.deleted[module]
            if after is None or datetime.fromisoformat(r["deleted_time"]) > after
        ]
        if not rows:
            return httpx.Response(204)
        return httpx.Response(
            200, json={"data": rows, "info": {"count": len(rows), "more_records": False}}
        )
