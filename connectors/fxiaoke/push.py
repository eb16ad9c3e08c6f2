"""Fxiaoke writes, one call per record (the Open API has no bulk create or update).

- create: search first on the entity's duplicate keys (the server promises no idempotency, so a
  retried create must find the record its lost first attempt made); found -> insert_only
  answers "already exists: link it", upsert updates the record found. Single-field keys of a
  whole push are searched up front with `IN` (one query per 100 values), so a create costs one
  call, not two.
- update: `/data/update` with `_id` in `object_data`; a changed `owner` goes through
  `/data/changeOwner` (update does not move ownership).
- delete: invalidate (作废) with `/data/invalid`; the row stays with `life_status: invalid`.

One call per record at ~100 ms is slow, so a push writes several records at once (as many as
the connection's budget has concurrency slots). Items that share a remote id or a
duplicate-key value go in one lane, one after another in push order: a twin's search must see
the record its elder created, and two writes to one record never overlap.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from connectors.fxiaoke.settings import FxiaokeSettings
from connectors.fxiaoke.spec import FXIAOKE
from connectors.http import (
    Call,
    HttpClient,
    Priority,
    RemoteError,
    TransientError,
    query_filter,
    records_at,
)
from connectors.protocol import PushItem, PushOutcome, PushResult, WriteMode, WriteOp
from mapping.model import EntityKind

__all__ = ["Lookup", "Writer"]

# values per `IN` search; a full page means "maybe more": those values are searched one by one
_IN_CHUNK = 50


class Lookup:
    """Answers of duplicate-key searches made for a push: (field, value) -> `_id` or None."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, Any], str | None] = {}

    def known(self, field: str, value: Any) -> bool:
        return (field, value) in self.answers

    def learn(self, field: str, value: Any, remote_id: str | None) -> None:
        if remote_id is not None or (field, value) not in self.answers:
            self.answers[(field, value)] = remote_id


