"""Where a long e2e_sync.py run is, so that it can pause and go on in a later process.

A run is a list of stages (full, echo, changes=k, ...). A stage may take several segments: a
paused segment ends at a safe point (between pages or write batches, the emulators saved), and
the next process runs the same stage again, which goes on from crmhub's saved cursors and
outbox, as a restarted production worker would. A stage's figures are the sum of its
segments' (times, records, statements, calls), with the rates worked out again from the sums,
the peak memory the largest and the database size the last.
"""

from __future__ import annotations

import json
import pickle
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Progress", "merge_segments"]

PROGRESS_FILE = "progress.json"
BASELINE_FILE = "baseline.pickle"


@dataclass
class Progress:
    args: dict[str, Any]  # what the world and the stages were made from (kept across resumes)
    next_index: int = 0  # the stage to run next (0 = full)
    last_outbox: int = 0  # outbox ids up to this belong to earlier stages
    stages: list[dict[str, Any]] = field(default_factory=list)  # finished stages
    segments: list[dict[str, Any]] = field(default_factory=list)  # of the stage under way
    edited: dict[str, int] | None = None  # the stage under way's remote edits (made once)
    rng_state: Any = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    # set while a process runs: one that died without pausing left crmhub's database ahead of
    # the saved emulators, and the run cannot go on from there
    running: bool = False

    @classmethod
    def load(cls, folder: Path) -> Progress:
        data = json.loads((folder / PROGRESS_FILE).read_text("utf-8"))
        return cls(**data)

    @classmethod
    def resume(cls, folder: Path) -> Progress:
        progress = cls.load(folder)
        if progress.running:
            raise SystemExit(
                f"{folder}: the run's last process ended without pausing (killed?): its "
                "database is ahead of the saved emulators, so it cannot go on; start it again"
            )
        return progress

    def save(self, folder: Path) -> None:
        path = folder / PROGRESS_FILE
        part = path.with_suffix(".part")
        part.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), "utf-8")
        part.replace(path)

    def restore_rng(self, rng: random.Random) -> None:
        if self.rng_state is not None:
            version, state, gauss = self.rng_state
            rng.setstate((version, tuple(state), gauss))

    def keep_rng(self, rng: random.Random) -> None:
        self.rng_state = rng.getstate()

    @property
    def under_way(self) -> bool:
        return bool(self.segments) or self.edited is not None

    def finish_stage(self, stage: dict[str, Any], last_outbox: int) -> None:
        self.stages.append(stage)
        self.next_index += 1
        self.last_outbox = last_outbox
        self.segments, self.edited = [], None


def save_baseline(folder: Path, baseline: Any) -> None:
    (folder / BASELINE_FILE).write_bytes(pickle.dumps(baseline))


def load_baseline(folder: Path) -> Any:
    # our own file, written by save_baseline in an earlier segment of this run
    return pickle.loads((folder / BASELINE_FILE).read_bytes())  # noqa: S301


def _summed(parts: list[Any]) -> Any:
    """Numbers added, dicts merged key by key, anything else the last one's."""
    if all(isinstance(p, int | float) and not isinstance(p, bool) for p in parts):
        total = sum(parts)
        return round(total, 2) if isinstance(total, float) else total
    if all(isinstance(p, dict) for p in parts):
        keys = dict.fromkeys(k for p in parts for k in p)
        return {k: _summed([p[k] for p in parts if k in p]) for k in keys}
    return parts[-1]


def _rate(count: float, seconds: float) -> float:
    return round(count / max(seconds, 1e-9), 1)


def merge_segments(segments: list[dict[str, Any]]) -> dict[str, Any]:
    """One stage's figures from its segments' (see the module docstring)."""
    if len(segments) == 1:
        return {**segments[0], "segments": 1}
    stage = _summed(segments)
    pull, plan, write = stage["pull_reconcile"], stage["plan"], stage["write"]
    pull["per_s"] = _rate(pull["records"], pull["seconds"])
    # a segment rebuilt from crmhub's runs table (its process died) has no statement count
    counted = [s["pull_reconcile"] for s in segments if "statements" in s["pull_reconcile"]]
    records = sum(part["records"] for part in counted)
    pull["statements_per_record"] = round(pull.get("statements", 0) / max(records, 1), 1)
    plan["per_s"] = _rate(plan["writes_planned"], plan["seconds"])
    write["per_s"] = _rate(write["records"], write["seconds"])
    stage["max_rss_mb"] = max(s.get("max_rss_mb", 0) for s in segments)
    stage["database_bytes"] = segments[-1]["database_bytes"]
    stage["segments"] = len(segments)
    return stage
