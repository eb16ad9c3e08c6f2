"""Pull one connection's entities into the store: each page's raw records and the cursor after
them in ONE transaction, so a crash at any point resumes without losing or repeating a row.

Records land in `source_records`: the raw payload and, when the connection has a field map, the
canonical record the mapping engine made of it. A record that cannot be mapped is kept raw with
status `quarantined` and one open `quarantine` row naming field, value and reason; the page goes
on. Deletions the CRM reports mark the source record `deleted`; they never touch golden records
here (that is core's job, behind the mass-delete guard).
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
from core.store import Cursor, Quarantined, Run, SourceRecord, Store
from mapping.maps import Mapper, RecordMappingError
from mapping.model import EntityKind

__all__ = ["PullCounts", "finish_run", "load_cursor", "pull_entity", "start_run"]

CHANGES = "changes"
DELETIONS = "deletions"


@dataclass
class PullCounts:
    records: int = 0
    pages: int = 0
    deletions: int = 0
    quarantined: int = 0


@dataclass
class Mapped:
    """What mapping made of one page: canonical JSON by remote id, or the error."""

    records: dict[str, dict[str, Any]]
    errors: dict[str, RecordMappingError]


def map_page(mapper: Mapper | None, kind: EntityKind, records: Sequence[RemoteRecord]) -> Mapped:
    if mapper is None or kind not in mapper.entities():
        return Mapped({}, {})
    batch = mapper.pull_batch(kind, records)
    return Mapped(
        {
            str(m.remote_id): m.record.model_dump(mode="json")
            for m in batch.mapped
            if m.remote_id is not None
        },
        {str(q.remote_id): q.error for q in batch.quarantined if q.remote_id is not None},
    )


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
    session: Session,
    connection: str,
    kind: EntityKind,
    records: Sequence[RemoteRecord],
    mapped: Mapped,
    run_id: int | None,
) -> None:
    ids = [r.remote_id for r in records]
    known = _existing(session, connection, kind, ids)
    open_quarantine = {
        q.remote_id: q
        for q in session.scalars(
            sa.select(Quarantined).where(
                Quarantined.connection == connection,
                Quarantined.kind == kind.value,
                Quarantined.status == "open",
                Quarantined.remote_id.in_(ids),
            )
        )
    }
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
        row.mapped = mapped.records.get(record.remote_id)
        row.status = "ok"
        row.fetched_at = now
        error = mapped.errors.get(record.remote_id)
        held = open_quarantine.get(record.remote_id)
        if error is None:
            if held is not None:
                held.status = "released"  # this version maps: the old failure is history
            continue
        row.status = "quarantined"
        if held is None:
            held = Quarantined(connection=connection, kind=kind.value, remote_id=record.remote_id)
            session.add(held)
        held.field = error.field
        held.value = repr(error.value)[:2000]
        held.reason = str(error)
        held.raw = raw
        held.run_id = run_id


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
    mapper: Mapper | None = None,
    run_id: int | None = None,
    on_page: Callable[[int], None] = lambda n: None,
) -> PullCounts:
    """Pull `kind` from `connector` into the store; returns what was stored."""
    counts = PullCounts()
    with store.transaction() as session:
        cursor: PullCursor | None = cursor_from_json(
            load_cursor(session, connection, kind, CHANGES)
        )
        since_data = load_cursor(session, connection, kind, DELETIONS)
    for page in connector.pull(kind, None if full else cursor, full=full):
        mapped = map_page(mapper, kind, page.records)
        with store.transaction() as session:
            _store_records(session, connection, kind, page.records, mapped, run_id)
            _save_cursor(session, connection, kind, CHANGES, cursor_to_json(page.cursor))
        counts.records += len(page.records)
        counts.quarantined += len(mapped.errors)
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
