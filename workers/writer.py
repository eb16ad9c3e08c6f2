"""Writers: push a batch of outbox items through their connectors and commit the results.

For each connection and kind, items go in chunks of at most `MAX_BATCH` (Zoho takes 100 a
call; the connector splits further where its API needs it). The CRM is called outside any
database transaction; the results are applied (through the sync engine's
`apply_push_results`) in one transaction afterwards, on a fresh read of the items, so an item
finished meanwhile (a repeated message) is ignored. A crash before that commit leaves the items
published: the relay publishes them again. Creates are marked as sent in a commit of their own
before the call (`mark_sent`), so the repeat says it is one and the connector finds the record
the first attempt made (Zoho: upsert on a duplicate-check value, else a look back over the
records changed since; Fxiaoke: search before every create) instead of making a second.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from connectors.http import ConnectorError
from connectors.protocol import Connector, PushOutcome, PushResult
from core.store import OutboxItem, Store
from core.store.base import utcnow
from core.sync.results import (
    apply_push_results,
    has_unsent_creates,
    mark_sent,
    push_items,
)
from mapping.model import EntityKind
from workers.budget import WriteBudgets
from workers.failpoints import Failpoints
from workers.relay import LIVE
from workers.transactions import write_transaction

__all__ = ["MAX_BATCH", "BatchCounts", "ConnectorPool", "Writer"]

MAX_BATCH = 100
log = logging.getLogger("crmhub.writer")


@dataclass
class BatchCounts:
    pushed: int = 0
    done: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0  # finished already, not due yet, or waiting behind an older write
    held: int = 0  # held back by the budget
    calls: int = 0

    def add(self, other: BatchCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ConnectorPool:
    """Connectors by connection name, opened on first use, closed together."""

    def __init__(self, opener: Callable[[str], Connector]) -> None:
        self._opener = opener
        self._open: dict[str, Connector] = {}

    def get(self, name: str) -> Connector:
        if name not in self._open:
            self._open[name] = self._opener(name)
        return self._open[name]

    def calls(self, name: str) -> int:
        """HTTP calls this connection made so far (token calls and retries included)."""
        counters = getattr(self._open.get(name), "counters", None)
        return int(counters.snapshot().total_calls) if counters is not None else 0

    def names(self) -> list[str]:
        return list(self._open)

    def close(self) -> None:
        for connector in self._open.values():
            connector.close()
        self._open.clear()


def _chunks(items: Sequence[OutboxItem], size: int) -> Iterable[Sequence[OutboxItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Writer:
    def __init__(
        self,
        store: Store,
        connectors: ConnectorPool,
        *,
        budgets: WriteBudgets | None = None,
        failpoints: Failpoints | None = None,
        actor: str = "writer",
    ) -> None:
        self.store = store
        self.connectors = connectors
        self.budgets = budgets
        self.failpoints = failpoints or Failpoints()
        self.actor = actor

    def write(self, outbox_ids: Sequence[int]) -> BatchCounts:
        """Push the items behind `outbox_ids` that are due, and commit their results."""
        counts = BatchCounts()
        ready = self._ready(outbox_ids, utcnow(), counts)
        groups: dict[tuple[str, str], list[OutboxItem]] = defaultdict(list)
        for item in ready:
            groups[(item.connection, item.kind)].append(item)
        for (connection, kind), items in groups.items():
            admitted = self._admitted(connection, items, counts)
            for chunk in _chunks(admitted, MAX_BATCH):
                counts.add(self._push(connection, EntityKind(kind), chunk))
        return counts

    def _ready(
        self, outbox_ids: Sequence[int], now: datetime, counts: BatchCounts
    ) -> list[OutboxItem]:
        older = aliased(OutboxItem)
        waiting_behind = (
            sa.select(older.id)
            .where(
                older.connection == OutboxItem.connection,
                older.entity_id == OutboxItem.entity_id,
                older.status.in_(LIVE),
                older.id < OutboxItem.id,
            )
            .exists()
        )
        with self.store.transaction() as session:
            items = list(
                session.scalars(
                    sa.select(OutboxItem)
                    .where(
                        OutboxItem.id.in_(set(outbox_ids)),
                        OutboxItem.status.in_(LIVE),
                        OutboxItem.not_before.is_(None) | (OutboxItem.not_before <= now),
                        ~waiting_behind,
                    )
                    .order_by(OutboxItem.id)
                )
            )
        counts.skipped += len(set(outbox_ids)) - len(items)
        return items

    def _admitted(
        self, connection: str, items: list[OutboxItem], counts: BatchCounts
    ) -> list[OutboxItem]:
        if self.budgets is None:
            return items
        state = self.budgets.state(connection)
        admitted = [i for i in items if self.budgets.admits(state, i.priority)]
        held = [i.id for i in items if not self.budgets.admits(state, i.priority)]
        if held:
            # back to pending: the relay publishes them when the budget allows
            with write_transaction(self.store) as session:
                session.execute(
                    sa.update(OutboxItem)
                    .where(OutboxItem.id.in_(held), OutboxItem.status.in_(LIVE))
                    .values(status="pending", published_at=None)
                )
            counts.held += len(held)
        return admitted

    def _push(self, connection: str, kind: EntityKind, chunk: Sequence[OutboxItem]) -> BatchCounts:
        counts = BatchCounts(pushed=len(chunk))
        before = self.connectors.calls(connection)
        self.failpoints.hit("before_push")
        if has_unsent_creates(chunk):
            with write_transaction(self.store) as session:
                mark_sent(session, chunk)
        try:
            results = self.connectors.get(connection).push(kind, push_items(chunk))
        except (ConnectorError, LookupError, ValueError) as exc:
            # the whole call failed (credentials refused after one refresh, the connection
            # missing from the config): not the records' fault, so they wait and retry
            log.warning("push to %s failed: %s", connection, exc)
            code = getattr(exc, "code", None)
            results = [
                PushResult(i.idempotency_key, PushOutcome.RETRY, i.remote_id, None, code, str(exc))
                for i in chunk
            ]
        self.failpoints.hit("after_push")
        by_id = {item.id: index for index, item in enumerate(chunk)}
        with write_transaction(self.store) as session:
            fresh = sorted(
                session.scalars(sa.select(OutboxItem).where(OutboxItem.id.in_(by_id))),
                key=lambda item: by_id[item.id],
            )
            ordered = [results[by_id[item.id]] for item in fresh]
            applied = apply_push_results(session, fresh, ordered, actor=self.actor)
        self.failpoints.hit("after_commit")
        counts.calls = self.connectors.calls(connection) - before
        if self.budgets is not None:
            self.budgets.record(connection, counts.calls)
        counts.done, counts.retried, counts.dead = applied.done, applied.retried, applied.dead
        return counts
