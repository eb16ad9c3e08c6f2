"""What the outbox, the broker and the workers are doing now: the figures the console and
`crmhub queue` show (queue depth per connection and status, per-partition broker depth, the
oldest waiting write, dead letters open, who holds which lease, budgets)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core.store import DeadLetter, OutboxItem, Store
from workers.broker import Broker, BrokerTarget
from workers.budget import BudgetState, WriteBudgets
from workers.leases import LeaseKeeper

__all__ = ["QueueStatus", "dead_letters", "queue_status"]


@dataclass
class QueueStatus:
    # connection -> status -> items (pending, published, done, dead, superseded)
    outbox: dict[str, dict[str, int]] = field(default_factory=dict)
    oldest_pending: datetime | None = None
    dead_letters_open: int = 0
    broker: str = ""
    # partition -> messages waiting in the broker (None: the broker could not be reached)
    partitions: dict[int, int] | None = None
    leases: dict[str, str] = field(default_factory=dict)
    budgets: dict[str, BudgetState] = field(default_factory=dict)

    def waiting(self) -> int:
        """Writes not yet done (pending or published), every connection."""
        return sum(s.get("pending", 0) + s.get("published", 0) for s in self.outbox.values())

    def to_data(self) -> dict[str, Any]:
        return {
            "outbox": self.outbox,
            "waiting": self.waiting(),
            "oldest_pending": self.oldest_pending.isoformat() if self.oldest_pending else None,
            "dead_letters_open": self.dead_letters_open,
            "broker": self.broker,
            "partitions": self.partitions,
            "leases": self.leases,
            "budgets": {
                name: {"limit": b.limit, "used": b.used, "remaining": b.remaining, "low": b.low}
                for name, b in self.budgets.items()
            },
        }


def queue_status(
    store: Store, target: BrokerTarget | None = None, budgets: WriteBudgets | None = None
) -> QueueStatus:
    """The queue now; with `target`, the broker's depth per partition too."""
    status = QueueStatus()
    with store.transaction() as session:
        rows = session.execute(
            sa.select(OutboxItem.connection, OutboxItem.status, sa.func.count()).group_by(
                OutboxItem.connection, OutboxItem.status
            )
        )
        for connection, item_status, count in rows:
            status.outbox.setdefault(connection, {})[item_status] = int(count)
        status.oldest_pending = session.scalar(
            sa.select(sa.func.min(OutboxItem.created_at)).where(
                OutboxItem.status.in_(("pending", "published"))
            )
        )
        status.dead_letters_open = int(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(DeadLetter)
                .where(DeadLetter.status == "open")
            )
            or 0
        )
    status.leases = LeaseKeeper(store, "status").holders()
    if budgets is not None:
        for name in budgets.budgets:
            state = budgets.state(name)
            if state is not None:
                status.budgets[name] = state
    if target is not None:
        status.broker = target.display
        try:
            with Broker(target, connect_retries=0) as broker:
                status.partitions = broker.depths()
        except Exception:
            status.partitions = None
    return status


def dead_letters(
    store: Store, *, status: str = "open", limit: int = 100
) -> list[Mapping[str, Any]]:
    """Dead letters (newest first) as plain rows: what `crmhub deadletters list` prints."""
    with store.transaction() as session:
        letters = session.scalars(
            sa.select(DeadLetter)
            .where(DeadLetter.status == status)
            .order_by(DeadLetter.id.desc())
            .limit(limit)
        )
        return [
            {
                "id": letter.id,
                "connection": letter.connection,
                "kind": letter.kind,
                "entity_id": str(letter.entity_id),
                "operation": letter.operation,
                "error_code": letter.error_code,
                "error_message": letter.error_message,
                "attempts": letter.attempts,
                "created_at": letter.created_at.isoformat(),
                "payload": letter.payload,
            }
            for letter in letters
        ]