def _usable(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and value != ""


class Writer:
    def __init__(self, client: HttpClient, settings: FxiaokeSettings) -> None:
        self.client = client
        self.settings = settings

    def push(self, kind: EntityKind, items: list[PushItem]) -> list[PushResult]:
        lookup = Lookup()
        creates = [i for i in items if i.op is not WriteOp.DELETE and not i.remote_id]
        # if this fails, each create searches on its own (and reports RETRY if that fails too)
        with suppress(TransientError):
            self.prefetch(kind, [i.payload for i in creates], lookup)
        lanes = self.lanes(kind, items)
        workers = min(self.client.budget.settings.concurrency, len(lanes))
        if workers <= 1:
            return [self.push_one(kind, item, lookup) for item in items]
        results: dict[int, PushResult] = {}

        def run(lane: list[int]) -> None:
            # lanes share `lookup` but never one of its keys (a key's items are in one lane)
            for index in lane:
                results[index] = self.push_one(kind, items[index], lookup)

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fxiaoke-push") as pool:
            for done in [pool.submit(run, lane) for lane in lanes]:
                done.result()
        return [results[index] for index in range(len(items))]

    def _tokens(self, kind: EntityKind, item: PushItem) -> Iterator[Hashable]:
        """What an item's write depends on: its remote id and its duplicate-key values."""
        if item.remote_id:
            yield ("id", item.remote_id)
        if item.op is WriteOp.DELETE:
            return
        for key in self.settings.keys(kind):
            values = tuple(item.payload.get(field) for field in key)
            if all(_usable(v) for v in values):
                yield ("key", tuple(key), values)

    def lanes(self, kind: EntityKind, items: list[PushItem]) -> list[list[int]]:
        """Item indexes grouped so that items sharing a token share a lane, in push order."""
        parent = list(range(len(items)))

        def root(index: int) -> int:
            while parent[index] != index:
                index = parent[index]
            return index

        first: dict[Hashable, int] = {}
        for index, item in enumerate(items):
            for token in self._tokens(kind, item):
                parent[root(index)] = root(first.setdefault(token, index))
        lanes: dict[int, list[int]] = {}
        for index in range(len(items)):
            lanes.setdefault(root(index), []).append(index)
        return list(lanes.values())

    def push_one(
        self, kind: EntityKind, item: PushItem, lookup: Lookup | None = None
    ) -> PushResult:
        try:
            return self._write(kind, item, lookup or Lookup())
        except TransientError as exc:
            return PushResult(
                item.key, PushOutcome.RETRY, item.remote_id, None, exc.code, exc.message
            )
        except RemoteError as exc:
            return PushResult(
                item.key, PushOutcome.FAILED, item.remote_id, None, exc.code, exc.message
            )

    def _write(self, kind: EntityKind, item: PushItem, lookup: Lookup) -> PushResult:
        ok = PushOutcome.OK
        if item.mode is WriteMode.SKIP:
            return PushResult(item.key, ok, item.remote_id, error_message="skipped")
        if item.op is WriteOp.DELETE:
            if not item.remote_id:
                return PushResult(
                    item.key, PushOutcome.FAILED, error_message="delete without a remote id"
                )
            self.invalidate(kind, item.remote_id)
            return PushResult(item.key, ok, item.remote_id)
        if item.remote_id and item.mode is not WriteMode.INSERT_ONLY:
            self.update(kind, item.remote_id, item.payload)
            return PushResult(item.key, ok, item.remote_id)
        if item.mode is WriteMode.UPDATE_ONLY or (
            item.op is WriteOp.UPDATE and item.mode is not WriteMode.UPSERT
        ):
            message = f"{item.op} in mode {item.mode} needs a remote id"
            return PushResult(item.key, PushOutcome.FAILED, error_message=message)
        existing = self.find_duplicate(kind, item.payload, lookup)
        if existing is not None:
            if item.mode is WriteMode.INSERT_ONLY:
                return PushResult(
                    item.key,
                    PushOutcome.ALREADY_EXISTS,
                    existing,
                    None,
                    "DUPLICATE",
                    "found by duplicate key",
                )
            self.update(kind, existing, item.payload)
            return PushResult(item.key, ok, existing)
        created = self.create(kind, item.payload)
        for key in self.settings.keys(kind):
            if len(key) == 1 and _usable(item.payload.get(key[0])):
                lookup.learn(key[0], item.payload[key[0]], created)  # a twin later in the push
        return PushResult(item.key, ok, created)

    def _object(self, kind: EntityKind, payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "dataObjectApiName": FXIAOKE.entity(kind).path}

    def create(self, kind: EntityKind, payload: dict[str, Any]) -> str:
        body = {
            "triggerWorkFlow": self.settings.trigger_workflow,
            "data": {"object_data": self._object(kind, payload)},
        }
        # not idempotent: repeated only when the server certainly did not process it
        reply = self.client.request(
            Call("POST", FXIAOKE.paths.create, json=body), priority=Priority.WRITE, idempotent=False
        )
        data_id = reply.body.get("dataId") if isinstance(reply.body, dict) else None
        if not data_id:
            raise RemoteError("create answered without a dataId", endpoint=FXIAOKE.paths.create)
        return str(data_id)

    def update(self, kind: EntityKind, remote_id: str, payload: dict[str, Any]) -> None:
        fields = {k: v for k, v in payload.items() if k not in ("owner", "_id")}
        if fields:
            body = {
                "triggerWorkFlow": self.settings.trigger_workflow,
                "data": {"object_data": {**self._object(kind, fields), "_id": remote_id}},
            }
            self.client.request(
                Call("POST", FXIAOKE.paths.update, json=body), priority=Priority.WRITE
            )
        if payload.get("owner"):
            owner = payload["owner"]
            self.change_owner(kind, remote_id, owner if isinstance(owner, list) else [owner])

    def change_owner(self, kind: EntityKind, remote_id: str, owner: list[str]) -> None:
        body = {
            "data": {
                "dataObjectApiName": FXIAOKE.entity(kind).path,
                "Data": [{"objectDataId": remote_id, "ownerId": owner}],
            }
        }
        self.client.request(
            Call("POST", FXIAOKE.paths.change_owner, json=body), priority=Priority.WRITE
        )

    def invalidate(self, kind: EntityKind, remote_id: str) -> None:
        body = {
            "data": {"dataObjectApiName": FXIAOKE.entity(kind).path, "object_data_id": remote_id}
        }
        self.client.request(Call("POST", FXIAOKE.paths.invalid, json=body), priority=Priority.WRITE)

    def _search(
        self, kind: EntityKind, filters: list[dict[str, Any]], projection: list[str], limit: int
    ) -> list[dict[str, Any]]:
        entity = FXIAOKE.entity(kind)
        query = {
            "limit": limit,
            "offset": 0,
            "filters": [*filters, query_filter("life_status", "N", "invalid")],
            "orders": [{"fieldName": "create_time", "isAsc": True}],
            "fieldProjection": [entity.id_field, *projection],
        }
        body = {"data": {"dataObjectApiName": entity.path, "search_query_info": query}}
        reply = self.client.request(
            Call("POST", FXIAOKE.paths.query, json=body), priority=Priority.WRITE
        )
        return records_at(reply.body, entity.records_path)

    def prefetch(self, kind: EntityKind, payloads: list[dict[str, Any]], lookup: Lookup) -> None:
        """Search every single-field duplicate key of `payloads` with `IN`, 50 values a call."""
        id_field = FXIAOKE.entity(kind).id_field
        for key in self.settings.keys(kind):
            if len(key) != 1:
                continue
            field = key[0]
            values = list(dict.fromkeys(p[field] for p in payloads if _usable(p.get(field))))
            for start in range(0, len(values), _IN_CHUNK):
                chunk = values[start : start + _IN_CHUNK]
                rows = self._search(kind, [query_filter(field, "IN", *chunk)], [field], 100)
                if len(rows) >= 100:
                    continue  # maybe more than a page: leave these to the one-by-one search
                for row in rows:
                    lookup.learn(field, row.get(field), str(row[id_field]))
                for value in chunk:
                    lookup.learn(field, value, None)

    def find_duplicate(
        self, kind: EntityKind, payload: dict[str, Any], lookup: Lookup | None = None
    ) -> str | None:
        """The `_id` of a live record with the payload's values on a duplicate key, if any."""
        lookup = lookup or Lookup()
        id_field = FXIAOKE.entity(kind).id_field
        for key in self.settings.keys(kind):
            values = [payload.get(field) for field in key]
            if not all(_usable(v) for v in values):
                continue
            if len(key) == 1 and lookup.known(key[0], values[0]):
                found = lookup.answers[(key[0], values[0])]
                if found is not None:
                    return found
                continue
            filters = [query_filter(f, "EQ", v) for f, v in zip(key, values, strict=True)]
            rows = self._search(kind, filters, [], 1)
            if rows:
                return str(rows[0][id_field])
        return None
