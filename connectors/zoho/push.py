"""Zoho writes: items grouped by operation, 100 a call, one result per item in input order.

- create + upsert (or an update without a remote id) -> POST /{module}/upsert with
  `duplicate_check_fields`: a retried create finds the record it made and updates it.
- create + insert_only -> POST /{module}; `DUPLICATE_DATA` answers "already exists: link it".
- update with a remote id -> PUT /{module} (each record carries its `id`).
- delete -> DELETE /{module}?ids=...
- `trigger` (which Zoho automation runs) is the connection's setting; default none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from connectors.http.budget import Priority
from connectors.http.call import Call
from connectors.http.client import HttpClient
from connectors.http.errors import RemoteError, TransientError
from connectors.protocol import PushItem, PushOutcome, PushResult, WriteMode, WriteOp
from connectors.zoho.quirks import record_result
from connectors.zoho.settings import ZohoSettings
from connectors.zoho.spec import ZOHO
from mapping.model import EntityKind

__all__ = ["push"]


class _Op(StrEnum):
    UPSERT = "upsert"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


def _route(item: PushItem) -> _Op | PushResult:
    """The operation an item needs, or its result when it needs none."""
    if item.mode is WriteMode.SKIP:
        return PushResult(item.key, PushOutcome.OK, item.remote_id, error_message="skipped")
    if item.op is WriteOp.DELETE:
        return _Op.DELETE if item.remote_id else _failed(item, "delete without a remote id")
    if item.remote_id and item.mode is not WriteMode.INSERT_ONLY:
        return _Op.UPDATE
    if item.op is WriteOp.CREATE and item.mode is WriteMode.INSERT_ONLY:
        return _Op.INSERT
    if item.mode is WriteMode.UPSERT:
        return _Op.UPSERT
    return _failed(item, f"{item.op} in mode {item.mode} is not a write Zoho can make")


def _failed(item: PushItem, message: str) -> PushResult:
    return PushResult(item.key, PushOutcome.FAILED, item.remote_id, error_message=message)


def _call(
    op: _Op, module: str, batch: list[PushItem], settings: ZohoSettings, kind: EntityKind
) -> Call:
    if op is _Op.DELETE:
        params = {
            "ids": ",".join(item.remote_id or "" for item in batch),
            "wf_trigger": "true" if "workflow" in settings.trigger else "false",
        }
        return Call("DELETE", ZOHO.api(module), params=params)
    records: list[dict[str, Any]] = []
    for item in batch:
        record = dict(item.payload)
        if op is _Op.UPDATE:
            record["id"] = item.remote_id
        records.append(record)
    body: dict[str, Any] = {"data": records, "trigger": list(settings.trigger)}
    if op is _Op.UPSERT:
        body["duplicate_check_fields"] = settings.check_fields(kind)
        return Call("POST", ZOHO.api(module, "upsert"), json=body)
    return Call("PUT" if op is _Op.UPDATE else "POST", ZOHO.api(module), json=body)


def push(
    client: HttpClient, settings: ZohoSettings, kind: EntityKind, items: Sequence[PushItem]
) -> list[PushResult]:
    entity = ZOHO.entity(kind)
    results: list[PushResult | None] = [None] * len(items)
    groups: dict[_Op, list[int]] = {}
    for index, item in enumerate(items):
        routed = _route(item)
        if isinstance(routed, PushResult):
            results[index] = routed
        else:
            groups.setdefault(routed, []).append(index)
    for op, indices in groups.items():
        for start in range(0, len(indices), entity.write_batch_size):
            chunk = indices[start : start + entity.write_batch_size]
            batch = [items[i] for i in chunk]
            for i, result in zip(chunk, _send(client, settings, kind, op, batch), strict=True):
                results[i] = result
    return [r for r in results if r is not None]


def _send(
    client: HttpClient, settings: ZohoSettings, kind: EntityKind, op: _Op, batch: list[PushItem]
) -> list[PushResult]:
    call = _call(op, ZOHO.entity(kind).path, batch, settings, kind)
    cost = 1 if op is _Op.DELETE else math.ceil(len(batch) / ZOHO.records_per_write_credit)
    try:
        # a plain insert repeated after a lost answer would be refused as a duplicate at best:
        # only the idempotent operations are retried blindly
        reply = client.request(
            call, priority=Priority.WRITE, idempotent=op is not _Op.INSERT, cost=cost
        )
    except TransientError as exc:
        return [_whole(item, PushOutcome.RETRY, exc) for item in batch]
    except RemoteError as exc:
        return [_whole(item, PushOutcome.FAILED, exc) for item in batch]
    data = reply.body.get("data") if isinstance(reply.body, dict) else None
    if not isinstance(data, list) or len(data) != len(batch):
        message = f"answer has {len(data) if isinstance(data, list) else 'no'} results"
        return [
            PushResult(item.key, PushOutcome.FAILED, item.remote_id, error_message=message)
            for item in batch
        ]
    return [
        _with_id(record_result(item.key, entry, deleting=op is _Op.DELETE), item)
        for item, entry in zip(batch, data, strict=True)
    ]


def _with_id(result: PushResult, item: PushItem) -> PushResult:
    if result.remote_id is None and item.remote_id and result.outcome is PushOutcome.OK:
        return PushResult(
            result.key, result.outcome, item.remote_id, result.modified_at,
            result.error_code, result.error_message,
        )  # fmt: skip
    return result


def _whole(item: PushItem, outcome: PushOutcome, exc: TransientError | RemoteError) -> PushResult:
    return PushResult(item.key, outcome, item.remote_id, None, exc.code, exc.message)
