from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from connectors.http import (
    DEFAULT_TABLE,
    MASK,
    BudgetExhaustedError,
    BudgetSettings,
    Call,
    ClientSettings,
    HttpClient,
    Priority,
    RateLimitedError,
    RemoteError,
    RetryPolicy,
    Scrubber,
    TransientError,
)

BASE = "https://api.test"
SECRET = "s3cr3t-client-secret"


def vendor(response: httpx.Response, body: Any) -> tuple[str | None, str | None]:
    if isinstance(body, dict) and "code" in body:
        return str(body["code"]), str(body.get("message", ""))
    return None, None


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> Iterator[HttpClient]:
    settings = ClientSettings(retry=RetryPolicy(attempts=4, initial_wait=1.0, max_wait=5.0))
    made = HttpClient(
        "test_conn",
        BASE,
        settings=settings,
        table=DEFAULT_TABLE,
        scrubber=Scrubber([SECRET]),
        vendor=vendor,
        sleep=sleeps.append,
    )
    yield made
    made.close()


def test_server_errors_are_retried_with_growing_waits(
    client: HttpClient, sleeps: list[float]
) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        route = remote.get("/things").mock(
            side_effect=[
                httpx.Response(503),
                httpx.Response(500, json={"code": "INTERNAL_ERROR"}),
                httpx.Response(200, json={"ok": True}),
            ]
        )
        reply = client.request(Call("GET", "/things"))
    assert reply.body == {"ok": True}
    assert route.call_count == 3
    assert len(sleeps) == 2
    assert 1.0 <= sleeps[0] <= 1.5  # initial wait plus up to 0.5 s jitter
    assert 2.0 <= sleeps[1] <= 2.5
    counts = client.counters.snapshot()
    assert counts.calls == {"GET /things": 3}
    assert counts.retries == {"GET /things": 2}


def test_retry_after_is_honoured_and_clamped(client: HttpClient, sleeps: list[float]) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        remote.get("/things").mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "3"}),
                httpx.Response(429, headers={"Retry-After": "30"}),
                httpx.Response(200, json={}),
            ]
        )
        client.request(Call("GET", "/things"))
    assert sleeps == [3.0, 5.0]  # the second hint clamped to max_wait


def test_429_without_retry_after_backs_off_exponentially(
    client: HttpClient, sleeps: list[float]
) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        remote.get("/things").mock(side_effect=[httpx.Response(429)] * 3 + [httpx.Response(204)])
        reply = client.request(Call("GET", "/things"))
    assert reply.status == 204
    assert reply.body is None
    assert len(sleeps) == 3
    assert sleeps[0] < sleeps[1] < sleeps[2] + 0.5


def test_giving_up_raises_the_last_failure(client: HttpClient, sleeps: list[float]) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        route = remote.get("/things").mock(return_value=httpx.Response(429))
        with pytest.raises(RateLimitedError) as raised:
            client.request(Call("GET", "/things"))
    assert route.call_count == 4
    assert raised.value.status == 429
    assert client.counters.snapshot().failures == {"GET /things": 1}


def test_an_exhausted_own_budget_is_raised_without_a_call(
    client: HttpClient, sleeps: list[float]
) -> None:
    spent = HttpClient(
        "test_conn",
        BASE,
        settings=ClientSettings(budget=BudgetSettings(daily_quota=1)),
        table=DEFAULT_TABLE,
        scrubber=Scrubber(),
        sleep=sleeps.append,
    )
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        route = remote.get("/things").respond(200, json={})
        spent.request(Call("GET", "/things"), priority=Priority.WRITE)
        with pytest.raises(BudgetExhaustedError) as raised:
            spent.request(Call("GET", "/things"), priority=Priority.WRITE)
    spent.close()
    assert route.call_count == 1
    assert sleeps == []
    assert raised.value.retry_after is not None
    assert raised.value.retry_after > 5.0


