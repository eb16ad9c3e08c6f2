"""Incremental pulls, the same for every CRM: watermark + id tie-breaker, overlap, signpost.

A run reads the half-open range [watermark - overlap, signpost): the signpost is taken when the
run starts, so rows changed during the run wait for the next one instead of chasing the reader.
Rows re-read inside the overlap are dropped when their (id, modified time) was already seen, so
the overlap catches late writers without pulling anything twice. The cursor returned after each
page covers exactly the rows handed out so far: store it in the same transaction as those rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.protocol import PullCursor, RemoteRecord

__all__ = ["MAX_SEEN", "Window", "cursor_from_json", "cursor_to_json", "signpost_at"]

# (id, modified) pairs remembered in a cursor; past this the oldest are forgotten, which can only
# re-deliver a row (harmless: stores upsert by remote id), never lose one
MAX_SEEN = 20_000


def signpost_at(now: datetime, *, lag: timedelta, resolution: timedelta) -> datetime:
    """Where a run starting at `now` stops: `lag` back (clock skew), floored to the CRM's
    timestamp resolution. A row handed out then sits in a tick that had ended, so no later
    change can carry the same (id, modified time) and be mistaken for one already seen."""
    moment = now - lag
    ticks = (moment - _EPOCH) // resolution
    return _EPOCH + ticks * resolution


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _stamp(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


@dataclass
class Window:
    signpost: datetime
    overlap: timedelta
    watermark: datetime | None = None
    last_id: str | None = None
    # remote id -> modified stamp of rows handed out at or after watermark - overlap
    seen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        cursor: PullCursor | None,
        *,
        signpost: datetime,
        overlap: timedelta,
        full: bool = False,
    ) -> Window:
        if full or cursor is None:
            return cls(signpost=signpost, overlap=overlap)
        seen = cursor.extra.get("seen", {})
        return cls(
            signpost=signpost,
            overlap=overlap,
            watermark=cursor.modified_since,
            last_id=cursor.last_id,
            seen=dict(seen) if isinstance(seen, dict) else {},
        )

    @property
    def lower(self) -> datetime | None:
        """Where the run's first query starts (inclusive)."""
        return None if self.watermark is None else self.watermark - self.overlap

    def past_signpost(self, record: RemoteRecord) -> bool:
        return record.modified_at is not None and record.modified_at >= self.signpost

    def take(self, records: list[RemoteRecord]) -> list[RemoteRecord]:
        """The records not handed out before, in order; moves the watermark over them."""
        fresh: list[RemoteRecord] = []
        for record in records:
            if self.past_signpost(record):
                continue
            stamp = _stamp(record.modified_at)
            if self.seen.get(record.remote_id) == stamp:
                continue
            fresh.append(record)
            self.seen[record.remote_id] = stamp
            moment = record.modified_at
            if moment is not None and (self.watermark is None or moment >= self.watermark):
                self.watermark, self.last_id = moment, record.remote_id
        self._prune()
        return fresh

    def _prune(self) -> None:
        if self.watermark is None:
            return
        horizon = self.watermark - self.overlap
        kept = {
            rid: datetime.fromisoformat(stamp)
            for rid, stamp in self.seen.items()
            if stamp and datetime.fromisoformat(stamp) >= horizon
        }
        if len(kept) > MAX_SEEN:
            kept = dict(sorted(kept.items(), key=lambda item: item[1])[-MAX_SEEN:])
        self.seen = {rid: _stamp(moment) for rid, moment in kept.items()}

    def cursor(self) -> PullCursor:
        return PullCursor(self.watermark, self.last_id, {"seen": dict(self.seen)})


def cursor_to_json(cursor: PullCursor) -> dict[str, Any]:
    """A cursor as JSON-safe data (for the `cursors` table)."""
    return {
        "modified_since": _stamp(cursor.modified_since) or None,
        "last_id": cursor.last_id,
        "extra": cursor.extra,
    }


def cursor_from_json(data: dict[str, Any] | None) -> PullCursor | None:
    if not data:
        return None
    since = data.get("modified_since")
    return PullCursor(
        datetime.fromisoformat(since) if since else None,
        data.get("last_id"),
        dict(data.get("extra") or {}),
    )
