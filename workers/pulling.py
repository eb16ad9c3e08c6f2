"""Pull one connection's entities into the store: each page's raw records and the cursor after
them in ONE transaction, so a crash at any point resumes without losing or repeating a row.

Records land in `source_records` (raw payload; `mapped` stays empty until the mapping engine is
wired in). Deletions the CRM reports mark the source record `deleted`; they never touch golden
records here (that is core's job, behind the mass-delete guard).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.incremental import cursor_from_json, cursor_to_json
from connectors.protocol import Connector, PullCursor, RemoteDeletion, RemoteRecord
from core.store import Cursor, Run, SourceRecord, Store
from mapping.model import EntityKind

__all__ = ["PullCounts", "finish_run", "load_cursor", "pull_entity", "start_run"]

CHANGES = "changes"
DELETIONS = "deletions"


@dataclass
class PullCounts:
    records: int = 0
    pages: int = 0
    deletions: int = 0


def load_cursor(
    session: Session, connection: str, kind: EntityKind, stream: str
) -> dict[str, Any] | None:
    row = session.get(Cursor, (connection, kind.value, stream))
    return dict(row.value) if row is not None else None


def _save_cursor(
    session: Session, connection: str, kind: EntityKind, stream: str, value: dict[str, Any]
) -> None:
    row = session.get(Cursor, (connection, kind.value, stream))
    if row is None:
        session.add(Cursor(connection=connection, kind=kind.value, stream=stream, value=value))
    else:
        row.value = value


def _existing(
    session: Session, connection: str, kind: EntityKind, remote_ids: Sequence[str]
) -> dict[str, SourceRecord]:
    rows = session.scalars(
        sa.select(SourceRecord).where(
            SourceRecord.connection == connection,
            SourceRecord.kind == kind.value,
            SourceRecord.remote_id.in_(remote_ids),
        )
    )
    return {row.remote_id: row for row in rows}


def _store_records(
    session: Session, connection: str, kind: EntityKind, records: Sequence[RemoteRecord]
) -> None:
    known = _existing(session, connection, kind, [r.remote_id for r in records])
    now = datetime.now(UTC)
    for record in records:
        raw = _json_safe(record.payload)
        row = known.get(record.remote_id)
        if row is None:
            row = SourceRecord(connection=connection, kind=kind.value, remote_id=record.remote_id)
            session.add(row)
            known[record.remote_id] = row
        row.raw = raw
        row.remote_modified_at = record.modified_at
        row.mapped = None
        row.status = "ok"
        row.fetched_at = now


def _mark_deleted(
    session: Session, connection: str, kind: EntityKind, deletions: Sequence[RemoteDeletion]
) -> None:
    known = _existing(session, connection, kind, [d.remote_id for d in deletions])
    for deletion in deletions:
        row = known.get(deletion.remote_id)
        if row is not None:
            row.status = "deleted"


def _json_safe(value: Any) -> Any:
    """Payloads parse fractions as Decimal; the JSON column wants plain JSON (as text, exact)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def pull_entity(
    store: Store,
    connection: str,
    connector: Connector,
    kind: EntityKind,
    *,
    full: bool = False,
    on_page: Callable[[int], None] = lambda n: None,
) -> PullCounts:
    counts = PullCounts()
    with store.transaction() as session:
        cursor: PullCursor | None = cursor_from_json(
            load_cursor(session, connection, kind, CHANGES)
        )
        since_data = load_cursor(session, connection, kind, DELETIONS)
    for page in connector.pull(kind, None if full else cursor, full=full):
        with store.transaction() as session:
            _store_records(session, connection, kind, page.records)
            _save_cursor(session, connection, kind, CHANGES, cursor_to_json(page.cursor))
        counts.records += len(page.records)
        counts.pages += 1
        on_page(len(page.records))
    since = since_data.get("deleted_since") if since_data else None
    latest = datetime.fromisoformat(since) if since else None
    for batch in connector.pull_deletions(kind, latest):
        stamps = [d.deleted_at for d in batch if d.deleted_at is not None]
        if stamps and (latest is None or max(stamps) > latest):
            latest = max(stamps)
        with store.transaction() as session:
            _mark_deleted(session, connection, kind, batch)
            if latest is not None:
                _save_cursor(
                    session, connection, kind, DELETIONS, {"deleted_since": latest.isoformat()}
                )
        counts.deletions += len(batch)
    return counts


def start_run(store: Store, connection: str) -> int:
    with store.transaction() as session:
        run = Run(kind="pull", connection=connection, status="running", counts={})
        session.add(run)
        session.flush()
        return run.id


def finish_run(store: Store, run_id: int, counts: dict[str, Any], error: str | None = None) -> None:
    with store.transaction() as session:
        run = session.get(Run, run_id)
        if run is not None:
            run.status = "failed" if error else "ok"
            run.finished_at = datetime.now(UTC)
            run.counts = counts
            run.error = error
