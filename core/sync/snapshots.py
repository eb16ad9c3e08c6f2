"""Base snapshots: what each linked CRM holds, as of the last pull or our last write there.

A pulled version is compared with its link's base, never with the golden record. After a write
succeeds the base becomes what we wrote (merged into the previous base) with the write's
fingerprint, so pulling our own write back changes nothing (echo suppression).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.store import BaseSnapshot, Entity, Link
from core.store.base import chunked, utcnow
from core.sync.values import fingerprint, flatten, unflatten

__all__ = [
    "base_version",
    "mark_dirty",
    "mark_followers_dirty",
    "record_pulled",
    "record_written",
]


def record_pulled(
    session: Session,
    link: Link | int,
    values: Mapping[str, Any],
    modified_at: datetime | None,
    *,
    base: BaseSnapshot | None = None,
    fresh: bool = False,
    add: bool = True,
) -> BaseSnapshot:
    """The base of `link` is now `values`, the record as just pulled (canonical JSON form).
    `link`: the link or its id; `base`: the link's snapshot if the caller has it; `fresh`: the
    link is new (it has none); `add=False`: a new snapshot is not added to the session, the
    caller adds it (a page's new snapshots together: one INSERT, not one a record)."""
    link_id = link if isinstance(link, int) else link.id
    if base is None and not fresh:
        base = session.get(BaseSnapshot, link_id)
    if base is None:
        base = BaseSnapshot(link_id=link_id, values={})
        if add:
            session.add(base)
    base.values = dict(values)
    base.remote_modified_at = modified_at
    base.synced_at = utcnow()
    return base


def record_written(
    session: Session,
    link: Link,
    written: Mapping[str, Any],
    modified_at: datetime | None,
    *,
    base: BaseSnapshot | None = None,
    fresh: bool = False,
) -> BaseSnapshot:
    """Merge the field values a successful write set (by path) into the base of `link`.
    `base`: the link's snapshot if the caller has it; `fresh`: the caller knows it has none."""
    if base is None and not fresh:
        base = session.get(BaseSnapshot, link.id)
    if base is None:
        base = BaseSnapshot(link_id=link.id, values={})
        session.add(base)
    fields = flatten(base.values or {})
    for path, value in written.items():
        fields.pop(path, None)
        if value is not None:
            fields[path] = value
    base.values = unflatten(fields)
    base.write_fingerprint = fingerprint(dict(written))
    if modified_at is not None:
        base.remote_modified_at = modified_at
    base.synced_at = utcnow()
    return base


def base_version(base: BaseSnapshot) -> str:
    """Which state of the base a write is planned against. The values alone repeat (a field
    set to 40, 10, then 40 again) and would make a new write look like an old one already
    done; the time the base was last set does not."""
    synced = base.synced_at.isoformat() if base.synced_at is not None else None
    return fingerprint([base.values, synced])


def mark_dirty(session: Session, entity_ids: Iterable[uuid.UUID]) -> None:
    """The planner looks at these entities again (a link or base changed, not the golden)."""
    ids = sorted(set(entity_ids), key=str)
    if ids:
        session.execute(sa.update(Entity).where(Entity.id.in_(ids)).values(planned_version=None))


def mark_followers_dirty(session: Session, customer_ids: Iterable[uuid.UUID]) -> None:
    """The customers' contacts and opportunities are planned again: a reference that waited
    for the customer's record in a CRM can be written now. The reference is read through the
    expression index `ix_entities_customer_ref` (migration 0011), 500 customers a statement:
    without it each batch of results read the whole table (at 400,000 entities that was two
    thirds of a writer's time)."""
    wanted = sorted({str(i) for i in customer_ids})
    customer = customer_ref(session)
    followers: list[uuid.UUID] = []
    for part in chunked(wanted):
        # the reference alone in the condition: with the kind and status beside it, SQLite
        # prefers their index and reads every contact again
        rows = session.execute(
            sa.select(Entity.id, Entity.kind, Entity.status).where(customer.in_(part))
        )
        followers += [
            entity_id
            for entity_id, kind, status in rows
            if kind in ("contact", "opportunity") and status == "active"
        ]
    for ids in chunked(followers):
        session.execute(
            sa.update(Entity).where(Entity.id.in_(ids)).values(planned_version=None),
            execution_options={"synchronize_session": False},
        )


def customer_ref(session: Session) -> sa.ColumnElement[Any]:
    """The golden record's customer entity id, spelled exactly as the index is (a database
    uses an expression index only for the very same expression, with no bound parameter)."""
    if session.get_bind().dialect.name == "postgresql":
        pg_path: sa.ColumnElement[str] = sa.literal_column("'{customer,entity_id}'")
        return Entity.data.op("#>>", return_type=sa.Text)(pg_path)
    path: sa.ColumnElement[str] = sa.literal_column("'$.customer.entity_id'")
    return sa.func.json_extract(Entity.data, path, type_=sa.Text)
