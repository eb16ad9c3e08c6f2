"""Fxiaoke writes, one call per record (the Open API has no bulk create or update).

- create: search first on the entity's duplicate keys (the server promises no idempotency, so a
  retried create must find the record its lost first attempt made); found -> insert_only
  answers "already exists: link it", upsert updates the record found.
- update: `/data/update` with `_id` in `object_data`; a changed `owner` goes through
  `/data/changeOwner` (update does not move ownership).
- delete: invalidate (作废) with `/data/invalid`; the row stays with `life_status: invalid`.
"""

from __future__ import annotations

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

__all__ = ["Writer"]


class Writer:
    def __init__(self, client: HttpClient, settings: FxiaokeSettings) -> None:
        self.client = client
        self.settings = settings

    def push_one(self, kind: EntityKind, item: PushItem) -> PushResult:
        try:
            return self._write(kind, item)
        except TransientError as exc:
            return PushResult(
                item.key, PushOutcome.RETRY, item.remote_id, None, exc.code, exc.message
            )
        except RemoteError as exc:
            return PushResult(
                item.key, PushOutcome.FAILED, item.remote_id, None, exc.code, exc.message
            )

    def _write(self, kind: EntityKind, item: PushItem) -> PushResult:
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
        existing = self.find_duplicate(kind, item.payload)
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
        return PushResult(item.key, ok, self.create(kind, item.payload))

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

    def find_duplicate(self, kind: EntityKind, payload: dict[str, Any]) -> str | None:
        """The `_id` of a live record with the payload's values on a duplicate key, if any."""
        entity = FXIAOKE.entity(kind)
        for key in self.settings.keys(kind):
            values = [payload.get(field) for field in key]
            if not all(isinstance(v, str | int) and v != "" for v in values):
                continue
            filters = [query_filter(f, "EQ", v) for f, v in zip(key, values, strict=True)]
            filters.append(query_filter("life_status", "N", "invalid"))
            query = {
                "limit": 1,
                "offset": 0,
                "filters": filters,
                "orders": [{"fieldName": "create_time", "isAsc": True}],
                "fieldProjection": [entity.id_field],
            }
            body = {"data": {"dataObjectApiName": entity.path, "search_query_info": query}}
            reply = self.client.request(
                Call("POST", FXIAOKE.paths.query, json=body), priority=Priority.WRITE
            )
            rows = records_at(reply.body, entity.records_path)
            if rows:
                return str(rows[0][entity.id_field])
        return None
