"""Pull one connection's records into the store, page by page, each page in ONE transaction.

A page's raw records land in `source_records` with the canonical record the connection's
field map made of each (references and the owner annotated with the entity and owner they
mean); a record that cannot be mapped is kept raw with status `quarantined` and one open
`quarantine` row naming field, value and reason, and the page goes on. With a sync context
each mapped record is then reconciled into its golden record (`core.sync.reconcile`). The
cursor after the page is committed with it: a crash at any point resumes without losing or
repeating a row. Deletions follow the pages (`core.sync.deletes`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.incremental import cursor_from_json, cursor_to_json
from connectors.protocol import Connector, PullCursor, RemoteRecord
from core.assignment import OwnerDirectory
from core.store import Quarantined, SourceRecord, Store
from core.sync.context import ConnectionSync, SyncContext
from core.sync.cursors import CHANGES, load_cursor, mark_pass, save_cursor
from core.sync.deletes import DeleteCounts, ingest_deletions
from core.sync.hub import REF_KINDS, Refs
from core.sync.opportunities import OpportunityTwins
from core.sync.reconcile import Reconciler
from mapping.maps import Mapper, RecordMappingError
from mapping.model import EntityKind

__all__ = [
    "CHANGES",
    "PullCounts",
    "load_cursor",
    "map_page",
    "pull_entity",
    "save_cursor",
    "store_records",
]


@dataclass
class PullCounts:
    records: int = 0
    pages: int = 0
    deletions: int = 0
    quarantined: int = 0
    # what reconciling did: new, joined, parked, merged, echo, unchanged, conflicts, ...
    outcomes: Counter[str] = field(default_factory=Counter)
    deletes: DeleteCounts = field(default_factory=DeleteCounts)
    stopped: bool = False  # a stop request ended the pull between pages: the pass goes on later

    def to_data(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "pages": self.pages,
            "deletions": self.deletions,
            "quarantined": self.quarantined,
            **dict(self.outcomes),
            **self.deletes.to_data(),
        }


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


def store_records(
    session: Session,
    connection: str,
    kind: EntityKind,
    records: Sequence[RemoteRecord],
    mapped: Mapped,
    run_id: int | None,
) -> None:
    """Upsert the page's source records; quarantine (or release) by the mapping's outcome."""
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
    # new records are inserted together (one statement, not one a record); a record twice in
    # the page keeps its last version, as an update would
    fresh: dict[str, dict[str, Any]] = {}
    for record in records:
        raw = _json_safe(record.payload)
        error = mapped.errors.get(record.remote_id)
        values = {
            "raw": raw,
            "remote_modified_at": record.modified_at,
            "mapped": mapped.records.get(record.remote_id),
            "status": "ok" if error is None else "quarantined",
            "fetched_at": now,
        }
        row = known.get(record.remote_id)
        if row is None:
            fresh[record.remote_id] = {
                "connection": connection, "kind": kind.value, "remote_id": record.remote_id,
                **values,
                # None as the ORM stores it (JSON null); a bulk insert would write SQL NULL
                "mapped": sa.JSON.NULL if values["mapped"] is None else values["mapped"],
            }  # fmt: skip
        else:
            for name, value in values.items():
                setattr(row, name, value)
        held = open_quarantine.get(record.remote_id)
        if error is None:
            if held is not None:
                held.status = "released"  # this version maps: the old failure is history
            continue
        if held is None:
            held = Quarantined(connection=connection, kind=kind.value, remote_id=record.remote_id)
            session.add(held)
        held.field = error.field
        held.value = repr(error.value)[:2000]
        held.reason = str(error)
        held.raw = raw
        held.run_id = run_id
    if fresh:
        session.execute(sa.insert(SourceRecord), list(fresh.values()))


def _json_safe(value: Any) -> Any:
    """Payloads parse fractions as Decimal; the JSON column wants plain JSON (as text, exact)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _preload_refs(refs: Refs, connection: str, records: Iterable[Mapping[str, Any]]) -> None:
    for path, kind in REF_KINDS.items():
        ids = {
            str(r[path]["remote_id"])
            for r in records
            if isinstance(r.get(path), Mapping) and r[path].get("remote_id")
        }
        refs.preload(connection, kind, ids)


