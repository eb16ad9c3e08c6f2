"""Reading Zoho records: list with `fields`, the 2000-record wall and `page_token`, get by id.

UNCONFIRMED choices (the reference could not pin them): `per_page` above 200 is clamped to 200;
`If-Modified-Since` returns records modified strictly after it; unknown names in `fields` are
ignored; a page token is bound to every query parameter and to `If-Modified-Since`; a missing
record on `GET /{module}/{id}` is 204 (the newer behaviour).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from connectors.emulator.http import ApiResponse, Call
from connectors.emulator.store import Bound, IndexName, Row
from connectors.zoho.emulator.context import Ctx
from connectors.zoho.emulator.envelope import ZohoError
from connectors.zoho.emulator.render import iso, parse_iso_ms

__all__ = ["PageTokens", "get_record", "list_records", "modified_since"]

SORTS: dict[str, IndexName] = {"id": "id", "Created_Time": "created", "Modified_Time": "modified"}


@dataclass(frozen=True, slots=True)
class PageToken:
    signature: tuple[tuple[str, str], ...]
    offset: int
    user_id: str
    expires_at: float


class PageTokens:
    def __init__(self) -> None:
        self.tokens: dict[str, PageToken] = {}

    def issue(self, token: PageToken, now: float) -> str:
        if len(self.tokens) > 50_000:
            self.tokens = {k: t for k, t in self.tokens.items() if t.expires_at > now}
        value = secrets.token_hex(40)
        self.tokens[value] = token
        return value


def _invalid_param(name: str, message: str = "invalid data") -> ZohoError:
    return ZohoError(400, "INVALID_DATA", message, {"param_name": name})


def _int_param(call: Call, name: str, default: int) -> int:
    raw = call.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _invalid_param(name) from None
    if value < 1:
        raise _invalid_param(name)
    return value


def modified_since(call: Call) -> int | None:
    raw = call.headers.get("if-modified-since")
    if raw is None:
        return None
    try:
        return parse_iso_ms(raw)
    except ValueError:
        raise ZohoError(
            400, "INVALID_DATA", "invalid data", {"header_name": "If-Modified-Since"}
        ) from None


def _fields(ctx: Ctx, call: Call, required: bool) -> list[str] | None:
    raw = call.query.get("fields")
    if raw is None or not raw.strip():
        if required:
            raise ZohoError(
                400,
                "REQUIRED_PARAM_MISSING",
                "required param missing",
                {"param_name": "fields", "param": "fields"},
            )
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    limit = ctx.emulator.limits.max_fields
    if len(names) > limit:
        raise ZohoError(
            400,
            "LIMIT_EXCEEDED",
            f"more than {limit} fields requested",
            {"param_name": "fields", "limit": limit},
        )
    return names


def list_records(call: Call, ctx: Ctx) -> ApiResponse:
    emu, spec = ctx.emulator, ctx.spec
    limits = emu.limits
    if "ids" in call.query:
        return _by_ids(call, ctx, call.query["ids"].split(","))
    fields = _fields(ctx, call, required=True)
    if "page_token" in call.query and "page" in call.query:
        raise ZohoError(
            400,
            "AMBIGUITY_DURING_PROCESSING",
            "ambiguity in params",
            {"ambiguity_due_to": ["page", "page_token"]},
        )
    if "cvid" in call.query and "sort_by" in call.query:
        raise ZohoError(
            400,
            "AMBIGUITY_DURING_PROCESSING",
            "ambiguity in params",
            {"ambiguity_due_to": ["cvid", "sort_by"]},
        )
    sort_by = call.query.get("sort_by", "id")
    sort_order = call.query.get("sort_order", "desc")
    if sort_by not in SORTS:
        raise _invalid_param("sort_by")
    if sort_order not in ("asc", "desc"):
        raise _invalid_param("sort_order")
    per_page = min(_int_param(call, "per_page", limits.max_per_page), limits.max_per_page)
    since = modified_since(call)
    signature = tuple(
        sorted(
            [(k, v) for k, v in call.query.multi_items() if k not in ("page_token", "page")]
            + [("If-Modified-Since", call.headers.get("if-modified-since", ""))]
        )
    )
    now = emu.clock.now()
    previous = call.query.get("page_token")
    if previous is not None:
        found = emu.page_tokens.tokens.get(previous)
        if found is None or found.user_id != ctx.token.user_id:
            raise _invalid_param("page_token")
        if found.expires_at <= now:
            raise ZohoError(
                400, "EXPIRED_VALUE", "the page token has expired", {"param_name": "page_token"}
            )
        if found.signature != signature:
            raise ZohoError(
                400,
                "TOKEN_BOUND_DATA_MISMATCH",
                "token bound data mismatch",
                {"param_name": "page_token"},
            )
        offset = found.offset
        if offset >= limits.page_token_cap:
            raise ZohoError(
                400,
                "PAGINATION_LIMIT_EXCEEDED",
                "pagination limit exceeded",
                {"limit": limits.page_token_cap},
            )
    else:
        page = _int_param(call, "page", 1)
        if page * per_page > limits.page_wall:
            message = f"use page_token to fetch more than {limits.page_wall} records"
            raise ZohoError(
                400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED", message, {"limit": limits.page_wall}
            )
        offset = (page - 1) * per_page
    index = SORTS[sort_by]
    store = emu.modules[spec.api_name]
    take = min(per_page, max(0, limits.page_token_cap - offset))
    if since is not None and index == "modified":
        rows, total = store.select(
            index,
            descending=sort_order == "desc",
            lower=Bound(since, inclusive=False),
            offset=offset,
            limit=take,
        )
    elif since is not None:
        rows, total = store.select(
            index,
            descending=sort_order == "desc",
            where=lambda r: r.modified > since,
            where_key=("modified_after", since),
            offset=offset,
            limit=take,
        )
    else:
        rows, total = store.select(
            index, descending=sort_order == "desc", offset=offset, limit=take
        )
    if since is not None and total == 0:
        return ApiResponse(None, 304)
    if not rows:
        return ApiResponse(None, 204)
    more = offset + len(rows) < total
    info: dict[str, Any] = {
        "per_page": per_page,
        "count": len(rows),
        "page": offset // per_page + 1,
        "sort_by": sort_by,
        "sort_order": sort_order,
        "more_records": more,
        "next_page_token": None,
        "previous_page_token": previous,
        "page_token_expiry": None,
        "call": False,
        "email": False,
    }
    if more:
        expires = now + limits.page_token_ttl_s
        token = PageToken(signature, offset + len(rows), ctx.token.user_id, expires)
        info["next_page_token"] = emu.page_tokens.issue(token, now)
        info["page_token_expiry"] = iso(int(expires * 1000), limits.time_zone)
    data = [emu.renderer.record(spec.api_name, r, fields) for r in rows]
    return ApiResponse({"data": data, "info": info}, 200)


def _by_ids(call: Call, ctx: Ctx, ids: list[str]) -> ApiResponse:
    emu, spec = ctx.emulator, ctx.spec
    fields = _fields(ctx, call, required=False)
    store = emu.modules[spec.api_name]
    rows: list[Row] = [r for i in ids if (r := store.get(i.strip())) is not None]
    if not rows:
        return ApiResponse(None, 204)
    data = [emu.renderer.record(spec.api_name, r, fields) for r in rows]
    info = {"per_page": len(data), "count": len(data), "page": 1, "more_records": False}
    return ApiResponse({"data": data, "info": info}, 200)


def get_record(call: Call, ctx: Ctx) -> ApiResponse:
    emu, spec = ctx.emulator, ctx.spec
    fields = _fields(ctx, call, required=False)
    row = emu.modules[spec.api_name].get(call.params["id"])
    since = modified_since(call)
    if row is None:
        return ApiResponse(None, 204)
    if since is not None and row.modified <= since:
        return ApiResponse(None, 304)
    record = emu.renderer.record(spec.api_name, row, fields)
    return ApiResponse({"data": [record]}, 200)
