"""Writing Zoho records: insert, update, upsert and delete, ≤100 per call, per-record results.

Statuses: insert all-ok 201; update/upsert/delete all-ok 200; mixed 207; all failed 400 (still
with `data[]`). Results are in input order. Plain inserts reject unique-field clashes
(DUPLICATE_DATA with `duplicate_record`), so a retried insert is caught. UNCONFIRMED: an
`If-Unmodified-Since` conflict fails the whole call with 412 ALREADY_MODIFIED; a record failing
through the batch-failure fault gets RECORD_LOCKED (update/delete) or INTERNAL_ERROR (insert).
"""

from __future__ import annotations

from typing import Any

from connectors.emulator.http import ApiResponse, BadJsonError, Call
from connectors.emulator.store import Row
from connectors.zoho.emulator.context import Ctx
from connectors.zoho.emulator.envelope import ZohoError, record_error, status_for_batch
from connectors.zoho.emulator.render import parse_iso_ms
from connectors.zoho.emulator.validate import check_record

__all__ = ["batch_size", "delete_records", "insert_records", "update_records", "upsert_records"]


def _records(call: Call, limit: int) -> list[Any]:
    try:
        body = call.json()
    except BadJsonError:
        raise ZohoError(400, "INVALID_DATA", "body is not a valid JSON", {}) from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not data:
        raise ZohoError(
            400,
            "INVALID_DATA",
            "invalid data",
            {"api_name": "data", "json_path": "$.data", "expected_data_type": "jsonarray"},
        )
    if len(data) > limit:
        raise ZohoError(
            400,
            "LIMIT_EXCEEDED",
            f"more than {limit} records in one call",
            {"api_name": "data", "json_path": "$.data", "limit": limit},
        )
    return data


def batch_size(call: Call) -> int:
    """How many records a write carries (for its credit cost); 1 when unreadable."""
    try:
        body = call.json()
    except BadJsonError:
        return 1
    data = body.get("data") if isinstance(body, dict) else None
    return len(data) if isinstance(data, list) and data else 1


def _success(ctx: Ctx, row: Row, message: str, **extra: Any) -> dict[str, Any]:
    details = ctx.emulator.renderer.system_details(row)
    return {"code": "SUCCESS", "details": details, "message": message, "status": "success", **extra}


def _duplicate(ctx: Ctx, values: dict[str, Any], index: int, besides: str | None) -> Any:
    emu, module = ctx.emulator, ctx.spec.api_name
    for field in ctx.spec.unique:
        holder = emu.unique.holder(module, field, values.get(field), besides)
        if holder is None:
            continue
        row = emu.modules[module].get(holder)
        owner = emu.users.get(str(row.fields.get("Owner"))) if row else None
        details = {
            "api_name": field,
            "json_path": f"$.data[{index}].{field}",
            "duplicate_record": {
                "id": holder,
                "module": {"api_name": module, "id": ctx.spec.module_id},
                "Owner": {"name": owner.full_name, "id": owner.id, "zuid": owner.id}
                if owner
                else None,
            },
            "more_records": False,
        }
        return record_error("DUPLICATE_DATA", "duplicate data", details)
    return None


def _exists(ctx: Ctx) -> Any:
    emu = ctx.emulator

    def exists(target: str, row_id: str) -> bool:
        if target == "users":
            user = emu.users.get(row_id)
            return user is not None and user.status == "active"
        return row_id in emu.modules[target]

    return exists


def _insert_one(ctx: Ctx, record: Any, index: int) -> tuple[dict[str, Any], Row | None]:
    emu = ctx.emulator
    values, problem = check_record(ctx.spec, record, index, creating=True, exists=_exists(ctx))
    problem = problem or _duplicate(ctx, values, index, None)
    if problem is None and emu.dice.record_fails():
        problem = record_error("INTERNAL_ERROR", "Internal Server Error", {})
    if problem is not None:
        return problem, None
    row = emu.create_row(ctx.spec.api_name, values, ctx.token.user_id)
    return _success(ctx, row, "record added"), row


def _update_one(ctx: Ctx, row: Row, record: Any, index: int) -> tuple[dict[str, Any], Row | None]:
    emu = ctx.emulator
    values, problem = check_record(ctx.spec, record, index, creating=False, exists=_exists(ctx))
    merged = {**row.fields, **values}
    problem = problem or _duplicate(ctx, merged, index, row.id)
    if problem is None and emu.dice.record_fails():
        problem = record_error("RECORD_LOCKED", "cannot update a locked record", {"id": row.id})
    if problem is not None:
        return problem, None
    emu.update_row(ctx.spec.api_name, row, values, ctx.token.user_id)
    return _success(ctx, row, "record updated"), row


