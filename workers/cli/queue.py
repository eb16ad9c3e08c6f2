"""`crmhub queue`: the outbox per connection and status, the broker per partition, dead
letters, leases and budgets."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from workers.cli.context import out, state
from workers.queue_status import queue_status
from workers.runtime import worker_parts

__all__ = ["queue"]


def queue(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
) -> None:
    """How many writes wait (outbox and broker), dead letters, who holds which lease."""
    config = state(ctx).config()
    store = state(ctx).store()
    parts = worker_parts(config, store)
    try:
        status = queue_status(store, parts.target, parts.budgets)
    finally:
        parts.close()
    if as_json:
        out.print_json(json.dumps(status.to_data()))
        return
    statuses = ["pending", "published", "done", "dead", "superseded"]
    table = Table("connection", *statuses, title="outbox")
    for connection, counts in sorted(status.outbox.items()):
        table.add_row(connection, *(str(counts.get(s, 0)) for s in statuses))
    out.print(table)
    oldest = status.oldest_pending.isoformat(timespec="seconds") if status.oldest_pending else "-"
    out.print(f"waiting: {status.waiting()} (oldest since {oldest}); dead letters open: "
              f"{status.dead_letters_open}", highlight=False)  # fmt: skip
    if status.partitions is None:
        out.print(f"broker {status.broker}: unreachable", highlight=False)
    else:
        busy = {p: n for p, n in status.partitions.items() if n}
        out.print(f"broker {status.broker}: {sum(busy.values())} messages"
                  + (f" (partitions {busy})" if busy else ""), highlight=False)  # fmt: skip
    for name, holder in sorted(status.leases.items()):
        out.print(f"lease {name}: {holder}", highlight=False)
    for name, budget in status.budgets.items():
        low = " (low: urgent writes only)" if budget.low else ""
        out.print(
            f"budget {name}: {budget.used}/{budget.limit} calls in 24 h{low}", highlight=False
        )
