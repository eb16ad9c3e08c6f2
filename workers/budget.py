"""Per-connection API budgets the workers respect, shared by every worker process.

Calls are counted per connection and hour in the database (`api_usage`); a connection's budget
is the calls it may spend in any 24 hours (`config/workers.yaml`). While plenty is left every
write goes; when less than the urgent reserve is left only urgent writes go (outbox priority at
or above `urgent_priority`) and the rest wait in the outbox; when nothing is left nothing goes
until the oldest hour of the window drops out. The connector's own budget still paces each call
(concurrency, per-endpoint frequency) and reads what the CRM says is left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from core.config.workers import ConnectionBudget
from core.store import ApiUsage, Store
from core.store.base import utcnow

__all__ = ["BudgetState", "WriteBudgets"]

_WINDOW = timedelta(hours=24)


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class BudgetState:
    connection: str
    limit: int
    used: int
    reserve: int
    resets_at: datetime  # when the oldest counted hour leaves the window

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def low(self) -> bool:
        return self.remaining <= self.reserve

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0


class WriteBudgets:
    def __init__(
        self,
        store: Store,
        budgets: Mapping[str, ConnectionBudget],
        *,
        urgent_priority: int = 10,
    ) -> None:
        self.store = store
        self.budgets = dict(budgets)
        self.urgent_priority = urgent_priority

    def record(self, connection: str, calls: int, at: datetime | None = None) -> None:
        """Add `calls` to this hour's count of `connection`."""
        if calls <= 0:
            return
        hour = _hour(at or utcnow())
        table = ApiUsage
        match = (table.connection == connection) & (table.hour == hour)
        for _ in range(3):  # a concurrent first insert of this hour: add to it instead
            with self.store.engine.begin() as conn:
                if conn.execute(
                    sa.update(table).where(match).values(calls=table.calls + calls)
                ).rowcount:
                    return
            try:
                with self.store.engine.begin() as conn:
                    conn.execute(
                        sa.insert(table).values(connection=connection, hour=hour, calls=calls)
                    )
                return
            except sa.exc.IntegrityError:
                continue

    def state(self, connection: str, at: datetime | None = None) -> BudgetState | None:
        """The connection's budget now, or None when it has no limit."""
        budget = self.budgets.get(connection)
        if budget is None or budget.calls_per_day is None:
            return None
        now = at or utcnow()
        since = _hour(now - _WINDOW) + timedelta(hours=1)
        table = ApiUsage
        with self.store.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    sa.func.coalesce(sa.func.sum(table.calls), 0), sa.func.min(table.hour)
                ).where(table.connection == connection, table.hour >= since)
            ).one()
        used, oldest = int(row[0]), row[1]
        resets = (oldest or _hour(now)) + _WINDOW
        reserve = int(budget.calls_per_day * budget.urgent_reserve)
        return BudgetState(connection, budget.calls_per_day, used, reserve, resets)

    def admits(self, state: BudgetState | None, priority: int) -> bool:
        """May a write of this priority be sent now?"""
        if state is None:
            return True
        if state.exhausted:
            return False
        return not state.low or priority >= self.urgent_priority
