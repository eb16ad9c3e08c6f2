from __future__ import annotations

from datetime import timedelta

import pytest
from fakes.fxiaoke import NOW, FakeTenant, minutes, ms, row

from connectors.fxiaoke import FxiaokeConnector, FxiaokeSettings
from connectors.http import BudgetSettings, ClientSettings, TransientError
from connectors.protocol import Page
from mapping.model import EntityKind


def ids(pages: list[Page]) -> list[str]:
    return [r.remote_id for page in pages for r in page.records]


def queries(tenant: FakeTenant) -> list[dict[str, object]]:
    return [b["data"]["search_query_info"] for p, b in tenant.requests if p.endswith("/query")]


def test_a_full_pull_orders_by_modified_time_and_id_and_stops_at_the_signpost(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    rows = [row(n, minutes(n / 10)) for n in range(250)]
    late = row(999, ms(NOW + timedelta(seconds=1)))
    tenant.objects["AccountObj"] = [*rows, late]
    pages = list(connector.pull(EntityKind.CUSTOMER, None))
    assert ids(pages) == [r["_id"] for r in rows]
    first = queries(tenant)[0]
    assert first["orders"] == [
        {"fieldName": "last_modified_time", "isAsc": True},
        {"fieldName": "_id", "isAsc": True},
    ]
    assert {"field_name": "life_status", "field_values": ["invalid"], "operator": "N"} in first[
        "filters"
    ]
    assert {
        "field_name": "last_modified_time",
        "field_values": [ms(NOW) - 1000],  # the run start less the 1 s signpost lag
        "operator": "LT",
    } in first["filters"]
    assert first["limit"] == 100
    assert all(q["offset"] == 0 for q in queries(tenant))
    assert len(queries(tenant)) == 3  # the minimum for 250 rows


def test_more_than_10000_rows_never_hit_the_offset_cap(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    rows = [row(n, minutes(0) + n * 1000) for n in range(10_250)]
    tenant.objects["AccountObj"] = rows
    got = ids(list(connector.pull(EntityKind.CUSTOMER, None)))
    assert len(got) == 10_250
    assert len(set(got)) == 10_250
    assert max(q["offset"] for q in queries(tenant)) == 0


def test_a_page_of_one_timestamp_continues_by_id_inside_it(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    same = minutes(5)
    rows = [row(n, same) for n in range(230)] + [row(500 + n, minutes(6)) for n in range(10)]
    tenant.objects["AccountObj"] = rows
    got = ids(list(connector.pull(EntityKind.CUSTOMER, None)))
    assert got == [r["_id"] for r in rows]
    group = queries(tenant)[1]
    assert {"field_name": "last_modified_time", "field_values": [same], "operator": "EQ"} in group[
        "filters"
    ]
    assert any(f["field_name"] == "_id" and f["operator"] == "GT" for f in group["filters"])


def test_an_edit_between_pages_cannot_make_the_reader_skip_a_row(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    rows = [row(n, minutes(n / 10)) for n in range(300)]
    tenant.objects["AccountObj"] = rows

    def edit(count: int) -> None:
        if count == 2:  # before page 2: a row of page 1 is edited and leaves the range
            rows[10]["last_modified_time"] = ms(NOW + timedelta(minutes=1))

    tenant.on_query = edit
    got = ids(list(connector.pull(EntityKind.CUSTOMER, None)))
    assert got == [f"{n:024x}" for n in range(300)]  # with offset paging row 100 would vanish


def test_an_incremental_pull_starts_at_the_watermark_minus_overlap(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    rows = [row(n, minutes(n / 10)) for n in range(150)]
    tenant.objects["AccountObj"] = rows
    first = list(connector.pull(EntityKind.CUSTOMER, None))
    cursor = first[0].cursor  # committed after page 1 only
    tenant.requests.clear()
    resumed = list(connector.pull(EntityKind.CUSTOMER, cursor))
    assert ids(first[:1]) + ids(resumed) == [r["_id"] for r in rows]
    lower = next(
        f for f in queries(tenant)[0]["filters"]
        if f["field_name"] == "last_modified_time" and f["operator"] == "GTE"
    )  # fmt: skip
    assert lower["field_values"] == [minutes(9.9) - 60_000]


def test_invalidated_rows_are_deletions_not_records(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    rows = [row(1, minutes(1)), row(2, minutes(2), life_status="invalid", invalid_time=minutes(3))]
    tenant.objects["ContactObj"] = rows
    assert ids(list(connector.pull(EntityKind.CONTACT, None))) == [rows[0]["_id"]]
    [batch] = list(connector.pull_deletions(EntityKind.CONTACT, None))
    assert [(d.remote_id, d.how) for d in batch] == [(rows[1]["_id"], "invalid")]
    assert batch[0].deleted_at is not None
    assert ms(batch[0].deleted_at) == minutes(3)


def test_hard_deletes_come_only_from_a_complete_id_pass(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    rows = [row(n, minutes(n / 10)) for n in range(150)]
    tenant.objects["AccountObj"] = rows
    known = [r["_id"] for r in rows] + ["gone-1", "gone-2"]
    missing = connector.sweep_missing(EntityKind.CUSTOMER, known)
    assert [(d.remote_id, d.how) for d in missing] == [("gone-1", "missing"), ("gone-2", "missing")]
    passes = queries(tenant)
    assert all(q["fieldProjection"] == ["_id"] for q in passes)
    assert any(f["operator"] == "GT" and f["field_name"] == "_id" for f in passes[1]["filters"])

    tenant.fail_next["/cgi/crm/v2/data/query"] = [-2] * 10  # a pass that breaks half-way
    with pytest.raises(TransientError):
        connector.sweep_missing(EntityKind.CUSTOMER, known)


def test_owners_and_field_descriptions(connector: FxiaokeConnector, tenant: FakeTenant) -> None:
    owners = connector.list_owners()
    assert [(o.name, o.active) for o in owners] == [("张伟", True), ("李娜", False)]


def test_query_calls_are_paced_to_the_per_endpoint_limit(
    settings: FxiaokeSettings, tenant: FakeTenant
) -> None:
    ticks = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        ticks[0] += seconds

    budget = BudgetSettings(calls_per_endpoint=2, endpoint_window=20.0)
    paced = FxiaokeConnector(
        "fx_test",
        settings.model_copy(update={"client": ClientSettings(budget=budget)}),
        sleep=sleep,
        clock=lambda: ticks[0],
        now=lambda: NOW,
    )
    tenant.objects["AccountObj"] = [row(n, minutes(n / 10)) for n in range(250)]
    try:
        assert len(ids(list(paced.pull(EntityKind.CUSTOMER, None)))) == 250
    finally:
        paced.close()
    # a backfill may use 80% of the 2 calls a window (so 1): each later query waits a window
    assert waits == [20.0, 20.0]
    assert paced.counters.snapshot().calls["POST /cgi/crm/v2/data/query"] == 3
