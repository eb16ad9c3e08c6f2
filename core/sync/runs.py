"""One `runs` row per sync cycle (or pull, plan, apply) with what it counted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.store import Run, Store

__all__ = ["ERROR_CHARS", "finish_run", "start_run"]

# a database error quotes its statement and every bound value: 1.2 MB for one IN list of
# 400,000 ids. The head says what failed; the rest would only bloat the runs table.
ERROR_CHARS = 4000


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
            run.error = _bounded(error)


def _bounded(error: str | None) -> str | None:
    if error is None or len(error) <= ERROR_CHARS:
        return error
    return f"{error[:ERROR_CHARS]}… ({len(error) - ERROR_CHARS} more characters cut)"
