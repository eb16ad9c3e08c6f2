"""One `runs` row per sync cycle (or pull, plan, apply) with what it counted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.store import Run, Store

__all__ = ["finish_run", "start_run"]


def start_run(store: Store, kind: str, connection: str | None = None) -> int:
    with store.transaction() as session:
        run = Run(kind=kind, connection=connection, status="running", counts={})
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
