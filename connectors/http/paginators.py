"""Paginators: small strategy objects. First request, update from the response, next request,
has more. The client drives them; they never send anything themselves.

- `PageThenTokenPaginator`: page numbers up to a wall of records, then the server's page token
  (Zoho: 200 a page, `page_token` past 2000 records). If the server gives no token at the wall,
  `walled` is set and the caller re-anchors at its watermark.
- `WatermarkPaginator`: offset/limit queries re-anchored at the watermark after every page
  (offset stays 0), ordered by (cursor, id); a page filled by one cursor value continues by id
  inside that value (Fxiaoke: `last_modified_time`, `_id`). Edits landing between pages cannot
  shift unread rows behind the reader, and the offset cap (10000) is never reached.
- `IdKeysetPaginator`: every row by id ascending (`_id GT last`): the full pass that finds hard
  deletes.
- `PageNumberPaginator`: page numbers in the JSON body with a total count (Fxiaoke employees).
"""

from __future__ import annotations

from typing import Any, Protocol

from connectors.http.call import Call

__all__ = [
    "IdKeysetPaginator",
    "PageNumberPaginator",
    "PageThenTokenPaginator",
    "Paginator",
    "WatermarkPaginator",
    "query_filter",
]

Row = dict[str, Any]


class Paginator(Protocol):
    has_more: bool

    def first(self, call: Call) -> Call: ...

    def update(self, body: Any, records: list[Row]) -> None: ...

    def next(self, call: Call) -> Call: ...


class PageThenTokenPaginator:
    def __init__(self, per_page: int, wall: int = 2000) -> None:
        self.per_page = per_page
        self.wall = wall
        self.page = 1
        self.token: str | None = None
        self.token_mode = False
        self.has_more = True
        self.walled = False

    def first(self, call: Call) -> Call:
        return call.without_params("page_token").with_params(page=1, per_page=self.per_page)

    def update(self, body: Any, records: list[Row]) -> None:
        info = body.get("info", {}) if isinstance(body, dict) else {}
        if not records or not info.get("more_records"):
            self.has_more = False
            return
        self.token = info.get("next_page_token") or None
        needs_token = self.token_mode or (self.page + 1) * self.per_page > self.wall
        if needs_token and self.token is None:
            # more rows exist but neither a page number nor a token reaches them
            self.has_more, self.walled = False, True

    def next(self, call: Call) -> Call:
        self.page += 1
        if self.token_mode or self.page * self.per_page > self.wall:
            self.token_mode = True
            return call.without_params("page").with_params(page_token=self.token)
        return call.with_params(page=self.page)


def _query_body(call: Call, query: dict[str, Any]) -> Call:
    body = dict(call.json or {})
    data = dict(body.get("data", {}))
    data["search_query_info"] = {**data.get("search_query_info", {}), **query}
    body["data"] = data
    return call.with_json(body)


def query_filter(field: str, operator: str, *values: Any) -> dict[str, Any]:
    """One `search_query_info` filter (values always a list): Fxiaoke-style query bodies."""
    return {"field_name": field, "field_values": list(values), "operator": operator}


class WatermarkPaginator:
    def __init__(
        self,
        *,
        cursor_field: str,
        id_field: str,
        limit: int,
        lower: int | None,
        upper: int | None,
        filters: list[dict[str, Any]] | None = None,
        projection: list[str] | None = None,
    ) -> None:
        self.cursor_field, self.id_field, self.limit = cursor_field, id_field, limit
        self.upper = upper
        self.filters = filters or []
        self.projection = projection
        self.mark: int | None = lower  # the watermark the next query starts at
        self.strict = False  # rows at `mark` are all read: continue strictly after it
        self.group_last_id: str | None = None  # paging by id inside one cursor value
        self.has_more = True

    def _query(self) -> dict[str, Any]:
        cursor, ident = self.cursor_field, self.id_field
        filters = list(self.filters)
        orders = [{"fieldName": cursor, "isAsc": True}, {"fieldName": ident, "isAsc": True}]
        if self.group_last_id is not None:
            filters += [
                query_filter(cursor, "EQ", self.mark),
                query_filter(ident, "GT", self.group_last_id),
            ]
            orders = orders[1:]
        else:
            if self.mark is not None:
                filters.append(query_filter(cursor, "GT" if self.strict else "GTE", self.mark))
            if self.upper is not None:
                filters.append(query_filter(cursor, "LT", self.upper))
        query: dict[str, Any] = {
            "limit": self.limit,
            "offset": 0,
            "filters": filters,
            "orders": orders,
        }
        if self.projection:
            query["fieldProjection"] = self.projection
        return query

    def first(self, call: Call) -> Call:
        return _query_body(call, self._query())

    def update(self, body: Any, records: list[Row]) -> None:
        full = len(records) >= self.limit
        if self.group_last_id is not None:
            if full:
                self.group_last_id = str(records[-1][self.id_field])
            else:  # the cursor value is exhausted: go on strictly after it
                self.group_last_id, self.strict = None, True
            return
        if not full:
            self.has_more = False
            return
        last = records[-1][self.cursor_field]
        if all(row.get(self.cursor_field) == last for row in records):
            # one cursor value fills the page: walk it by id, re-anchoring would not progress
            self.mark, self.group_last_id = last, str(records[-1][self.id_field])
        else:
            self.mark, self.strict = last, False

    def next(self, call: Call) -> Call:
        return _query_body(call, self._query())


class IdKeysetPaginator:
    def __init__(self, *, id_field: str, limit: int, filters: list[dict[str, Any]] | None = None):
        self.id_field, self.limit = id_field, limit
        self.filters = filters or []
        self.last_id: str | None = None
        self.has_more = True

    def _query(self) -> dict[str, Any]:
        filters = list(self.filters)
        if self.last_id is not None:
            filters.append(query_filter(self.id_field, "GT", self.last_id))
        return {
            "limit": self.limit,
            "offset": 0,
            "filters": filters,
            "orders": [{"fieldName": self.id_field, "isAsc": True}],
            "fieldProjection": [self.id_field],
        }

    def first(self, call: Call) -> Call:
        return _query_body(call, self._query())

    def update(self, body: Any, records: list[Row]) -> None:
        if len(records) < self.limit:
            self.has_more = False
        else:
            self.last_id = str(records[-1][self.id_field])

    def next(self, call: Call) -> Call:
        return _query_body(call, self._query())


class PageNumberPaginator:
    def __init__(
        self,
        *,
        size: int,
        page_key: str = "pageNumber",
        size_key: str = "pageSize",
        total_key: str = "totalCount",
    ) -> None:
        self.size, self.page_key, self.size_key, self.total_key = (
            size,
            page_key,
            size_key,
            total_key,
        )
        self.page = 1
        self.seen = 0
        self.has_more = True

    def _body(self, call: Call) -> Call:
        return call.with_json(
            {**(call.json or {}), self.page_key: self.page, self.size_key: self.size}
        )

    def first(self, call: Call) -> Call:
        return self._body(call)

    def update(self, body: Any, records: list[Row]) -> None:
        self.seen += len(records)
        total = body.get(self.total_key) if isinstance(body, dict) else None
        complete = isinstance(total, int) and self.seen >= total
        if not records or len(records) < self.size or complete:
            self.has_more = False

    def next(self, call: Call) -> Call:
        self.page += 1
        return self._body(call)
