"""The Fxiaoke (纷享销客 / ShareCRM) connector.

Features:
- entities: customer (AccountObj), contact (ContactObj), opportunity (NewOpportunityObj);
  owners (employees, `/cgi/user/get/batchByUpdTime`); field descriptions (`/object/describe`).
- paging: `/cgi/crm/v2/data/query`, 100 a page, ordered (last_modified_time, _id) ascending and
  re-anchored at the watermark after each page (offset stays 0: the 10000 offset cap is never
  reached, and edits between pages cannot shift unread rows behind the reader); a page filled
  by one timestamp continues by `_id` inside it.
- incremental: `last_modified_time` GTE (where the last run said to resume:
  `connectors.incremental`) and LT the run's signpost;
  invalidated rows are left out of pulls.
- deletes: invalidated rows (`life_status: invalid`, 作废) since a time; hard-deleted rows only
  by `sweep_missing`, a complete `_id` pass (never inferred from a partial pull).
- bulk: none in the Open API: one call per record; creates search first on duplicate keys;
  owner changes via `changeOwner`; deletes invalidate.
- limits: 100 calls / 20 s per endpoint paced by the budget, optional daily quota; errorCode in
  HTTP-200 bodies classified by the spec's table; 20016 refreshes the token once and replays.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors.fxiaoke.auth import CorpAccessToken
from connectors.fxiaoke.push import Writer
from connectors.fxiaoke.quirks import error_code, moment, to_record
from connectors.fxiaoke.settings import FxiaokeSettings
from connectors.fxiaoke.spec import FXIAOKE
from connectors.http import (
    DEFAULT_TABLE,
    Call,
    ConnectorError,
    IdKeysetPaginator,
    PageNumberPaginator,
    Priority,
    WatermarkPaginator,
    query_filter,
    wire,
)
from connectors.incremental import Window, signpost_at
from connectors.protocol import (
    ConnectionCheck,
    FieldInfo,
    Page,
    PullCursor,
    PushItem,
    PushResult,
    RemoteDeletion,
    RemoteUser,
)
from connectors.settings import ConnectionLike, settings_data
from mapping.model import EntityKind
from mapping.transforms.datetimes import to_epoch_ms

__all__ = ["FxiaokeConnector"]

# Fxiaoke times are epoch milliseconds
_MILLISECOND = timedelta(milliseconds=1)

_INACTIVE = frozenset({"stop", "stopped", "disabled", "inactive", "resigned", "2", "停用", "离职"})


class FxiaokeConnector:
    """One Fxiaoke tenant connection (implements `connectors.protocol.Connector`)."""

    def __init__(
        self,
        name: str,
        settings: FxiaokeSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.name = name
        self.settings = settings
        self._now = now
        self.token = CorpAccessToken(
            connection=name,
            base_url=settings.base_url,
            app_id=settings.app_id,
            app_secret=settings.app_secret,
            permanent_code=settings.permanent_code,
            current_open_user_id=settings.current_open_user_id,
        )
        wiring = wire(
            name,
            settings.base_url,
            scheme=self.token,
            secrets=[settings.app_id, settings.app_secret, settings.permanent_code],
            refresh_endpoint=f"POST {FXIAOKE.paths.token}",
            settings=settings.client,
            table=replace(
                DEFAULT_TABLE.with_codes(FXIAOKE.error_codes), unknown_code=FXIAOKE.unknown_code
            ),
            vendor=error_code,
            transport=transport,
            sleep=sleep,
            clock=clock,
            now=now,
        )
        self.counters, self.auth, self.client = wiring.counters, wiring.auth, wiring.client
        self.writer = Writer(self.client, settings)

    @staticmethod
    def acting_user(options: Mapping[str, Any]) -> str | None:
        """The user the API acts as (`current_open_user_id`): it may own what crmhub creates."""
        user = options.get("current_open_user_id")
        return str(user) if user else None

    @classmethod
    def from_connection(cls, name: str, config: ConnectionLike, **kwargs: Any) -> FxiaokeConnector:
        """Build from a connection config (core's `ConnectionConfig` or anything shaped so)."""
        return cls(name, FxiaokeSettings.model_validate(settings_data(config)), **kwargs)

    def entities(self) -> list[EntityKind]:
        return list(FXIAOKE.entities)

    def close(self) -> None:
        self.client.close()

    def _query(self, kind: EntityKind) -> Call:
        body = {"data": {"dataObjectApiName": FXIAOKE.entity(kind).path}}
        return Call("POST", FXIAOKE.paths.query, json=body)

    # reads

    def pull(
        self, kind: EntityKind, cursor: PullCursor | None, *, full: bool = False
    ) -> Iterator[Page]:
        """Pages of live rows changed since where the last run said to resume, up to the run's
        start, oldest first (`connectors.incremental`)."""
        entity = FXIAOKE.entity(kind)
        signpost = signpost_at(self._now(), lag=self.settings.signpost_lag, resolution=_MILLISECOND)
        window = Window.start(cursor, signpost=signpost, overlap=self.settings.overlap,
                              full=full, commit_lag=self.settings.commit_lag)  # fmt: skip
        paginator = WatermarkPaginator(
            cursor_field=entity.cursor_field,
            id_field=entity.id_field,
            limit=entity.page_size,
            lower=to_epoch_ms(window.lower) if window.lower else None,
            upper=to_epoch_ms(window.signpost),
            filters=[query_filter("life_status", "N", "invalid")],
        )
        priority = Priority.BACKFILL if full or cursor is None else Priority.INCREMENTAL
        sent = time.monotonic()
        for rows, reply in self.client.pages(
            self._query(kind), paginator, entity.records_path, priority=priority
        ):
            window.anchor(reply.headers.get("date"), time.monotonic() - sent)
            fresh = window.take([to_record(row) for row in rows])
            if fresh:
                yield Page(fresh, window.cursor())
        closing = window.finish()
        if closing is not None:
            yield closing

    def pull_deletions(
        self, kind: EntityKind, since: datetime | None
    ) -> Iterator[list[RemoteDeletion]]:
        """Rows invalidated (作废) since `since` minus the overlap, as `how="invalid"`."""
        entity = FXIAOKE.entity(kind)
        lower = since - self.settings.overlap if since else None
        paginator = WatermarkPaginator(
            cursor_field=entity.cursor_field,
            id_field=entity.id_field,
            limit=entity.page_size,
            lower=to_epoch_ms(lower) if lower else None,
            upper=None,
            filters=[query_filter("life_status", "EQ", "invalid")],
        )
        for rows, _ in self.client.pages(self._query(kind), paginator, entity.records_path):
            batch = [
                RemoteDeletion(
                    str(row[entity.id_field]),
                    moment(row.get("invalid_time")) or moment(row.get(entity.cursor_field)),
                    "invalid",
                )
                for row in rows
            ]
            if batch:
                yield batch

    def sweep_missing(self, kind: EntityKind, known_ids: Iterable[str]) -> list[RemoteDeletion]:
        """Known ids absent from a complete `_id` pass (hard-deleted), as `how="missing"`.

        Returns only after the pass finished; a failed pass raises and reports nothing."""
        entity = FXIAOKE.entity(kind)
        present: set[str] = set()
        paginator = IdKeysetPaginator(id_field=entity.id_field, limit=entity.page_size)
        for rows, _ in self.client.pages(
            self._query(kind), paginator, entity.records_path, priority=Priority.BACKFILL
        ):
            present.update(str(row[entity.id_field]) for row in rows)
        return [
            RemoteDeletion(remote_id, None, "missing")
            for remote_id in sorted(set(known_ids) - present)
        ]

    def list_owners(self) -> list[RemoteUser]:
        call = Call("POST", FXIAOKE.paths.employees, json={})
        paginator = PageNumberPaginator(size=FXIAOKE.employees_page_size)
        owners: list[RemoteUser] = []
        # public clients read `employees`; some documents name the list `empList`
        for rows, _ in self.client.pages(call, paginator, "employees|empList"):
            owners += [_employee(row) for row in rows if row.get("openUserId")]
        return owners

    def describe(self, kind: EntityKind) -> list[FieldInfo]:
        call = Call(
            "POST",
            FXIAOKE.paths.describe,
            json={"apiName": FXIAOKE.entity(kind).path, "includeDetail": False},
        )
        reply = self.client.request(call)
        describe = (reply.body or {}).get("data", {}).get("describe", {})
        fields = describe.get("fields", {}) if isinstance(describe, dict) else {}
        if isinstance(fields, dict):
            fields = [{"api_name": name, **spec} for name, spec in fields.items()]
        return [_field_info(row) for row in fields if isinstance(row, dict)]

    def check(self) -> ConnectionCheck:
        """Fresh token, then one one-row query per entity and one employee page."""
        self.auth.invalidate()
        try:
            for kind in self.entities():
                query = {"limit": 1, "offset": 0, "filters": [], "orders": []}
                body = {
                    "data": {
                        "dataObjectApiName": FXIAOKE.entity(kind).path,
                        "search_query_info": query,
                    }
                }
                self.client.request(Call("POST", FXIAOKE.paths.query, json=body))
                self.client.request(
                    Call("POST", FXIAOKE.paths.employees, json={"pageNumber": 1, "pageSize": 1})
                )
        except ConnectorError as exc:
            return ConnectionCheck(False, str(exc))
        objects = ", ".join(FXIAOKE.entity(kind).path for kind in self.entities())
        user = self.settings.current_open_user_id
        return ConnectionCheck(True, f"token ok; {user} can query {objects} and employees")

    # writes

    def push(self, kind: EntityKind, items: Sequence[PushItem]) -> list[PushResult]:
        """One call per record (creates searched first, in bulk); one result per item, in order."""
        return self.writer.push(kind, list(items))


def _employee(row: dict[str, Any]) -> RemoteUser:
    status = str(row.get("status") or "").strip().lower()
    active = row.get("isStop") is not True and status not in _INACTIVE
    return RemoteUser(
        str(row["openUserId"]),
        str(row.get("name") or row.get("fullName") or ""),
        row.get("email") or None,
        active,
    )


def _field_info(row: dict[str, Any]) -> FieldInfo:
    name = str(row.get("api_name") or "")
    options = row.get("options")
    picklist = (
        [str(o.get("value")) for o in options if isinstance(o, dict) and "value" in o]
        if isinstance(options, list) and options
        else None
    )
    return FieldInfo(
        name=name,
        type=str(row.get("type") or "unknown"),
        label=row.get("label"),
        custom=name.endswith("__c") or row.get("define_type") == "custom",
        required=bool(row.get("is_required")),
        picklist=picklist,
    )
