"""Zoho's deleted records (`GET /{module}/deleted?type=all|recycle|permanent`) and users list."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from connectors.emulator.http import ApiResponse, Call
from connectors.zoho.emulator.context import Ctx
from connectors.zoho.emulator.envelope import ZohoError
from connectors.zoho.emulator.listing import modified_since
from connectors.zoho.emulator.render import iso
from connectors.zoho.emulator.users import USER_TYPES

__all__ = ["DeletedEntry", "count_records", "list_deleted", "list_users"]


@dataclass(slots=True)
class DeletedEntry:
    id: str
    display_name: str | None
    type: str  # recycle | permanent
    deleted_ms: int
    deleted_by: str | None  # user id
    created_by: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _paging(call: Call, max_per_page: int) -> tuple[int, int]:
    try:
        page = int(call.query.get("page", "1"))
        per_page = min(int(call.query.get("per_page", str(max_per_page))), max_per_page)
    except ValueError:
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"param_name": "page"}) from None
    if page < 1 or per_page < 1:
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"param_name": "page"})
    return page, per_page


def list_deleted(call: Call, ctx: Ctx) -> ApiResponse:
    emu = ctx.emulator
    kind = call.query.get("type", "all")
    if kind not in ("all", "recycle", "permanent"):
        details = {"param_name": "type", "expected_pattern": "all|recycle|permanent"}
        raise ZohoError(
            400, "PATTERN_NOT_MATCHED", "please check whether the input values are correct", details
        )
    page, per_page = _paging(call, emu.limits.max_per_page)
    since = modified_since(call)
    entries = [
        e
        for e in reversed(emu.deleted[ctx.spec.api_name])
        if (kind == "all" or e.type == kind) and (since is None or e.deleted_ms > since)
    ]
    if since is not None and not entries:
        return ApiResponse(None, 304)
    chunk = entries[(page - 1) * per_page : page * per_page]
    if not chunk:
        return ApiResponse(None, 204)

    def user(user_id: str | None) -> dict[str, Any] | None:
        found = emu.users.get(user_id) if user_id else None
        return found.ref(with_email=False) if found else None

    data = [
        {
            "id": e.id,
            "display_name": e.display_name,
            "type": e.type,
            "deleted_time": iso(e.deleted_ms, emu.limits.time_zone),
            "deleted_by": user(e.deleted_by),
            "created_by": user(e.created_by),
        }
        for e in chunk
    ]
    info = {
        "per_page": per_page,
        "count": len(data),
        "page": page,
        "more_records": page * per_page < len(entries),
    }
    return ApiResponse({"data": data, "info": info}, 200)


def count_records(call: Call, ctx: Ctx) -> ApiResponse:
    return ApiResponse({"count": len(ctx.emulator.modules[ctx.spec.api_name])}, 200)


def list_users(call: Call, ctx: Ctx) -> ApiResponse:
    emu = ctx.emulator
    kind = call.query.get("type", "AllUsers")
    if kind not in USER_TYPES:
        raise ZohoError(
            400,
            "INVALID_DATA",
            "invalid data",
            {"param_name": "type", "supported_values": sorted(USER_TYPES)},
        )
    page, per_page = _paging(call, emu.limits.max_per_page)
    user_id = call.params.get("id")
    test = USER_TYPES[kind]
    users = sorted(emu.users.values(), key=lambda u: u.id)
    if user_id is not None:
        users = [u for u in users if u.id == user_id]
    elif test is None:
        users = [u for u in users if u.id == ctx.token.user_id]
    else:
        users = [u for u in users if test(u)]
    chunk = users[(page - 1) * per_page : page * per_page]
    if not chunk:
        return ApiResponse(None, 204)
    info = {
        "per_page": per_page,
        "count": len(chunk),
        "page": page,
        "more_records": page * per_page < len(users),
    }
    return ApiResponse({"users": [u.as_api(emu.limits.time_zone) for u in chunk], "info": info})
