"""Incremental pulls, the same for every CRM: watermark + id tie-breaker, a re-read window for
late commits, signpost.

A run reads the half-open range [lower, signpost): the signpost is taken when the run starts,
so rows changed during the run wait for the next one instead of chasing the reader. Rows
re-read are dropped when their (id, modified time) was already seen, so re-reading catches late
writers without handing anything out twice. The cursor returned after each page covers exactly
the rows handed out so far: store it in the same transaction as those rows.

Where the next run starts (`Window.resume_at`). A CRM stamps a row's modified time M when it
handles the write and commits it at C >= M; assume C - M <= L (`commit_lag`). A row a run did
not see although M lies in a range it read was committed after that read: C > R, the read's
server time, so M >= C - L > R - L. Every read of a run happens at or after its first read,
which happens at or after A = (the first reply's Date header) - (that call's duration): the
server stamped the header while answering, after the request arrived, and the request spent at
most the call's duration before the server got it; the header's whole seconds only floor it.
So every row the run missed has M > A - L, every row it did not reach yet has M at or past its
watermark (past the signpost when the run read to the end), and the next run starts at
min(watermark or signpost, A - L). That bound is the server's own clock: no skew between ours
and the CRM's enters it, and it moves on with every run, so what crmhub itself wrote is read
once (the echo, by the run after the writes) and not again by the run after that, however
long the write stage took. Without a Date header (or without `commit_lag`) the next run starts
at watermark - overlap, which must cover the skew as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from connectors.protocol import Page, PullCursor, RemoteRecord

__all__ = [
    "MAX_SEEN",
    "Window",
    "cursor_from_json",
    "cursor_to_json",
    "server_time",
    "signpost_at",
]

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


def _floor_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def server_time(date_header: str | None) -> datetime | None:
    """An HTTP Date header as an aware datetime, or None (absent or unreadable)."""
    if not date_header:
        return None
    try:
        moment = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class Window:
    signpost: datetime
    overlap: timedelta
    watermark: datetime | None = None
    last_id: str | None = None
    # remote id -> modified stamp of rows handed out at or after where the next run starts
    seen: dict[str, str] = field(default_factory=dict)
    # the CRM's bound on commit lag (None: no server time is used; see the module docstring)
    commit_lag: timedelta | None = None
    # server time at or before the run's first read (`anchor`)
    started: datetime | None = None
    # the run read every page up to its signpost (`finish`)
    finished: bool = False
    _lower: datetime | None = None
    _saved: str | None = None  # where the last cursor handed out resumes
    _read_to: datetime | None = None  # the newest modified time this run read (seen or not)

    @classmethod
    def start(
        cls,
        cursor: PullCursor | None,
        *,
        signpost: datetime,
        overlap: timedelta,
        full: bool = False,
        commit_lag: timedelta | None = None,
    ) -> Window:
        if full or cursor is None:
            return cls(signpost=signpost, overlap=overlap, commit_lag=commit_lag)
        seen = cursor.extra.get("seen", {})
        resume = cursor.extra.get("resume_at")
        lower = (
            datetime.fromisoformat(resume)
            if isinstance(resume, str) and resume
            else cursor.modified_since - overlap
            if cursor.modified_since is not None
            else None
        )
        return cls(
            signpost=signpost,
            overlap=overlap,
            watermark=cursor.modified_since,
            last_id=cursor.last_id,
            seen=dict(seen) if isinstance(seen, dict) else {},
            commit_lag=commit_lag,
            _lower=lower,
            _saved=resume if isinstance(resume, str) else None,
        )

    @property
    def lower(self) -> datetime | None:
        """Where the run's first query starts (inclusive)."""
        return self._lower

    def anchor(self, date_header: str | None, call_seconds: float) -> None:
        """The first reply's Date header and how long that call took (the run's start on the
        server's clock, at or before its first read); later replies change nothing."""
        if self.started is not None:
            return
        moment = server_time(date_header)
        if moment is not None:
            self.started = moment - timedelta(seconds=max(call_seconds, 0.0))

    def resume_at(self) -> datetime | None:
        """Where the next run must start reading: see the module docstring."""
        if self.watermark is None:
            return self._lower
        if self.started is None or self.commit_lag is None:
            return self.watermark - self.overlap
        reached = self.signpost if self.finished else self.watermark
        return _floor_second(min(reached, self.started - self.commit_lag))

    def past_signpost(self, record: RemoteRecord) -> bool:
        return record.modified_at is not None and record.modified_at >= self.signpost

    def take(self, records: list[RemoteRecord]) -> list[RemoteRecord]:
        """The records not handed out before, in order; moves the watermark over them."""
        fresh: list[RemoteRecord] = []
        for record in records:
            if self.past_signpost(record):
                continue
            moment = record.modified_at
            if moment is not None and (self._read_to is None or moment > self._read_to):
                self._read_to = moment
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

    def finish(self) -> Page | None:
        """The run read everything before its signpost: a last page without records whose
        cursor moves where the next run starts, or None when the last cursor handed out
        already says it (a run that found nothing new otherwise leaves the cursor behind, and
        every later run would re-read the same window)."""
        self.finished = True
        self._prune()
        resume = self.resume_at()
        if resume is None or _stamp(resume) == self._saved:
            return None
        return Page([], self.cursor())

    def _prune(self) -> None:
        # rows this run has still to read again (from its lower bound up to where it read) are
        # kept, as are those the next run will read; a second of margin: Zoho re-anchors a
        # walled run one second behind its watermark
        bounds = [self.resume_at(), self.watermark, self._read_to or self._lower]
        if bounds[0] is None:
            return
        horizon = min(b for b in bounds if b is not None) - timedelta(seconds=1)
        kept = {
            rid: datetime.fromisoformat(stamp)
            for rid, stamp in self.seen.items()
            if stamp and datetime.fromisoformat(stamp) >= horizon
        }
        if len(kept) > MAX_SEEN:
            kept = dict(sorted(kept.items(), key=lambda item: item[1])[-MAX_SEEN:])
        self.seen = {rid: _stamp(moment) for rid, moment in kept.items()}

    def cursor(self) -> PullCursor:
        resume = _stamp(self.resume_at())
        self._saved = resume
        return PullCursor(self.watermark, self.last_id, {"seen": dict(self.seen),
                                                         "resume_at": resume})  # fmt: skip


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