def test_a_create_is_not_repeated_after_a_server_error(
    client: HttpClient, sleeps: list[float]
) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        route = remote.post("/things").respond(502)
        with pytest.raises(TransientError):
            client.request(Call("POST", "/things", json={}), idempotent=False)
    assert route.call_count == 1


def test_a_create_is_repeated_when_it_never_left(client: HttpClient, sleeps: list[float]) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        route = remote.post("/things").mock(
            side_effect=[httpx.ConnectError("refused"), httpx.Response(201, json={"id": "1"})]
        )
        reply = client.request(Call("POST", "/things", json={}), idempotent=False)
    assert reply.body == {"id": "1"}
    assert route.call_count == 2


def test_timeouts_are_retried(client: HttpClient) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        remote.get("/slow").mock(side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200)])
        assert client.request(Call("GET", "/slow")).status == 200


def test_a_bad_request_is_not_retried_and_names_the_vendor_code(client: HttpClient) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        route = remote.get("/things").respond(
            400, json={"code": "INVALID_DATA", "message": "bad field"}
        )
        with pytest.raises(RemoteError) as raised:
            client.request(Call("GET", "/things"))
    assert route.call_count == 1
    assert raised.value.code == "INVALID_DATA"
    assert str(raised.value) == "test_conn GET /things: HTTP 400 INVALID_DATA: bad field"


def test_money_stays_decimal_both_ways(client: HttpClient) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        route = remote.post("/deals").respond(200, content=b'{"Amount": 12500.50, "n": 3}')
        reply = client.request(Call("POST", "/deals", json={"Amount": Decimal("0.10")}))
    assert reply.body == {"Amount": Decimal("12500.50"), "n": 3}
    assert isinstance(reply.body["Amount"], Decimal)
    assert route.calls.last.request.content == b'{"Amount":0.10}'


def test_secrets_never_reach_exception_text_or_logs(
    client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="crmhub.connectors")
    echo = {"code": "INVALID_CLIENT", "message": f"client secret {SECRET} is wrong"}
    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        remote.get("/a").mock(
            side_effect=[httpx.Response(503, json=echo), httpx.Response(400, json=echo)]
        )
        with pytest.raises(RemoteError) as raised:
            client.request(Call("GET", "/a"))
    assert SECRET not in str(raised.value)
    assert MASK in str(raised.value)
    assert caplog.records, "calls and retries are logged"
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert SECRET not in json.dumps(record.__dict__.get("fields", {}), default=str)
    retry = next(r for r in caplog.records if r.getMessage().startswith("retrying"))
    assert retry.__dict__["connection"] == "test_conn"
    assert retry.__dict__["endpoint"] == "GET /a"


def test_pages_follow_the_paginator_to_the_end(client: HttpClient) -> None:
    from connectors.http import PageNumberPaginator

    rows = [{"id": n} for n in range(5)]

    def page(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        start = (body["pageNumber"] - 1) * body["pageSize"]
        chunk = rows[start : start + body["pageSize"]]
        return httpx.Response(200, json={"empList": chunk, "totalCount": len(rows)})

    with respx.mock(base_url=BASE, assert_all_called=True) as remote:
        route = remote.post("/users").mock(side_effect=page)
        got = [
            row["id"]
            for records, _ in client.pages(
                Call("POST", "/users", json={}), PageNumberPaginator(size=2), "empList",
                priority=Priority.BACKFILL,
            )
            for row in records
        ]  # fmt: skip
    assert got == [0, 1, 2, 3, 4]
    assert route.call_count == 3
    assert client.counters.snapshot().records == {"POST /users": 5}


def test_records_are_found_at_a_dotted_path_or_its_alternative() -> None:
    from connectors.http import records_at

    body = {"data": {"dataList": [{"a": 1}]}, "empList": [{"b": 2}]}
    assert records_at(body, "data.dataList") == [{"a": 1}]
    assert records_at(body, "employees|empList") == [{"b": 2}]
    assert records_at(body, "data.missing") == []
    assert records_at(None, "data") == []
