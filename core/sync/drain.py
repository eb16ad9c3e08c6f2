"""Pushing the outbox in-process: pending items in batches through the connectors, results
applied (`core.sync.results`). No broker: the workers put a queue in front of the same steps
(claim -> push -> apply results); tests and small setups use this directly.

Items are claimed (`published`) in one transaction, pushed outside any transaction, and their
results applied in another, so a slow CRM never holds database locks. Between rounds
`replan` may plan again: what waited for a create's result (a contact whose customer was just
created) is then written in the same drain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from connectors.http import ConnectorError
from connectors.protocol import Connector, PushOutcome, PushResult
from core.store import OutboxItem, Store
from core.store.base import utcnow
from core.sync.results import (
    ItemStatus,
    ResultCounts,
    apply_push_results,
    has_unsent_creates,
    mark_sent,
    push_items,
)
from mapping.model import EntityKind

__all__ = ["DrainReport", "drain_outbox"]


@dataclass
class DrainReport:
    pushed: int = 0
    rounds: int = 0
    replanned: int = 0
    results: ResultCounts = field(default_factory=ResultCounts)
    # connection -> operation -> items pushed
    writes: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.pushed


def _claim(store: Store, connections: Sequence[str], now: datetime, limit: int) -> list[OutboxItem]:
    with store.transaction() as session:
        items = list(
            session.scalars(
                sa.select(OutboxItem)
                .where(
                    OutboxItem.status == ItemStatus.PENDING.value,
                    OutboxItem.connection.in_(connections),
                    sa.or_(OutboxItem.not_before.is_(None), OutboxItem.not_before <= now),
                )
                .order_by(OutboxItem.priority.desc(), OutboxItem.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for item in items:
            item.status = ItemStatus.PUBLISHED.value
            item.published_at = now
        session.flush()
        session.expunge_all()
    return items


def _push(
    store: Store, connector: Connector, kind: str, items: list[OutboxItem]
) -> list[PushResult]:
    if has_unsent_creates(items):
        with store.transaction() as session:
            mark_sent(session, items)
    try:
        return connector.push(EntityKind(kind), push_items(items))
    except ConnectorError as exc:  # the whole call failed: every item waits for a retry
        return [
            PushResult(i.idempotency_key, PushOutcome.RETRY, None, None, exc.code, str(exc))
            for i in items
        ]


def drain_outbox(
    store: Store,
    connectors: Mapping[str, Connector],
    *,
    batch_size: int = 100,
    max_rounds: int = 50,
    now: Callable[[], datetime] = utcnow,
    replan: Callable[[], int] | None = None,
) -> DrainReport:
    """Push pending items due now until none is left (or `max_rounds`); see the docstring.
    `replan()` plans again and returns how many writes it queued."""
    report = DrainReport()
    names = sorted(connectors)
    for _ in range(max_rounds):
        items = _claim(store, names, now(), batch_size)
        if not items:
            queued = replan() if replan is not None else 0
            report.replanned += queued
            if queued:
                continue
            break
        report.rounds += 1
        groups: dict[tuple[str, str], list[OutboxItem]] = {}
        for item in items:
            groups.setdefault((item.connection, item.kind), []).append(item)
        for (name, kind), group in groups.items():
            results = _push(store, connectors[name], kind, group)
            with store.transaction() as session:
                report.results.add(apply_push_results(session, group, results))
            report.pushed += len(group)
            ops = report.writes.setdefault(name, Counter())
            ops.update(item.operation for item in group)
    return report
