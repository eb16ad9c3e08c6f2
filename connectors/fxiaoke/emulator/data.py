"""The object data verbs: query, get, findOne, create, update, invalid, recover, delete,
changeOwner.

Every write bumps `last_modified_time` and `version`. No idempotency: two identical creates make
two records, unless a duplicate rule is configured and the call asks `isDuplicateSearch`.
UNCONFIRMED choices: `owner` cannot be changed by `update` (use changeOwner); unknown keys in
`object_data` are ignored, read-only ones rejected; an invalidated record cannot be updated.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from connectors.emulator.store import Row
from connectors.fxiaoke.emulator.envelope import Code, FxError
from connectors.fxiaoke.emulator.objects import OBJECTS, READ_ONLY, FieldType, ObjectDef
from connectors.fxiaoke.emulator.query import plan_query

if TYPE_CHECKING:
    from connectors.fxiaoke.emulator.emulator import FxiaokeEmulator

__all__ = ["VERBS"]

NPE = "java.lang.NullPointerException"


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        raise FxError(Code.PARAM_ERROR, NPE)
    return data


def _object(emu: FxiaokeEmulator, name: Any, custom: bool, verb: str) -> ObjectDef:
    obj = OBJECTS.get(name) if isinstance(name, str) else None
    if obj is None:
        raise FxError(Code.NO_SUCH_OBJECT, f"对象 {name} 不存在")
    if custom and verb != "findOne":  # preset objects live under /cgi/crm/v2 only
        raise FxError(Code.NO_SUCH_OBJECT, f"{name} 不是自定义对象，请使用预设对象接口")
    return obj


def _row(emu: FxiaokeEmulator, obj: ObjectDef, row_id: Any, user: str) -> Row:
    row = emu.modules[obj.api_name].get(row_id) if isinstance(row_id, str) else None
    if row is None:
        raise FxError(Code.RECORD_NOT_FOUND, "数据不存在或已被删除")
    if not emu.can_see(user, row):
        raise FxError(Code.NO_PERMISSION, "当前用户没有该数据的权限")
    return row


def query(emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool) -> dict[str, Any]:
    data = _data(body)
    obj = _object(emu, data.get("dataObjectApiName"), custom, "query")
    info = data.get("search_query_info") or {}
    if not isinstance(info, dict):
        raise FxError(Code.PARAM_INVALID, "search_query_info 格式不正确")
    limits = emu.limits
    try:
        limit = int(info.get("limit", limits.default_limit))
        offset = int(info.get("offset", 0))
    except (TypeError, ValueError):
        raise FxError(Code.PARAM_INVALID, "limit/offset 必须是整数") from None
    if limit > limits.max_limit and limits.limit_mode == "clamp":
        limit = limits.max_limit
    if not 1 <= limit <= limits.max_limit:
        raise FxError(Code.PARAM_INVALID, f"limit 取值范围 1-{limits.max_limit}")
    if offset < 0 or offset % limit:
        raise FxError(Code.PARAM_INVALID, "offset 必须是 limit 的整数倍")
    if offset + limit > limits.max_window:
        raise FxError(Code.OFFSET_RANGE, f"offset out of range {limits.max_window}")
    plan = plan_query(obj, emu.modules[obj.api_name], info, emu.visibility(user), user)
    rows, total = plan.page(offset, limit)
    projection = info.get("fieldProjection") or None
    records = []
    for seq, row in enumerate(rows, start=offset):
        record = emu.renderer.record(obj.api_name, row, projection)
        record["searchAfterId"] = [str(row.modified), str(seq), row.id]
        record["total_num"] = total
        records.append(record)
    explicit = data.get("find_explicit_total_num") is True
    shown = total if limits.total_mode == "always" or explicit else 0
    return {"data": {"dataList": records, "total": shown, "offset": offset, "limit": limit}}


def get(emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool) -> dict[str, Any]:
    data = _data(body)
    obj = _object(emu, data.get("dataObjectApiName"), custom, "get")
    row = _row(emu, obj, data.get("objectDataId"), user)
    return {"data": emu.renderer.record(obj.api_name, row)}


def find_one(emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool) -> dict[str, Any]:
    data = _data(body)
    obj = _object(emu, data.get("dataObjectApiName"), custom, "findOne")
    info = data.get("search_query_info") or {}
    plan = plan_query(obj, emu.modules[obj.api_name], info, emu.visibility(user), user)
    rows, _ = plan.page(0, 1)
    found = emu.renderer.record(obj.api_name, rows[0]) if rows else None
    return {"data": {"objectData": found}}


def _value(emu: FxiaokeEmulator, obj: ObjectDef, name: str, value: Any) -> Any:
    field = obj.fields[name]
    bad = FxError(Code.VALIDATION, f"字段 {name} 的值 {value!r} 不合法")
    if value is None:
        return None
    kind = field.type
    if kind is FieldType.EMPLOYEE:
        if not isinstance(value, list) or len(value) != 1 or not emu.active_employee(value[0]):
            raise bad
        return list(value)
    if kind is FieldType.OPTION:
        if not isinstance(value, str) or value not in (field.options or {}):
            raise bad
        return value
    if kind is FieldType.LOOKUP:
        if not isinstance(value, str) or value not in emu.modules[field.lookup or ""]:
            raise bad
        return value
    if kind in (FieldType.DATE, FieldType.TIME):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if kind in (FieldType.CURRENCY, FieldType.NUMBER):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise bad from None
        if isinstance(value, bool) or not number.is_finite():
            raise bad
        if kind is FieldType.CURRENCY:
            return f"{number.quantize(Decimal('0.01'))}"
        if name == "probability" and not 0 <= number <= 100:
            raise bad
        return int(number) if number == number.to_integral_value() else float(number)
    if not isinstance(value, str):
        raise bad
    return value


def _values(
    emu: FxiaokeEmulator, obj: ObjectDef, given: dict[str, Any], *, creating: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name == "dataObjectApiName" or (name == "_id" and not creating):
            continue
        if name in READ_ONLY:
            raise FxError(Code.VALIDATION, f"字段 {name} 是只读字段，不能写入")
        if name == "owner" and not creating:
            raise FxError(Code.VALIDATION, "负责人请使用更换负责人接口修改")
        if name in obj.fields:
            values[name] = _value(emu, obj, name, value)
    return values


def create(emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool) -> dict[str, Any]:
    data = _data(body)
    object_data = data.get("object_data")
    if not isinstance(object_data, dict):
        raise FxError(Code.PARAM_ERROR, NPE)
    name = object_data.get("dataObjectApiName", data.get("dataObjectApiName"))
    obj = _object(emu, name, custom, "create")
    values = _values(emu, obj, object_data, creating=True)
    for required in emu.limits.required.get(obj.api_name, []):
        if values.get(required) in (None, "", []):
            raise FxError(Code.VALIDATION, f"必填字段 {required} 未填写")
    option = data.get("optionInfo") or body.get("optionInfo") or {}
    if isinstance(option, dict) and option.get("isDuplicateSearch"):
        duplicates = emu.duplicates(obj.api_name, values)
        if duplicates:
            found = [emu.renderer.record(obj.api_name, r) for r in duplicates]
            raise FxError(
                Code.DUPLICATE, "存在重复数据，不允许保存", data={"duplicateDataList": found}
            )
    row = emu.create_row(obj.api_name, values, user)
    return {"dataId": row.id}


def update(emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool) -> dict[str, Any]:
    data = _data(body)
    object_data = data.get("object_data")
    if not isinstance(object_data, dict) or not object_data.get("_id"):
        raise FxError(Code.PARAM_ERROR, NPE)
    name = object_data.get("dataObjectApiName", data.get("dataObjectApiName"))
    obj = _object(emu, name, custom, "update")
    row = _row(emu, obj, object_data["_id"], user)
    if row.fields.get("life_status") == "invalid":
        raise FxError(Code.VALIDATION, "数据已作废，不能编辑")
    values = _values(emu, obj, object_data, creating=False)
    for required in emu.limits.required.get(obj.api_name, []):
        if required in values and values[required] in (None, "", []):
            raise FxError(Code.VALIDATION, f"必填字段 {required} 不能为空")
    emu.update_row(obj.api_name, row, values, user)
    return {}


def invalid(emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool) -> dict[str, Any]:
    data = _data(body)
    obj = _object(emu, data.get("dataObjectApiName"), custom, "invalid")
    row = _row(emu, obj, data.get("object_data_id"), user)
    if row.fields.get("life_status") == "invalid":
        raise FxError(Code.VALIDATION, "数据已作废")
    now = emu.clock.now_ms()
    emu.update_row(
        obj.api_name,
        row,
        {
            "life_status_before_invalid": row.fields.get("life_status", "normal"),
            "life_status": "invalid",
            "invalid_time": now,
        },
        user,
    )
    return {}


def _id_list(data: dict[str, Any]) -> list[str]:
    ids = data.get("idList")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise FxError(Code.PARAM_INVALID, "idList 必须是非空字符串数组")
    return ids


def recover(emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool) -> dict[str, Any]:
    data = _data(body)
    obj = _object(emu, data.get("dataObjectApiName"), custom, "recover")
    rows = [_row(emu, obj, i, user) for i in _id_list(data)]
    if any(r.fields.get("life_status") != "invalid" for r in rows):
        raise FxError(Code.VALIDATION, "只能恢复已作废的数据")
    for row in rows:
        before = row.fields.get("life_status_before_invalid") or "normal"
        emu.update_row(
            obj.api_name, row, {"life_status": before, "life_status_before_invalid": None}, user
        )
    return {}


def delete(emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool) -> dict[str, Any]:
    data = _data(body)
    obj = _object(emu, data.get("dataObjectApiName"), custom, "delete")
    rows = [_row(emu, obj, i, user) for i in _id_list(data)]
    if any(r.fields.get("life_status") != "invalid" for r in rows):
        raise FxError(Code.NOT_INVALIDATED, "删除之前请先作废数据")
    for row in rows:
        emu.modules[obj.api_name].remove(row.id)
    return {}


def change_owner(
    emu: FxiaokeEmulator, body: dict[str, Any], user: str, custom: bool
) -> dict[str, Any]:
    data = _data(body)
    obj = _object(emu, data.get("dataObjectApiName"), custom, "changeOwner")
    items = data.get("Data", data.get("data"))
    if not isinstance(items, list) or not items:
        raise FxError(Code.PARAM_ERROR, NPE)
    changes = []
    for item in items:
        if not isinstance(item, dict):
            raise FxError(Code.PARAM_ERROR, NPE)
        row = _row(emu, obj, item.get("objectDataId"), user)
        changes.append((row, _value(emu, obj, "owner", item.get("ownerId"))))
    for row, owner in changes:
        emu.update_row(obj.api_name, row, {"owner": owner}, user)
    return {}


VERBS = {
    "query": query,
    "get": get,
    "findOne": find_one,
    "create": create,
    "update": update,
    "invalid": invalid,
    "recover": recover,
    "delete": delete,
    "changeOwner": change_owner,
}
