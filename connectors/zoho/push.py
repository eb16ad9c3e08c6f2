"""Zoho writes: items grouped by operation, 100 a call, one result per item in input order.

- create + upsert (or an update without a remote id) -> POST /{module}/upsert with
  `duplicate_check_fields`: a retried create finds the record it made and updates it.
- create + insert_only -> POST /{module}; `DUPLICATE_DATA` answers "already exists: link it".
- a create pushed before whose answer was lost (`sent_at`) that Zoho would not catch (an
  insert, or an upsert without a duplicate-check value): first looked for among the records
  changed since (`connectors.zoho.lookback`); found -> linked, not sent again.
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
from connectors.zoho.lookback import find_sent, has_check_value
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
    repeats = [
        i
        for op in (_Op.INSERT, _Op.UPSERT)
        for i in groups.get(op, [])
        if items[i].sent_at is not None and not _caught_by_zoho(op, items[i], settings, kind)
    ]
    if repeats:
        for i, result in zip(
            repeats, _look_back(client, settings, kind, items, repeats), strict=True
        ):
            results[i] = result
        groups = {op: [i for i in indices if results[i] is None] for op, indices in groups.items()}
    for op, indices in groups.items():
        for start in range(0, len(indices), entity.write_batch_size):
            chunk = indices[start : start + entity.write_batch_size]
            batch = [items[i] for i in chunk]
            for i, result in zip(chunk, _send(client, settings, kind, op, batch), strict=True):
                results[i] = result
    return [r for r in results if r is not None]


def _caught_by_zoho(op: _Op, item: PushItem, settings: ZohoSettings, kind: EntityKind) -> bool:
    """Whether Zoho itself finds the record if this create is sent again."""
    return op is _Op.UPSERT and has_check_value(item.payload, settings.check_fields(kind))


def _look_back(
    client: HttpClient,
    settings: ZohoSettings,
    kind: EntityKind,
    items: Sequence[PushItem],
    repeats: list[int],
) -> list[PushResult | None]:
    """Results for the repeated creates found made; None: not found, send it. When the look
    fails, none is sent: creating blind is what the look is there to prevent."""
    try:
        return find_sent(client, settings, kind, [items[i] for i in repeats])
    except TransientError as exc:
        return [_whole(items[i], PushOutcome.RETRY, exc) for i in repeats]
    except RemoteError as exc:
        return [_whole(items[i], PushOutcome.FAILED, exc) for i in repeats]


def _send(
    client: HttpClient, settings: ZohoSettings, kind: EntityKind, op: _Op, batch: list[PushItem]
) -> list[PushResult]:
    call = _call(op, ZOHO.entity(kind).path, batch, settings, kind)
    cost = 1 if op is _Op.DELETE else math.ceil(len(batch) / ZOHO.records_per_write_credit)
    # only what Zoho would not do twice is repeated blindly after a lost answer: a plain insert
    # or an upsert of a record without a duplicate-check value comes back as RETRY instead, and
    # its next push looks for the record first
    idempotent = op in (_Op.UPDATE, _Op.DELETE) or (
        op is _Op.UPSERT and all(_caught_by_zoho(op, item, settings, kind) for item in batch)
    )
    try:
        reply = client.request(call, priority=Priority.WRITE, idempotent=idempotent, cost=cost)
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
