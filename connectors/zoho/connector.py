"""The Zoho CRM connector.

Features:
- entities: customer (Accounts), contact (Contacts), opportunity (Deals); owners (/users);
  field descriptions (/settings/fields) including custom fields.
- paging: 200 a page; `page` up to 2000 records, then `page_token`; past a wall with no token
  (or an expired/mismatched token) the run re-anchors at its watermark.
- incremental: `sort_by=Modified_Time&sort_order=asc` + `If-Modified-Since` (where the last run
  said to resume: `connectors.incremental`); 304/204 end a run; rows at or past the run's
  signpost wait for the next run.
- deletes: `/{module}/deleted?type=all` (recycle bin and permanent) since a time.
- bulk: insert/update/upsert 100 records a call (`duplicate_check_fields` on upsert, `trigger`
  from settings, default none); delete 100 ids a call; per-record results incl. 207 and
  all-failed 400; `DUPLICATE_DATA` -> already exists (link to the id it names).
- limits: concurrency and credit budget (X-API-CREDITS-REMAINING read); 429 backs off
  exponentially (Zoho sends no Retry-After).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors.http import (
    DEFAULT_TABLE,
    Call,
    ConnectorError,
    PageThenTokenPaginator,
    Priority,
    RemoteError,
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
from connectors.zoho import push as zoho_push
from connectors.zoho.auth import ZohoOAuth
from connectors.zoho.quirks import error_code, modified_at, to_record
from connectors.zoho.settings import ZohoSettings
from connectors.zoho.spec import ZOHO
from mapping.model import EntityKind
from mapping.transforms.datetimes import to_iso_offset

__all__ = ["ZohoConnector"]

# Zoho times have whole seconds: re-anchoring one second back re-reads the boundary second
_SECOND = timedelta(seconds=1)


class ZohoConnector:
    """One Zoho CRM connection (implements `connectors.protocol.Connector`)."""

    def __init__(
        self,
        name: str,
        settings: ZohoSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.name = name
        self.settings = settings
        self._now = now
        hosts = settings.hosts()
        self.oauth = ZohoOAuth(
            connection=name,
            accounts_url=hosts.accounts_url,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            refresh_token=settings.refresh_token,
        )
        wiring = wire(
            name,
            hosts.api_domain,
            scheme=self.oauth,
            secrets=[settings.client_id, settings.client_secret, settings.refresh_token],
            refresh_endpoint="POST /oauth/v2/token",
            settings=settings.client,
            table=DEFAULT_TABLE.with_codes(ZOHO.error_codes),
            vendor=error_code,
            transport=transport,
            sleep=sleep,
            clock=clock,
            now=now,
            credits_header="X-API-CREDITS-REMAINING",
        )
        self.counters, self.auth, self.client = wiring.counters, wiring.auth, wiring.client

    @classmethod
    def from_connection(cls, name: str, config: ConnectionLike, **kwargs: Any) -> ZohoConnector:
        """Build from a connection config (core's `ConnectionConfig` or anything shaped so)."""
        return cls(name, ZohoSettings.model_validate(settings_data(config)), **kwargs)

    def entities(self) -> list[EntityKind]:
        return list(ZOHO.entities)

    def close(self) -> None:
        self.client.close()

    # reads

    def _list_call(self, kind: EntityKind, since: datetime | None) -> Call:
        headers = (
            {"If-Modified-Since": to_iso_offset(since, self.settings.timezone)} if since else {}
        )
        params = {
            "fields": ",".join(self.settings.fields(kind)),
            "sort_by": "Modified_Time",
            "sort_order": "asc",
        }
        return Call("GET", ZOHO.api(ZOHO.entity(kind).path), params=params, headers=headers)

    def pull(
        self, kind: EntityKind, cursor: PullCursor | None, *, full: bool = False
    ) -> Iterator[Page]:
        """Pages changed since where the last run said to resume, up to the run's start, oldest
        first; see `connectors.incremental`."""
        entity = ZOHO.entity(kind)
        signpost = signpost_at(self._now(), lag=self.settings.signpost_lag, resolution=_SECOND)
        window = Window.start(cursor, signpost=signpost, overlap=self.settings.overlap,
                              full=full, commit_lag=self.settings.commit_lag)  # fmt: skip
        priority = Priority.BACKFILL if full or cursor is None else Priority.INCREMENTAL
        since = window.lower
        while True:
            anchored_at = window.watermark
            paginator = PageThenTokenPaginator(entity.page_size, ZOHO.page_wall)
            call = self._list_call(kind, since)
            complete = False  # read up to the signpost (not stopped by the page wall)
            try:
                sent = time.monotonic()
                for rows, reply in self.client.pages(
                    call, paginator, entity.records_path, priority=priority
                ):
                    window.anchor(reply.headers.get("date"), time.monotonic() - sent)
                    records = [to_record(row) for row in rows]
                    fresh = window.take(records)
                    if fresh:
                        yield Page(fresh, window.cursor())
                    if records and window.past_signpost(records[-1]):
                        complete = True
                        break
                else:
                    complete = not paginator.walled
            except RemoteError as exc:
                if exc.code not in ZOHO.reanchor_codes:
                    raise
            if complete:
                closing = window.finish()
                if closing is not None:
                    yield closing
                return
            if window.watermark is None or window.watermark == anchored_at:
                raise RemoteError(
                    f"more than {ZOHO.page_wall} {entity.path} records share one modified "
                    "second and Zoho gave no page token to reach past them",
                    connection=self.name,
                    endpoint=call.key,
                )
            since = window.watermark - _SECOND

    def pull_deletions(
        self, kind: EntityKind, since: datetime | None
    ) -> Iterator[list[RemoteDeletion]]:
        """Deleted records (recycle bin and permanent) since `since` minus the overlap."""
        module = ZOHO.entity(kind).path
        lower = since - self.settings.overlap if since else None
        headers = (
            {"If-Modified-Since": to_iso_offset(lower, self.settings.timezone)} if lower else {}
        )
        call = Call("GET", ZOHO.api(module, "deleted"), params={"type": "all"}, headers=headers)
        paginator = PageThenTokenPaginator(200, ZOHO.page_wall)
        for rows, _ in self.client.pages(call, paginator, "data", priority=Priority.INCREMENTAL):
            batch = [
                RemoteDeletion(
                    str(row["id"]),
                    modified_at(row.get("deleted_time")),
                    str(row.get("type") or "recycle"),
                )
                for row in rows
            ]
            if batch:
                yield batch
        if paginator.walled:
            raise RemoteError(
                f"more than {ZOHO.page_wall} deletions of {module} and no page token: "
                "pull deletions more often",
                connection=self.name,
                endpoint=call.key,
            )

    def list_owners(self) -> list[RemoteUser]:
        call = Call("GET", ZOHO.api("users"), params={"type": "AllUsers"})
        owners: list[RemoteUser] = []
        paginator = PageThenTokenPaginator(200, wall=100_000)
        for rows, _ in self.client.pages(call, paginator, "users"):
            owners += [
                RemoteUser(
                    str(row["id"]),
                    str(
                        row.get("full_name")
                        or " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
                    ),
                    row.get("email") or None,
                    str(row.get("status", "active")).lower() == "active",
                )
                for row in rows
            ]
        return owners

    def describe(self, kind: EntityKind) -> list[FieldInfo]:
        call = Call(
            "GET", ZOHO.api("settings", "fields"), params={"module": ZOHO.entity(kind).path}
        )
        reply = self.client.request(call)
        rows = reply.body.get("fields", []) if isinstance(reply.body, dict) else []
        return [_field_info(row) for row in rows if isinstance(row, dict) and row.get("api_name")]

    def check(self) -> ConnectionCheck:
        """Fresh token, then one cheap read per entity and of the users: credentials and scopes."""
        self.auth.invalidate()
        try:
            for kind in self.entities():
                entity = ZOHO.entity(kind)
                self.client.request(
                    Call(
                        "GET",
                        ZOHO.api(entity.path),
                        params={"fields": entity.cursor_field, "per_page": 1},
                    )
                )
            self.client.request(Call("GET", ZOHO.api("users"), params={"type": "CurrentUser"}))
        except ConnectorError as exc:
            return ConnectionCheck(False, str(exc), self.oauth.scopes)
        token = self.auth.token
        domain = token.extra.get("api_domain") if token else None
        modules = ", ".join(ZOHO.entity(kind).path for kind in self.entities())
        api = domain or self.settings.hosts().api_domain
        detail = f"token ok (API at {api}); can read {modules} and users"
        return ConnectionCheck(True, detail, self.oauth.scopes)

    # writes

    def push(self, kind: EntityKind, items: Sequence[PushItem]) -> list[PushResult]:
        """Write in batches of 100; one result per item, in order."""
        return zoho_push.push(self.client, self.settings, kind, items)


def _field_info(row: dict[str, Any]) -> FieldInfo:
    values = row.get("pick_list_values")
    picklist = (
        [
            str(v.get("actual_value") or v.get("display_value"))
            for v in values
            if isinstance(v, dict)
        ]
        if isinstance(values, list) and values
        else None
    )
    return FieldInfo(
        name=str(row["api_name"]),
        type=str(row.get("data_type") or row.get("json_type") or "unknown"),
        label=row.get("field_label") or row.get("display_label"),
        custom=bool(row.get("custom_field")),
        required=bool(row.get("system_mandatory")),
        picklist=picklist,
    )
