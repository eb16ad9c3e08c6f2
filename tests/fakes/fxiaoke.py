"""A respx side effect that behaves like a Fxiaoke tenant: HTTP 200 envelopes, token lifecycle,
a query engine (filters, orders, offset cap), writes with no idempotency."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

BASE = "https://open.fxiaoke.com"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
USER = "FSUID_0123456789ABCDEF0123456789ABCDEF"
SECRETS = ("FSAID_app-id-1", "app-secret-abcdef-2", "PERMANENT-CODE-3")


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def minutes(n: float) -> int:
    return ms(T0 + timedelta(minutes=n))


def row(n: int, modified: int, **extra: Any) -> dict[str, Any]:
    return {
        "_id": f"{n:024x}",
        "name": f"客户{n}",
        "owner": [USER],
        "last_modified_time": modified,
        "create_time": modified,
        "life_status": "normal",
        **extra,
    }


def envelope(code: int = 0, message: str = "success", **data: Any) -> httpx.Response:
    return httpx.Response(200, json={"errorCode": code, "errorMessage": message, **data})


_OPS: dict[str, Callable[[Any, list[Any]], bool]] = {
    "EQ": lambda v, xs: v == xs[0],
    "N": lambda v, xs: v != xs[0],
    "GT": lambda v, xs: v is not None and v > xs[0],
    "GTE": lambda v, xs: v is not None and v >= xs[0],
    "LT": lambda v, xs: v is not None and v < xs[0],
    "IN": lambda v, xs: v in xs,
}


class FakeTenant:
    def __init__(self, objects: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.objects = objects or {}
        self.issued = 0
        self.valid: set[str] = set()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.fail_next: dict[str, list[int]] = {}  # path -> error codes to answer first
        self.on_query: Callable[[int], None] | None = None  # hook run before each query
        self.created = 0
        self.lose_create_answers = 0  # create, then answer 50009 (the answer is lost)
        self.now = NOW  # moves one second per write
        self.throttle = 0  # the next N data calls answer 14001
        self.failures = 0  # the next N data calls answer -1

    def stamp(self) -> int:
        value = ms(self.now)
        self.now += timedelta(seconds=1)
        return value

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = json.loads(request.content)
        self.requests.append((path, body))
        if path == "/cgi/corpAccessToken/get/V2":
            if (body.get("appId"), body.get("appSecret"), body.get("permanentCode")) != SECRETS:
                return envelope(20015, f"permanentCode {body.get('permanentCode')} wrong")
            self.issued += 1
            token = f"TOKEN{self.issued:027d}"
            self.valid.add(token)
            return envelope(corpAccessToken=token, corpId="FSCID_CORP", expiresIn=7200)
        if body.get("corpAccessToken") not in self.valid:
            return envelope(20016, "the cropId,cropAccessToken or authorization is error")
        if path.startswith("/cgi/crm/") and body.get("currentOpenUserId") != USER:
            return envelope(10010, "missing openUserId")
        if self.throttle:
            self.throttle -= 1
            return envelope(14001, "interface call limit exceeded")
        if self.failures:
            self.failures -= 1
            return envelope(-1, "system busy")
        queued = self.fail_next.get(path)
        if queued:
            return envelope(queued.pop(0), "failing on purpose")
        handler = {
            "/cgi/crm/v2/data/query": self.query,
            "/cgi/crm/v2/data/create": self.create,
            "/cgi/crm/v2/data/update": self.update,
            "/cgi/crm/v2/data/invalid": self.invalidate,
            "/cgi/crm/v2/data/changeOwner": self.change_owner,
            "/cgi/user/get/batchByUpdTime": self.employees,
        }.get(path)
        if handler is None:
            return envelope(10006, "no such interface")
        return handler(body)

    def expire_tokens(self) -> None:
        self.valid.clear()

    def query(self, body: dict[str, Any]) -> httpx.Response:
        data = body["data"]
        query = data["search_query_info"]
        if query["limit"] > 100:
            return envelope(15002, "limit too large")
        if query["offset"] > 10_000:
            return envelope(10013, "offset out of range 10000")
        if self.on_query is not None:
            self.on_query(len([r for r in self.requests if r[0].endswith("/query")]))
        rows = [
            r
            for r in self.objects.get(data["dataObjectApiName"], [])
            if all(
                _OPS[f["operator"]](r.get(f["field_name"]), f["field_values"])
                for f in query["filters"]
            )
        ]
        for order in reversed(query.get("orders", [])):
            rows.sort(key=lambda r, o=order: r.get(o["fieldName"]), reverse=not order["isAsc"])
        chunk = rows[query["offset"] : query["offset"] + query["limit"]]
        projection = query.get("fieldProjection")
        if projection:
            chunk = [{k: r[k] for k in projection if k in r} for r in chunk]
        page = {
            "dataList": chunk,
            "total": len(rows),
            "offset": query["offset"],
            "limit": query["limit"],
        }
        return envelope(data=page)

    def create(self, body: dict[str, Any]) -> httpx.Response:
        record = dict(body["data"]["object_data"])
        api = record.pop("dataObjectApiName")
        self.created += 1
        new = row(10_000 + self.created, self.stamp(), **record)
        self.objects.setdefault(api, []).append(new)
        if self.lose_create_answers:
            self.lose_create_answers -= 1
            return envelope(50009, "timeout")
        return envelope(dataId=new["_id"])

    def find(self, api: str, data_id: str) -> dict[str, Any] | None:
        return next((r for r in self.objects.get(api, []) if r["_id"] == data_id), None)

    def update(self, body: dict[str, Any]) -> httpx.Response:
        record = dict(body["data"]["object_data"])
        target = self.find(record.pop("dataObjectApiName"), record.pop("_id"))
        if target is None:
            return envelope(201112016, "数据不存在")
        target.update(record)
        target["last_modified_time"] = self.stamp()
        return envelope()

    def invalidate(self, body: dict[str, Any]) -> httpx.Response:
        target = self.find(body["data"]["dataObjectApiName"], body["data"]["object_data_id"])
        if target is None:
            return envelope(201112016, "数据不存在")
        target["life_status"] = "invalid"
        target["last_modified_time"] = self.stamp()
        return envelope()

    def change_owner(self, body: dict[str, Any]) -> httpx.Response:
        for change in body["data"]["Data"]:
            target = self.find(body["data"]["dataObjectApiName"], change["objectDataId"])
            assert target is not None
            target["owner"] = change["ownerId"]
            target["last_modified_time"] = self.stamp()
        return envelope()

    def employees(self, body: dict[str, Any]) -> httpx.Response:
        people = [
            {"openUserId": USER, "name": "张伟", "status": "normal", "email": "zw@example.cn"},
            {"openUserId": "FSUID_FFFF", "name": "李娜", "isStop": True},
        ]
        start = (body["pageNumber"] - 1) * body["pageSize"]
        return envelope(employees=people[start : start + body["pageSize"]], totalCount=len(people))
