"""Fxiaoke §10.4–10: the query engine, record shape, writes, invalid/delete, throttling."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from connectors.fxiaoke.emulator import FxiaokeEmulator

Call = Callable[..., dict[str, Any]]
Q = "/cgi/crm/v2/data/query"


def _query(fx_call: Call, obj: str = "AccountObj", **info: Any) -> dict[str, Any]:
    return fx_call(Q, {"dataObjectApiName": obj, "search_query_info": {"limit": 100, **info}})


def test_query_answers_total_offset_limit_and_datalist(
    fxiaoke: FxiaokeEmulator, fx_call: Call
) -> None:
    body = _query(fx_call, limit=5, offset=10)
    data = body["data"]
    assert body["errorCode"] == 0
    assert (data["total"], data["offset"], data["limit"]) == (
        len(fxiaoke.modules["AccountObj"]),
        10,
        5,
    )
    assert len(data["dataList"]) == 5
    fxiaoke.set_limits(total_mode="explicit")
    assert _query(fx_call, limit=5)["data"]["total"] == 0
    asked = fx_call(
        Q,
        {
            "dataObjectApiName": "AccountObj",
            "find_explicit_total_num": True,
            "search_query_info": {"limit": 5},
        },
    )
    assert asked["data"]["total"] == len(fxiaoke.modules["AccountObj"])


def test_record_shape_is_realistic(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    rows = _query(fx_call, "NewOpportunityObj")["data"]["dataList"]
    row = rows[0]
    assert re.fullmatch(r"[0-9a-f]{24}", row["_id"])
    assert isinstance(row["create_time"], int)
    assert isinstance(row["last_modified_time"], int)
    assert re.fullmatch(r"\d+\.\d\d", row["amount"])
    assert row["sales_stage__r"]
    assert row["owner"][0].startswith("FSUID_")
    assert (row["life_status"], row["is_deleted"], row["record_type"]) == (
        "normal",
        False,
        "default__c",
    )
    assert {"searchAfterId", "total_num", "version", "lock_status"} <= set(row)
    # close_date: 00:00 in Asia/Shanghai
    assert (row["close_date"] // 1000 + 8 * 3600) % 86_400 == 0
    accounts = _query(fx_call)["data"]["dataList"]
    assert any("uniform_social_credit_code" not in a for a in accounts)  # older rows lack it
    assert any("uniform_social_credit_code" in a for a in accounts)


def test_filters_are_anded_and_operators_work(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    rows = list(fxiaoke.modules["AccountObj"].rows.values())
    times = sorted(r.modified for r in rows)
    pivot = times[len(times) // 2]
    level = next(r.fields["account_level"] for r in rows if r.fields.get("account_level"))
    expected = {
        r.id for r in rows if r.modified >= pivot and r.fields.get("account_level") == level
    }
    got = _query(
        fx_call,
        filters=[
            {"field_name": "last_modified_time", "field_values": [pivot], "operator": "GTE"},
            {"field_name": "account_level", "field_values": [level], "operator": "EQ"},
        ],
    )["data"]["dataList"]
    assert {r["_id"] for r in got} == expected
    label = _query(
        fx_call,
        filters=[{"field_name": "account_level", "field_values": [f"{level}类"], "operator": "EQ"}],
    )
    assert label["data"]["dataList"] == []  # option codes, not labels
    between = _query(
        fx_call,
        filters=[
            {
                "field_name": "last_modified_time",
                "field_values": [times[2], times[5]],
                "operator": "BETWEEN",
            }
        ],
    )["data"]
    assert between["total"] == sum(1 for t in times if times[2] <= t <= times[5])
    name = rows[0].fields["name"]
    like = _query(
        fx_call, filters=[{"field_name": "name", "field_values": [name[1:4]], "operator": "LIKE"}]
    )
    assert rows[0].id in {r["_id"] for r in like["data"]["dataList"]}
    empty = _query(
        fx_call, filters=[{"field_name": "remark", "field_values": [], "operator": "IS"}]
    )
    assert empty["data"]["total"] == len(rows)
    not_array = _query(
        fx_call, filters=[{"field_name": "name", "field_values": "x", "operator": "EQ"}]
    )
    assert not_array["errorCode"] == 15002


def test_orders_multi_key_and_projection(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    rows = _query(
        fx_call,
        orders=[
            {"fieldName": "account_level", "isAsc": True},
            {"fieldName": "create_time", "isAsc": False},
        ],
        fieldProjection=["name", "account_level", "create_time"],
    )["data"]["dataList"]
    keys = [
        ((r.get("account_level") is None, r.get("account_level") or ""), -r["create_time"])
        for r in rows
    ]
    assert keys == sorted(keys)
    assert set(rows[0]) <= {
        "_id",
        "name",
        "account_level",
        "account_level__r",
        "create_time",
        "searchAfterId",
        "total_num",
    }
    asc = _query(fx_call, orders=[{"fieldName": "last_modified_time", "isAsc": True}])["data"][
        "dataList"
    ]
    pairs = [(r["last_modified_time"], r["_id"]) for r in asc]
    assert pairs == sorted(pairs)


def test_limit_and_offset_rules(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    assert _query(fx_call, limit=101)["errorCode"] == 15002
    assert _query(fx_call, limit=10, offset=15)["errorCode"] == 15002
    deep = _query(fx_call, limit=100, offset=10_000)
    assert deep["errorCode"] == 10013
    assert "10000" in deep["errorMessage"]
    fxiaoke.set_limits(limit_mode="clamp")
    clamped = _query(fx_call, limit=500)
    assert (clamped["errorCode"], clamped["data"]["limit"]) == (0, 100)


def test_offset_paging_is_not_snapshot_isolated(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    order = [{"fieldName": "last_modified_time", "isAsc": True}]
    baseline = [r["_id"] for r in _query(fx_call, limit=10, orders=order)["data"]["dataList"]]
    first = _query(fx_call, limit=5, offset=0, orders=order)["data"]["dataList"]
    # a write between the client's page reads moves a row of page 1 to the end
    fxiaoke.automation("AccountObj", [first[0]["_id"]], {"remark": "edited"}, same_time=True)
    second = _query(fx_call, limit=5, offset=5, orders=order)["data"]["dataList"]
    assert [r["_id"] for r in second][:4] == baseline[6:10]
    seen = {r["_id"] for r in first} | {r["_id"] for r in second}
    assert baseline[5] not in seen  # skipped: offset paging over a moving order


def test_wrong_path_family_and_find_one(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    custom = fx_call(
        "/cgi/crm/custom/v2/data/query",
        {"dataObjectApiName": "AccountObj", "search_query_info": {"limit": 10}},
    )
    assert custom["errorCode"] != 0
    no_such = _query(fx_call, "object_abc__c")
    assert no_such["errorCode"] != 0
    row = next(iter(fxiaoke.modules["AccountObj"].rows.values()))
    found = fx_call(
        "/cgi/crm/custom/v2/data/findOne",
        {
            "dataObjectApiName": "AccountObj",
            "search_query_info": {
                "filters": [{"field_name": "_id", "field_values": [row.id], "operator": "EQ"}]
            },
        },
    )
    assert found["data"]["objectData"]["_id"] == row.id


def test_create_has_no_idempotency_and_needs_required_fields(
    fxiaoke: FxiaokeEmulator, fx_call: Call, fx_auth: dict[str, Any]
) -> None:
    me = fx_auth["currentOpenUserId"]
    record = {"dataObjectApiName": "AccountObj", "name": "重复公司", "owner": [me]}
    one = fx_call("/cgi/crm/v2/data/create", {"object_data": record}, triggerWorkFlow=False)
    two = fx_call("/cgi/crm/v2/data/create", {"object_data": record})
    assert one["errorCode"] == two["errorCode"] == 0
    assert one["dataId"] != two["dataId"]
    assert re.fullmatch(r"[0-9a-f]{24}", one["dataId"])
    blocked = fx_call(
        "/cgi/crm/v2/data/create",
        {"object_data": record, "optionInfo": {"isDuplicateSearch": True}},
    )
    assert blocked["errorCode"] != 0
    assert {d["_id"] for d in blocked["data"]["duplicateDataList"]} >= {
        one["dataId"],
        two["dataId"],
    }
    no_owner = fx_call(
        "/cgi/crm/v2/data/create", {"object_data": {"dataObjectApiName": "AccountObj", "name": "X"}}
    )
    opp = fx_call(
        "/cgi/crm/v2/data/create",
        {"object_data": {"dataObjectApiName": "NewOpportunityObj", "name": "商机", "owner": [me]}},
    )
    bad_code = fx_call(
        "/cgi/crm/v2/data/create", {"object_data": {**record, "name": "Y", "account_level": "重要"}}
    )
    read_only = fx_call(
        "/cgi/crm/v2/data/create", {"object_data": {**record, "name": "Z", "version": 9}}
    )
    for failure in (no_owner, opp, bad_code, read_only):
        assert failure["errorCode"] != 0
        assert failure["errorMessage"]


def test_update_is_partial_and_wrong_structure_is_a_java_error(
    fxiaoke: FxiaokeEmulator, fx_call: Call
) -> None:
    row = next(iter(fxiaoke.modules["ContactObj"].rows.values()))
    before = dict(row.fields)
    version, modified = row.fields["version"], row.modified
    fxiaoke.clock.advance(1)
    ok = fx_call(
        "/cgi/crm/v2/data/update",
        {"object_data": {"_id": row.id, "dataObjectApiName": "ContactObj", "job_title": "CTO"}},
    )
    assert ok["errorCode"] == 0
    assert row.fields["job_title"] == "CTO"
    assert row.fields["name"] == before["name"]
    assert row.fields["version"] == version + 1
    assert row.modified > modified
    wrong = fx_call(
        "/cgi/crm/v2/data/update",
        {"dataObjectApiName": "ContactObj", "objectDataId": row.id, "data": {"job_title": "x"}},
    )
    assert wrong["errorCode"] != 0
    assert "NullPointerException" in wrong["errorMessage"]


def test_invalid_recover_delete(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    row_id = next(iter(fxiaoke.modules["AccountObj"].rows))
    not_yet = fx_call(
        "/cgi/crm/v2/data/delete", {"dataObjectApiName": "AccountObj", "idList": [row_id]}
    )
    assert not_yet["errorCode"] != 0
    assert (
        fx_call(
            "/cgi/crm/v2/data/invalid",
            {"dataObjectApiName": "AccountObj", "object_data_id": row_id},
        )["errorCode"]
        == 0
    )
    shown = _query(
        fx_call, filters=[{"field_name": "_id", "field_values": [row_id], "operator": "EQ"}]
    )
    assert (
        shown["data"]["dataList"][0]["life_status"] == "invalid"
    )  # still returned unless filtered
    hidden = _query(
        fx_call,
        filters=[
            {"field_name": "_id", "field_values": [row_id], "operator": "EQ"},
            {"field_name": "life_status", "field_values": ["invalid"], "operator": "N"},
        ],
    )
    assert hidden["data"]["dataList"] == []
    assert (
        fx_call(
            "/cgi/crm/v2/data/recover", {"dataObjectApiName": "AccountObj", "idList": [row_id]}
        )["errorCode"]
        == 0
    )
    assert fxiaoke.modules["AccountObj"].rows[row_id].fields["life_status"] == "normal"
    fx_call(
        "/cgi/crm/v2/data/invalid", {"dataObjectApiName": "AccountObj", "object_data_id": row_id}
    )
    assert (
        fx_call("/cgi/crm/v2/data/delete", {"dataObjectApiName": "AccountObj", "idList": [row_id]})[
            "errorCode"
        ]
        == 0
    )
    assert row_id not in fxiaoke.modules["AccountObj"]
    gone = fx_call(
        "/cgi/crm/v2/data/get", {"dataObjectApiName": "AccountObj", "objectDataId": row_id}
    )
    assert gone["errorCode"] != 0


def test_change_owner_bumps_modified_time(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    row = next(iter(fxiaoke.modules["AccountObj"].rows.values()))
    other = next(e for e in fxiaoke.employees.values() if e.open_user_id not in row.fields["owner"])
    before = row.modified
    fxiaoke.clock.advance(1)
    result = fx_call(
        "/cgi/crm/v2/data/changeOwner",
        {
            "dataObjectApiName": "AccountObj",
            "Data": [{"objectDataId": row.id, "ownerId": [other.open_user_id]}],
        },
    )
    assert result["errorCode"] == 0
    assert row.fields["owner"] == [other.open_user_id]
    assert row.modified > before


def test_per_endpoint_window_quota_and_no_quota(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    fxiaoke.set_limits(endpoint_calls=3, endpoint_window_s=20)
    codes = [_query(fx_call, limit=1)["errorCode"] for _ in range(4)]
    assert codes == [0, 0, 0, 14001]
    other_endpoint = fx_call(
        "/cgi/crm/v2/data/get", {"dataObjectApiName": "AccountObj", "objectDataId": "x"}
    )
    assert other_endpoint["errorCode"] != 14001  # the window is per endpoint
    fxiaoke.clock.advance(20)
    assert _query(fx_call, limit=1)["errorCode"] == 0
    fxiaoke.set_limits(endpoint_calls=100, daily_quota=2)
    fxiaoke.reset_limits()
    assert [_query(fx_call, limit=1)["errorCode"] for _ in range(3)] == [0, 0, 30002]
    fxiaoke.set_limits(quota_purchased=False)
    assert _query(fx_call, limit=1)["errorCode"] == 30003


def test_transient_faults_are_minus_one_or_50009(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    fxiaoke.set_faults(error_rate=1.0)
    codes = {_query(fx_call, limit=1)["errorCode"] for _ in range(12)}
    assert codes <= {-1, 50009}
    assert codes
    fxiaoke.set_faults(error_rate=0.0, rate_limit_rate=1.0)
    assert _query(fx_call, limit=1)["errorCode"] == 14001


OPERATORS = [
    ("EQ", "account_level", ["A"], lambda v: v == "A"),
    ("N", "account_level", ["A"], lambda v: v != "A"),
    ("IN", "account_level", ["A", "B"], lambda v: v in ("A", "B")),
    ("NIN", "account_level", ["A", "B"], lambda v: v not in ("A", "B")),
    ("ISN", "account_level", [], lambda v: v is not None),
    ("STARTWITH", "city", ["上"], lambda v: v is not None and v.startswith("上")),
    ("ENDWITH", "name", ["公司"], lambda v: v is not None and v.endswith("公司")),
    ("NLIKE", "name", ["科技"], lambda v: v is None or "科技" not in v),
]


@pytest.mark.parametrize(("op", "field", "values", "expect"), OPERATORS)
def test_each_operator_matches_its_meaning(
    fxiaoke: FxiaokeEmulator,
    fx_call: Call,
    op: str,
    field: str,
    values: list[Any],
    expect: Callable[[Any], bool],
) -> None:
    rows = fxiaoke.modules["AccountObj"].rows.values()
    expected = {r.id for r in rows if expect(r.fields.get(field))}
    body = _query(fx_call, filters=[{"field_name": field, "field_values": values, "operator": op}])
    assert body["errorCode"] == 0
    assert {r["_id"] for r in body["data"]["dataList"]} == expected


def test_time_operators_on_milliseconds(fxiaoke: FxiaokeEmulator, fx_call: Call) -> None:
    times = sorted(r.modified for r in fxiaoke.modules["AccountObj"].rows.values())
    pivot = times[len(times) // 3]
    for op, test in (("GT", pivot.__lt__), ("LT", pivot.__gt__), ("LTE", pivot.__ge__)):
        body = _query(
            fx_call,
            filters=[{"field_name": "last_modified_time", "field_values": [pivot], "operator": op}],
        )
        assert body["data"]["total"] == sum(1 for t in times if test(t)), op
    outside = _query(
        fx_call,
        filters=[
            {
                "field_name": "create_time",
                "field_values": [str(times[0]), str(times[-1])],
                "operator": "NBETWEEN",
            }
        ],
    )
    assert outside["errorCode"] == 0


def test_describe_lists_fields_and_option_codes(fx_call: Call) -> None:
    body = fx_call("/cgi/crm/v2/object/describe", apiName="NewOpportunityObj")
    fields = body["data"]["describe"]["fields"]
    assert fields["close_date"]["type"] == "date"
    assert {"label": "赢单", "value": "5"} in fields["sales_stage"]["options"]
    assert fields["account_id"]["target_api_name"] == "AccountObj"
    assert fx_call("/cgi/crm/v2/object/describe", apiName="Nope")["errorCode"] != 0
