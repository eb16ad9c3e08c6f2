"""The one protocol core talks to. Core never looks behind it (no connector module by name).

Vendor payloads stop here: a connector yields raw remote records (remote id, remote modified time,
payload as the CRM sent it) and accepts remote-shaped payloads to write; the mapping layer turns
payloads into canonical records and back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from mapping.model import EntityKind

__all__ = [
    "ConnectionCheck",
    "Connector",
    "FieldInfo",
    "Page",
    "PullCursor",
    "PushItem",
    "PushOutcome",
    "PushResult",
    "RemoteDeletion",
    "RemoteRecord",
    "RemoteUser",
    "WriteMode",
    "WriteOp",
]


@dataclass(frozen=True, slots=True)
class RemoteRecord:
    """One record as the CRM holds it."""

    remote_id: str
    modified_at: datetime | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PullCursor:
    """Incremental checkpoint: the modified-time watermark and the id tie-breaker at it.

    It moves forward only once the page it follows is committed (core stores it with the rows).
    `extra` holds connector-specific state (e.g. Zoho's page token) as JSON-safe values.
    """

    modified_since: datetime | None = None
    last_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page:
    records: list[RemoteRecord]
    # the checkpoint to store once these records are committed
    cursor: PullCursor


@dataclass(frozen=True, slots=True)
class RemoteDeletion:
    remote_id: str
    deleted_at: datetime | None
    # recycle | permanent (Zoho) | invalid (Fxiaoke 作废) | missing (not in a completed full pass)
    how: str


class WriteOp(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class WriteMode(StrEnum):
    """Named write semantics; workers execute them generically."""

    UPSERT = "upsert"  # create unless the duplicate-check field finds one, then update it
    INSERT_ONLY = "insert_only"
    UPDATE_ONLY = "update_only"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class PushItem:
    """One record to write. `key` is stable across retries (the outbox idempotency key).

    `sent_at` (creates only): an earlier push of this create began then and its answer was
    never recorded (the writer died, or the call failed in a way that does not prove the CRM
    ignored it). The record may exist: a connector whose CRM would not catch the repeat looks
    for it before creating.
    """

    key: str
    op: WriteOp
    payload: dict[str, Any]
    remote_id: str | None = None
    mode: WriteMode = WriteMode.UPSERT
    sent_at: datetime | None = None


class PushOutcome(StrEnum):
    OK = "ok"
    ALREADY_EXISTS = "already_exists"  # a duplicate-check hit: link to `remote_id`, don't create
    RETRY = "retry"  # transient: try again later
    FAILED = "failed"  # permanent: dead-letter with the remote error


@dataclass(frozen=True, slots=True)
class PushResult:
    key: str
    outcome: PushOutcome
    remote_id: str | None = None
    modified_at: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteUser:
    """A CRM user who can own records (a candidate account manager)."""

    remote_id: str
    name: str
    email: str | None
    active: bool = True


@dataclass(frozen=True, slots=True)
class FieldInfo:
    name: str
    type: str
    label: str | None = None
    custom: bool = False
    required: bool = False
    picklist: list[str] | None = None


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    ok: bool
    detail: str
    scopes: list[str] = field(default_factory=list)


class Connector(Protocol):
    """What every CRM connection offers core."""

    name: str

    def entities(self) -> list[EntityKind]: ...

    def pull(
        self, kind: EntityKind, cursor: PullCursor | None, *, full: bool = False
    ) -> Iterator[Page]:
        """Pages of records changed since `cursor` (all records when `full`), oldest first."""
        ...

    def pull_deletions(
        self, kind: EntityKind, since: datetime | None
    ) -> Iterator[list[RemoteDeletion]]: ...

    def push(self, kind: EntityKind, items: Sequence[PushItem]) -> list[PushResult]:
        """Write `items` in as few calls as the API allows; one result per item, in order."""
        ...

    def list_owners(self) -> list[RemoteUser]: ...

    def describe(self, kind: EntityKind) -> list[FieldInfo]: ...

    def check(self) -> ConnectionCheck: ...

    def close(self) -> None: ...
