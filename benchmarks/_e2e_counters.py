"""What e2e_sync.py counts inside crmhub: SQL statements sent, and the time and statements of
assigning, planning and queueing (the cycle module's three steps, wrapped)."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

import core.sync.cycle as cycle_module
from core.store import Store

__all__ = ["PlanClock", "Statements"]


class Statements:
    """SQL statements sent to the store's database (a `before_cursor_execute` listener)."""

    def __init__(self, store: Store) -> None:
        self.count = 0
        sa.event.listen(store.engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any) -> None:
        self.count += 1


class PlanClock:
    """Time and statements spent assigning, planning and queueing (wraps the cycle module's
    three steps)."""

    def __init__(self, statements: Statements) -> None:
        self.seconds = 0.0
        self.statements = 0
        self.counter = statements
        for name in ("settle_owners", "plan_entities", "commit_plan"):
            setattr(cycle_module, name, self._timed(getattr(cycle_module, name)))

    def _timed(self, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started, sent = time.perf_counter(), self.counter.count
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.statements += self.counter.count - sent

        return timed