def _annotate(
    record: Mapping[str, Any], connection: str, refs: Refs, directory: OwnerDirectory
) -> dict[str, Any]:
    """The mapped record with the entity each reference means and the owner its user is, so
    that golden records recomputed from source records (merges) speak in entities too."""
    out = dict(record)
    for path, kind in REF_KINDS.items():
        ref = out.get(path)
        if isinstance(ref, Mapping) and ref.get("remote_id"):
            target = refs.entity_of(connection, kind, str(ref["remote_id"]))
            if target is not None:
                out[path] = {**ref, "entity_id": str(target)}
    owner = out.get("owner")
    if isinstance(owner, Mapping):
        owner_id = directory.resolve(connection, owner)
        if owner_id is not None:
            out["owner"] = {**owner, "owner_id": str(owner_id)}
    return out


def pull_entity(
    store: Store,
    connection: ConnectionSync,
    connector: Connector,
    kind: EntityKind,
    *,
    ctx: SyncContext | None = None,
    full: bool = False,
    run_id: int | None = None,
    on_page: Callable[[int], None] = lambda n: None,
    stop: threading.Event | None = None,
) -> PullCounts:
    """Pull `kind` from `connector` into the store (reconciled when `ctx` is given and the
    connection maps the kind); returns what was stored and what reconciling did.

    A `stop` request is honoured between pages: the pages read are committed with their cursor,
    the pass stays incomplete (no creates into this kind yet, no deletion check), and the next
    pull goes on from that cursor."""
    name = connection.name
    counts = PullCounts()
    reconciling = ctx is not None and connection.space(kind) is not None
    twins = OpportunityTwins()  # read once for the whole pull, when a new opportunity asks
    with store.transaction() as session:
        cursor: PullCursor | None = cursor_from_json(load_cursor(session, name, kind, CHANGES))
        directory = OwnerDirectory.load(session)
        # until this pull ends, records of this kind may be there unread: no creates there
        mark_pass(session, name, kind, complete=False, at=datetime.now(UTC))
    for page in connector.pull(kind, None if full else cursor, full=full):
        if stop is not None and stop.is_set():
            counts.stopped = True
            return counts
        if not page.records:  # it only moves the cursor on (connectors.incremental)
            with store.transaction(run_id=run_id) as session:
                save_cursor(session, name, kind, CHANGES, cursor_to_json(page.cursor))
            continue
        mapped = map_page(connection.mapper, kind, page.records)
        with store.transaction(run_id=run_id) as session:
            refs = Refs(session)
            _preload_refs(refs, name, mapped.records.values())
            for remote_id, record in mapped.records.items():
                mapped.records[remote_id] = _annotate(record, name, refs, directory)
            store_records(session, name, kind, page.records, mapped, run_id)
            if reconciling and ctx is not None:
                reconciler = Reconciler(
                    session, ctx, connection, kind, run_id=run_id, refs=refs, twins=twins
                )
                reconciler.preload([r.remote_id for r in page.records])
                for remote in page.records:
                    if remote.remote_id in mapped.records:
                        reconciler.record(remote, mapped.records[remote.remote_id])
                counts.outcomes.update(reconciler.counts)
            save_cursor(session, name, kind, CHANGES, cursor_to_json(page.cursor))
        counts.records += len(page.records)
        counts.quarantined += len(mapped.errors)
        counts.pages += 1
        on_page(len(page.records))
    policies = ctx.policies if reconciling and ctx is not None else None
    counts.deletes = ingest_deletions(
        store, name, connector, kind, policies=policies, run_id=run_id
    )
    counts.deletions = counts.deletes.seen
    with store.transaction() as session:
        mark_pass(session, name, kind, complete=True, at=datetime.now(UTC))
    return counts
