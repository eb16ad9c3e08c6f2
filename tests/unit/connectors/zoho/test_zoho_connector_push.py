from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from fakes.zoho import API, NOW, body, error

from connectors.http import ConfigError
from connectors.protocol import PushItem, PushOutcome, WriteMode, WriteOp
from connectors.zoho import ZohoConnector
from mapping.model import EntityKind

DEALS = f"{API}/crm/v8/Deals"


def ok(n: int, message: str = "record added", **extra: Any) -> dict[str, Any]:
    return {
        "code": "SUCCESS",
        "status": "success",
        "message": message,
        "details": {"id": str(9000 + n), "Modified_Time": "2026-05-01T10:00:00+08:00"},
        **extra,
    }


def echo_upsert(request: httpx.Request) -> httpx.Response:
    records = body(request)["data"]
    return httpx.Response(
        200, json={"data": [ok(i, "record added", action="insert") for i in range(len(records))]}
    )


def deal(n: int, mode: WriteMode = WriteMode.UPSERT, **kw: Any) -> PushItem:
    return PushItem(
        f"k{n}",
        WriteOp.CREATE,
        {"Deal_Name": f"Deal {n}", "Stage": "Qualification"},
        mode=mode,
        **kw,
    )


def test_creates_upsert_in_batches_of_100_with_duplicate_check_fields_and_no_automation(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    route = zoho.post(f"{DEALS}/upsert").mock(side_effect=echo_upsert)
    items = [deal(n) for n in range(250)]
    results = connector.push(EntityKind.OPPORTUNITY, items)
    assert [len(body(c.request)["data"]) for c in route.calls] == [100, 100, 50]
    sent = body(route.calls[0].request)
    assert sent["duplicate_check_fields"] == ["Deal_Name"]
    assert sent["trigger"] == []
    assert [r.key for r in results] == [i.key for i in items]
    assert all(r.outcome is PushOutcome.OK for r in results)
    assert results[0].remote_id == "9000"
    assert results[0].modified_at is not None


def test_a_207_batch_gives_each_record_its_own_outcome(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    duplicate = {
        "code": "DUPLICATE_DATA",
        "status": "error",
        "message": "duplicate data",
        "details": {"api_name": "Deal_Name", "json_path": "$.data[1].Deal_Name",
                    "duplicate_record": {"id": "777", "module": {"api_name": "Deals"}}},
    }  # fmt: skip
    invalid = {
        "code": "INVALID_DATA",
        "status": "error",
        "message": "invalid data",
        "details": {"api_name": "Probability", "json_path": "$.data[2].Probability"},
    }
    busy = {"code": "TOO_MANY_REQUESTS", "status": "error", "message": "later", "details": {}}
    # locked by an approval or a lock rule: writable again once that ends
    locked = {"code": "RECORD_LOCKED", "status": "error", "message": "locked", "details": {}}
    zoho.post(DEALS).respond(207, json={"data": [ok(0), duplicate, invalid, busy, locked]})
    items = [deal(n, WriteMode.INSERT_ONLY) for n in range(5)]
    results = connector.push(EntityKind.OPPORTUNITY, items)
    assert [r.outcome for r in results] == [
        PushOutcome.OK,
        PushOutcome.ALREADY_EXISTS,
        PushOutcome.FAILED,
        PushOutcome.RETRY,
        PushOutcome.RETRY,
    ]
    assert results[1].remote_id == "777"  # link it
    assert results[2].error_code == "INVALID_DATA"
    assert "Probability" in (results[2].error_message or "")


def test_an_all_failed_batch_is_a_400_with_per_record_results_not_an_exception(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    missing = {
        "code": "MANDATORY_NOT_FOUND",
        "status": "error",
        "message": "required field not found",
        "details": {"api_name": "Stage"},
    }
    zoho.post(DEALS).respond(400, json={"data": [missing, missing]})
    results = connector.push(
        EntityKind.OPPORTUNITY, [deal(1, WriteMode.INSERT_ONLY), deal(2, WriteMode.INSERT_ONLY)]
    )
    assert [(r.outcome, r.error_code) for r in results] == [
        (PushOutcome.FAILED, "MANDATORY_NOT_FOUND")
    ] * 2


def test_a_throttled_upsert_is_retried_but_a_failed_insert_is_left_for_later(
    connector: ZohoConnector, zoho: respx.MockRouter, sleeps: list[float]
) -> None:
    upsert = zoho.post(f"{DEALS}/upsert").mock(
        side_effect=[httpx.Response(429, json=error("TOO_MANY_REQUESTS")), echo_upsert]
    )
    insert = zoho.post(DEALS).respond(500, json=error("INTERNAL_ERROR"))
    results = connector.push(EntityKind.OPPORTUNITY, [deal(1), deal(2, WriteMode.INSERT_ONLY)])
    assert upsert.call_count == 2
    assert insert.call_count == 1  # a blind retry could create a duplicate
    assert [r.outcome for r in results] == [PushOutcome.OK, PushOutcome.RETRY]
    assert results[1].error_code == "INTERNAL_ERROR"


def test_mixed_operations_are_grouped_and_answered_in_input_order(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    update = zoho.put(DEALS).respond(200, json={"data": [ok(1, "record updated")]})
    delete = zoho.delete(DEALS).respond(200, json={"data": [ok(2, "record deleted")]})
    upsert = zoho.post(f"{DEALS}/upsert").mock(side_effect=echo_upsert)
    items = [
        PushItem("d", WriteOp.DELETE, {}, remote_id="9002"),
        deal(0),
        PushItem("u", WriteOp.UPDATE, {"Stage": "Closed Won"}, remote_id="9001"),
        PushItem("s", WriteOp.UPDATE, {"Stage": "X"}, remote_id="1", mode=WriteMode.SKIP),
    ]
    results = connector.push(EntityKind.OPPORTUNITY, items)
    assert [r.key for r in results] == ["d", "k0", "u", "s"]
    assert all(r.outcome is PushOutcome.OK for r in results)
    assert body(update.calls.last.request)["data"] == [{"Stage": "Closed Won", "id": "9001"}]
    params = delete.calls.last.request.url.params
    assert params["ids"] == "9002"
    assert params["wf_trigger"] == "false"
    assert upsert.call_count == 1


def test_deleting_what_is_already_gone_is_ok(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    gone = {
        "code": "INVALID_DATA",
        "status": "error",
        "message": "the id given seems to be invalid",
        "details": {"id": "123"},
    }
    zoho.delete(DEALS).respond(400, json={"data": [gone]})
    [result] = connector.push(
        EntityKind.OPPORTUNITY, [PushItem("d", WriteOp.DELETE, {}, remote_id="123")]
    )
    assert result.outcome is PushOutcome.OK
    assert result.error_code == "INVALID_DATA"


def test_a_write_without_the_scope_raises_instead_of_dead_lettering_every_record(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    zoho.post(f"{DEALS}/upsert").respond(401, json=error("OAUTH_SCOPE_MISMATCH"))
    with pytest.raises(ConfigError):
        connector.push(EntityKind.OPPORTUNITY, [deal(1)])


def test_automation_runs_only_when_configured(make_connector: Any, zoho: respx.MockRouter) -> None:
    connector = make_connector(trigger=["workflow"])
    route = zoho.post(f"{DEALS}/upsert").mock(side_effect=echo_upsert)
    connector.push(EntityKind.OPPORTUNITY, [deal(1)])
    assert body(route.calls.last.request)["trigger"] == ["workflow"]


# a create pushed before, its answer lost: Zoho would not catch the repeat of an insert


def stored(n: int, created: str = "2026-05-01T19:58:00+08:00", **fields: Any) -> dict[str, Any]:
    return {
        "id": str(5000 + n),
        "Deal_Name": f"Deal {n}",
        "Stage": "Qualification",
        "Owner": {"id": "1", "name": "Pat"},
        "Created_Time": created,
        "Modified_Time": created,
        **fields,
    }


SENT = NOW - timedelta(minutes=2)


def test_a_repeated_insert_finds_the_record_its_lost_push_made_and_sends_only_the_rest(
    connector: ZohoConnector, zoho: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    older = stored(3, created="2026-05-01T08:00:00+08:00")  # changed lately, made long before
    changed = zoho.get(DEALS).respond(200, json={"data": [older, stored(1), stored(9)],
                                                 "info": {"more_records": False}})  # fmt: skip
    insert = zoho.post(DEALS).respond(201, json={"data": [ok(2), ok(3)]})
    items = [deal(n, WriteMode.INSERT_ONLY, sent_at=SENT) for n in (1, 2)]
    items.append(deal(3, WriteMode.INSERT_ONLY, sent_at=SENT))
    results = connector.push(EntityKind.OPPORTUNITY, items)
    assert [(r.outcome, r.remote_id) for r in results] == [
        (PushOutcome.OK, "5001"),  # found: not sent again
        (PushOutcome.OK, "9002"),
        (PushOutcome.OK, "9003"),  # same fields, but made before the first push: not ours
    ]
    assert [d["Deal_Name"] for d in body(insert.calls[0].request)["data"]] == ["Deal 2", "Deal 3"]
    asked = changed.calls[0].request
    # from the first push minus the connection's overlap (60 s), in the connection's timezone
    assert asked.headers["If-Modified-Since"] == "2026-05-01T19:57:00+08:00"
    assert asked.url.params["sort_by"] == "Modified_Time"
    # a recovery an operator should see in the log
    [logged] = [r for r in caplog.records if "without a recorded answer" in r.getMessage()]
    assert logged.levelname == "WARNING"
    assert "zoho_module=Deals repeated=3 found_made=1" in logged.getMessage()


def test_a_record_that_differs_in_one_field_is_not_taken_for_the_lost_create(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    zoho.get(DEALS).respond(200, json={"data": [stored(1, Stage="Closed Won")]})
    insert = zoho.post(DEALS).respond(201, json={"data": [ok(1)]})
    results = connector.push(EntityKind.OPPORTUNITY, [deal(1, WriteMode.INSERT_ONLY, sent_at=SENT)])
    assert insert.call_count == 1
    assert results[0].remote_id == "9001"


def test_when_the_look_back_fails_the_create_waits_instead_of_going_blind(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    zoho.get(DEALS).respond(500, json=error("INTERNAL_ERROR"))
    insert = zoho.post(DEALS, name="insert").respond(201, json={"data": [ok(1)]})
    results = connector.push(EntityKind.OPPORTUNITY, [deal(1, WriteMode.INSERT_ONLY, sent_at=SENT)])
    assert insert.call_count == 0
    assert results[0].outcome is PushOutcome.RETRY
    zoho.routes.pop("insert")  # uncalled, as it must be


def test_a_look_back_past_its_limit_dead_letters_the_create_for_an_operator(
    make_connector: Any, zoho: respx.MockRouter
) -> None:
    # retried for hours: a busy module changed page after page since the first push
    busy = [stored(100 + n) for n in range(200)]
    changed = zoho.get(DEALS).respond(
        200, json={"data": busy, "info": {"more_records": True, "per_page": 200}}
    )
    insert = zoho.post(DEALS, name="insert").respond(201, json={"data": [ok(1)]})
    connector = make_connector(look_back_limit=400)
    first = deal(1, WriteMode.INSERT_ONLY, sent_at=SENT)
    found = deal(150, WriteMode.INSERT_ONLY, sent_at=SENT)  # its record is on the first page
    results = connector.push(EntityKind.OPPORTUNITY, [first, found])
    assert changed.call_count == 2  # 400 records, then no further
    assert insert.call_count == 0  # never sent blind
    assert (results[1].outcome, results[1].remote_id) == (PushOutcome.OK, "5150")
    assert (results[0].outcome, results[0].error_code) == (
        PushOutcome.FAILED,
        "LOOK_BACK_LIMIT",
    )
    assert results[0].error_message is not None
    assert "400 Deals changed since" in results[0].error_message
    assert "retry this write only if it is not there" in results[0].error_message
    zoho.routes.pop("insert")  # uncalled, as it must be


def test_an_upsert_with_a_duplicate_check_value_is_sent_again_without_looking(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    # Zoho's upsert finds the record on Deal_Name itself; no read needed
    zoho.post(f"{DEALS}/upsert").mock(side_effect=echo_upsert)
    results = connector.push(EntityKind.OPPORTUNITY, [deal(1, sent_at=SENT)])
    assert results[0].outcome is PushOutcome.OK
    assert [c.request.method for c in zoho.calls if c.request.url.host != "accounts.zoho.com"] == [
        "POST"
    ]


def test_an_upsert_without_a_duplicate_check_value_is_not_repeated_blindly(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    upsert = zoho.post(f"{DEALS}/upsert").respond(500, json=error("INTERNAL_ERROR"))
    item = PushItem("k1", WriteOp.CREATE, {"Deal_Name": "", "Stage": "Qualification"})
    results = connector.push(EntityKind.OPPORTUNITY, [item, deal(2)])
    assert upsert.call_count == 1  # the 500 may have come after Zoho stored the first record
    assert [r.outcome for r in results] == [PushOutcome.RETRY, PushOutcome.RETRY]
