"""Printing a sync's summary (shared by `crmhub sync` and `crmhub demo`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from workers.cli.context import err, out
from workers.sync_run import SyncSummary
from workers.writer import BatchCounts

__all__ = ["print_summary", "sync_progress"]

_STAGES = {
    "pull": "pull, match, merge, assign, plan",
    "write": "write to the CRMs",
    "plan": "plan what waited for new records",
}


class _Bars:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.stage = progress.add_task("starting", total=None)
        self.writes = progress.add_task("writes", total=None, visible=False)

    def on_stage(self, stage: str) -> None:
        self.progress.update(self.stage, description=_STAGES.get(stage, stage))
        if stage == "write":
            self.progress.update(self.writes, visible=True)

    def on_batch(self, counts: BatchCounts) -> None:
        self.progress.advance(self.writes, counts.done + counts.dead)


@contextmanager
def sync_progress() -> Iterator[_Bars]:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} done"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        yield _Bars(progress)


def print_summary(summary: SyncSummary, title: str = "sync") -> None:
    totals = summary.totals()
    table = Table("", "", title=title, show_header=False)
    planned = totals["planned"]
    rows = [
        ("pulled", f"{totals['pulled']} records ({totals['quarantined']} quarantined)"),
        ("matched", f"{totals['new']} new, {totals['merged']} merged across CRMs, "
                    f"{totals['parked']} parked for review"),
        ("merged", f"{totals['fields_changed']} field changes"),
        ("conflicts", f"{totals['conflicts']} opened for an operator"),
        ("assigned", f"{totals['assigned']} customers ({totals['owners_changed']} owner changes)"),
        ("planned", f"{planned['creates']} creates, {planned['updates']} updates, "
                    f"{planned['deletes']} deletes (+{summary.replanned} once records existed)"),
        ("written", f"{totals['written']} ({totals['retrying']} waiting to retry, "
                    f"{totals['dead_letters']} dead letters)"),
        ("API calls", ", ".join(f"{n} {c}" for n, c in totals["calls"].items()) or "none"),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)
    for name, error in totals["errors"].items():
        err.print(f"[red]{name} failed:[/red] {error}")