def _check_unmodified(call: Call, ctx: Ctx, ids: list[str]) -> None:
    raw = call.headers.get("if-unmodified-since")
    if raw is None:
        return
    try:
        since = parse_iso_ms(raw)
    except ValueError:
        raise ZohoError(
            400, "INVALID_DATA", "invalid data", {"header_name": "If-Unmodified-Since"}
        ) from None
    store = ctx.emulator.modules[ctx.spec.api_name]
    for row_id in ids:
        row = store.get(row_id)
        if row is not None and row.modified > since:
            raise ZohoError(412, "ALREADY_MODIFIED", "the record was modified", {"id": row_id})


def insert_records(call: Call, ctx: Ctx) -> ApiResponse:
    records = _records(call, ctx.emulator.limits.max_batch)
    results = [_insert_one(ctx, r, i)[0] for i, r in enumerate(records)]
    return ApiResponse({"data": results}, status_for_batch(results, 201))


def update_records(call: Call, ctx: Ctx) -> ApiResponse:
    records = _records(call, ctx.emulator.limits.max_batch)
    path_id = call.params.get("id")
    if path_id is not None:
        records = [{**r, "id": path_id} if isinstance(r, dict) else r for r in records[:1]]
    store = ctx.emulator.modules[ctx.spec.api_name]
    _check_unmodified(call, ctx, [str(r.get("id")) for r in records if isinstance(r, dict)])
    results = []
    for index, record in enumerate(records):
        row_id = record.get("id") if isinstance(record, dict) else None
        row = store.get(row_id) if isinstance(row_id, str) else None
        if row_id is None:
            details = {"api_name": "id", "json_path": f"$.data[{index}].id"}
            results.append(record_error("MANDATORY_NOT_FOUND", "required field not found", details))
        elif row is None:
            message = "the id given seems to be invalid"
            results.append(record_error("INVALID_DATA", message, {"id": str(row_id)}))
        else:
            results.append(_update_one(ctx, row, record, index)[0])
    return ApiResponse({"data": results}, status_for_batch(results, 200))


def _match_order(ctx: Ctx, body: Any) -> list[str]:
    spec = ctx.spec
    asked = body.get("duplicate_check_fields") if isinstance(body, dict) else None
    allowed = (spec.dup_check, *spec.unique)
    if asked is None:
        return list(dict.fromkeys(allowed))
    if not isinstance(asked, list) or any(f not in allowed for f in asked):
        raise ZohoError(
            400,
            "INVALID_DATA",
            "invalid data",
            {"api_name": "duplicate_check_fields", "supported_values": list(allowed)},
        )
    # listed fields first; the other unique fields still count after them (not the system one)
    return list(dict.fromkeys([*asked, *(f for f in spec.unique if f != spec.dup_check)]))


def _find_match(ctx: Ctx, order: list[str], record: Any) -> tuple[Row | None, str | None]:
    emu, module = ctx.emulator, ctx.spec.api_name
    for field in order:
        value = record.get(field) if isinstance(record, dict) else None
        holder = emu.unique.holder(module, field, value)
        if holder is not None:
            return emu.modules[module].get(holder), field
    return None, None


def upsert_records(call: Call, ctx: Ctx) -> ApiResponse:
    records = _records(call, ctx.emulator.limits.max_batch)
    order = _match_order(ctx, call.json())
    first = [_find_match(ctx, order, r)[0] for r in records]
    _check_unmodified(call, ctx, [row.id for row in first if row is not None])
    results = []
    for index, record in enumerate(records):
        row, field = _find_match(ctx, order, record)  # again: earlier records may have matched
        if row is None:
            result, written = _insert_one(ctx, record, index)
            extra = {"action": "insert", "duplicate_field": None}
        else:
            result, written = _update_one(ctx, row, record, index)
            extra = {"action": "update", "duplicate_field": field}
        results.append({**result, **extra} if written else result)
    return ApiResponse({"data": results}, status_for_batch(results, 200))


def delete_records(call: Call, ctx: Ctx) -> ApiResponse:
    emu, module = ctx.emulator, ctx.spec.api_name
    path_id = call.params.get("id")
    raw = path_id if path_id is not None else call.query.get("ids")
    if not raw:
        raise ZohoError(
            400,
            "REQUIRED_PARAM_MISSING",
            "required param missing",
            {"param_name": "ids", "param": "ids"},
        )
    ids = [i.strip() for i in raw.split(",") if i.strip()]
    if len(ids) > emu.limits.max_batch:
        raise ZohoError(
            400,
            "LIMIT_EXCEEDED",
            "too many ids",
            {"param_name": "ids", "limit": emu.limits.max_batch},
        )
    results = []
    for row_id in ids:
        if row_id not in emu.modules[module]:
            message = "the id given seems to be invalid"
            results.append(record_error("INVALID_DATA", message, {"id": row_id}))
        elif emu.dice.record_fails():
            message = "cannot delete a locked record"
            results.append(record_error("RECORD_LOCKED", message, {"id": row_id}))
        else:
            emu.delete_row(module, row_id, ctx.token.user_id, permanent=False)
            results.append(
                {
                    "code": "SUCCESS",
                    "details": {"id": row_id},
                    "message": "record deleted",
                    "status": "success",
                }
            )
    return ApiResponse({"data": results}, status_for_batch(results, 200))
