from __future__ import annotations

from fakes.fxiaoke import USER, FakeTenant, minutes, row

from connectors.fxiaoke import FxiaokeConnector
from connectors.protocol import PushItem, PushOutcome, WriteMode, WriteOp
from mapping.model import EntityKind


def paths(tenant: FakeTenant) -> list[str]:
    return [p.rsplit("/", 1)[-1] for p, _ in tenant.requests if p.startswith("/cgi/crm/")]


def account(key: str, name: str, mode: WriteMode = WriteMode.UPSERT, **extra: object) -> PushItem:
    payload = {"name": name, "owner": [USER], **extra}
    return PushItem(key, WriteOp.CREATE, payload, mode=mode)


def test_a_create_searches_first_and_then_creates(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    [result] = connector.push(EntityKind.CUSTOMER, [account("k1", "华为技术有限公司")])
    assert result.outcome is PushOutcome.OK
    created = tenant.objects["AccountObj"][0]
    assert result.remote_id == created["_id"]
    assert created["name"] == "华为技术有限公司"
    assert paths(tenant) == ["query", "create"]
    _, create = tenant.requests[-1]
    assert create["data"]["object_data"]["dataObjectApiName"] == "AccountObj"
    assert create["triggerWorkFlow"] is False


def test_a_create_repeated_after_a_lost_answer_finds_its_record(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    tenant.lose_create_answers = 1
    item = account("k1", "腾讯科技(深圳)有限公司", uniform_social_credit_code="91440300708461136T")
    [first] = connector.push(EntityKind.CUSTOMER, [item])
    assert first.outcome is PushOutcome.RETRY  # the server may have made it: not re-sent blindly
    assert first.error_code == "50009"
    [again] = connector.push(EntityKind.CUSTOMER, [item])
    assert again.outcome is PushOutcome.OK
    assert len(tenant.objects["AccountObj"]) == 1  # no duplicate
    assert again.remote_id == tenant.objects["AccountObj"][0]["_id"]
    assert paths(tenant).count("create") == 1


def test_insert_only_links_to_the_duplicate_it_finds(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    existing = row(7, minutes(1), name="阿里巴巴")
    tenant.objects["AccountObj"] = [existing]
    [result] = connector.push(
        EntityKind.CUSTOMER, [account("k", "阿里巴巴", mode=WriteMode.INSERT_ONLY)]
    )
    assert result.outcome is PushOutcome.ALREADY_EXISTS
    assert result.remote_id == existing["_id"]
    assert "create" not in paths(tenant)


def test_an_update_moves_ownership_through_change_owner(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    existing = row(7, minutes(1))
    tenant.objects["AccountObj"] = [existing]
    new_owner = "FSUID_99999999999999999999999999999999"
    item = PushItem(
        "k", WriteOp.UPDATE, {"tel": "010-1234", "owner": [new_owner]}, remote_id=existing["_id"]
    )
    [result] = connector.push(EntityKind.CUSTOMER, [item])
    assert result.outcome is PushOutcome.OK
    assert paths(tenant) == ["update", "changeOwner"]
    assert existing["tel"] == "010-1234"
    assert existing["owner"] == [new_owner]
    _, update = tenant.requests[-2]
    assert update["data"]["object_data"]["_id"] == existing["_id"]
    assert "owner" not in update["data"]["object_data"]


def test_a_delete_invalidates(connector: FxiaokeConnector, tenant: FakeTenant) -> None:
    existing = row(7, minutes(1))
    tenant.objects["AccountObj"] = [existing]
    items = [
        PushItem("d", WriteOp.DELETE, {}, remote_id=existing["_id"]),
        PushItem("x", WriteOp.DELETE, {}, remote_id="0" * 24),
    ]
    results = connector.push(EntityKind.CUSTOMER, items)
    assert [r.outcome for r in results] == [PushOutcome.OK, PushOutcome.FAILED]
    assert existing["life_status"] == "invalid"
    assert results[1].error_code == "201112016"  # a business error: dead-letter it


def test_results_come_back_one_per_item_in_order(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    tenant.objects["AccountObj"] = [row(7, minutes(1))]
    items = [
        account("a", "甲公司"),
        # no remote id under upsert: matched on a duplicate key, else created
        PushItem("b", WriteOp.UPDATE, {"name": "丙公司", "tel": "1"}),
        PushItem("c", WriteOp.UPDATE, {"tel": "2"}, mode=WriteMode.UPDATE_ONLY),
        account("d", "乙公司", mode=WriteMode.SKIP),
    ]
    results = connector.push(EntityKind.CUSTOMER, items)
    assert [r.key for r in results] == ["a", "b", "c", "d"]
    assert [r.outcome for r in results] == [
        PushOutcome.OK,
        PushOutcome.OK,
        PushOutcome.FAILED,
        PushOutcome.OK,
    ]


def test_a_push_searches_its_creates_in_one_query_and_links_twins(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    existing = row(7, minutes(1), name="已有公司")
    tenant.objects["AccountObj"] = [existing]
    items = [
        account("a", "新公司甲"),
        account("b", "已有公司", mode=WriteMode.INSERT_ONLY),
        account("c", "新公司乙"),
        account("d", "新公司甲", mode=WriteMode.INSERT_ONLY),  # a twin of "a" in the same push
    ]
    results = connector.push(EntityKind.CUSTOMER, items)
    assert [r.outcome for r in results] == [
        PushOutcome.OK,
        PushOutcome.ALREADY_EXISTS,
        PushOutcome.OK,
        PushOutcome.ALREADY_EXISTS,
    ]
    assert results[1].remote_id == existing["_id"]
    assert results[3].remote_id == results[0].remote_id
    assert paths(tenant) == ["query", "create", "create"]  # one IN search, then the creates
    _, search = next(r for r in tenant.requests if r[0].endswith("/query"))
    [by_name] = [f for f in search["data"]["search_query_info"]["filters"] if f["operator"] == "IN"]
    assert sorted(by_name["field_values"]) == ["已有公司", "新公司乙", "新公司甲"]


def test_items_sharing_a_record_or_a_duplicate_key_share_a_lane(
    connector: FxiaokeConnector,
) -> None:
    items = [
        account("a", "甲公司"),
        PushItem("b", WriteOp.UPDATE, {"tel": "1"}, remote_id="r1"),
        account("c", "乙公司"),
        account("d", "甲公司", mode=WriteMode.INSERT_ONLY),  # a twin of "a"
        PushItem("e", WriteOp.DELETE, {}, remote_id="r1"),  # the record "b" updates
        account("f", "丙公司"),
    ]
    lanes = connector.writer.lanes(EntityKind.CUSTOMER, items)
    assert sorted(lanes) == [[0, 3], [1, 4], [2], [5]]


def test_a_push_of_many_records_answers_each_in_order(
    connector: FxiaokeConnector, tenant: FakeTenant
) -> None:
    items = [account(f"k{n}", f"公司{n}") for n in range(12)]
    results = connector.push(EntityKind.CUSTOMER, items)
    assert [r.key for r in results] == [f"k{n}" for n in range(12)]
    assert all(r.outcome is PushOutcome.OK for r in results)
    assert len({r.remote_id for r in results}) == 12
    assert paths(tenant).count("create") == 12
