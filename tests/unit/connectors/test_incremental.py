from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.incremental import Window, cursor_from_json, cursor_to_json
from connectors.protocol import PullCursor, RemoteRecord

T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
SIGNPOST = T0 + timedelta(hours=1)


def rec(rid: str, minutes: float) -> RemoteRecord:
    return RemoteRecord(rid, T0 + timedelta(minutes=minutes), {"id": rid})


def test_a_first_run_reads_everything_before_the_signpost() -> None:
    window = Window.start(None, signpost=SIGNPOST, overlap=timedelta(minutes=5))
    assert window.lower is None
    fresh = window.take([rec("a", 1), rec("b", 2), rec("late", 60), rec("later", 61)])
    assert [r.remote_id for r in fresh] == ["a", "b"]
    assert window.watermark == T0 + timedelta(minutes=2)
    assert window.last_id == "b"


def test_the_overlap_rereads_but_hands_out_only_what_changed() -> None:
    first = Window.start(None, signpost=SIGNPOST, overlap=timedelta(minutes=5))
    first.take([rec("a", 1), rec("b", 20), rec("c", 30)])
    cursor = first.cursor()
    # rows older than watermark - overlap are forgotten; rows inside it are remembered
    assert set(cursor.extra["seen"]) == {"c"}

    second = Window.start(
        cursor, signpost=SIGNPOST + timedelta(hours=1), overlap=timedelta(minutes=5)
    )
    assert second.lower == T0 + timedelta(minutes=25)
    # "c" re-read unchanged: dropped; "late" committed late with an older stamp: kept;
    # "c" changed again: kept
    assert [r.remote_id for r in second.take([rec("late", 27), rec("c", 30)])] == ["late"]
    assert [r.remote_id for r in second.take([rec("c", 31)])] == ["c"]


def test_full_ignores_the_cursor() -> None:
    cursor = PullCursor(T0, "x", {"seen": {"a": T0.isoformat()}})
    window = Window.start(cursor, signpost=SIGNPOST, overlap=timedelta(minutes=5), full=True)
    assert window.lower is None
    assert [r.remote_id for r in window.take([rec("a", 0)])] == ["a"]


def test_ties_on_one_timestamp_are_told_apart_by_id() -> None:
    window = Window.start(None, signpost=SIGNPOST, overlap=timedelta(seconds=1))
    window.take([rec("a", 5), rec("b", 5)])
    resumed = Window.start(window.cursor(), signpost=SIGNPOST, overlap=timedelta(seconds=1))
    # the next page starts again at the same timestamp: a and b are not repeated, c is new
    assert [r.remote_id for r in resumed.take([rec("a", 5), rec("b", 5), rec("c", 5)])] == ["c"]
    assert resumed.last_id == "c"


def test_cursors_round_trip_through_json() -> None:
    window = Window.start(None, signpost=SIGNPOST, overlap=timedelta(minutes=5))
    window.take([rec("a", 1)])
    again = cursor_from_json(cursor_to_json(window.cursor()))
    assert again == window.cursor()
    assert cursor_from_json(None) is None


def test_the_signpost_is_floored_to_the_crm_tick_after_the_lag() -> None:
    from connectors.incremental import signpost_at

    now = datetime(2026, 5, 1, 10, 0, 5, 700_000, tzinfo=UTC)
    second = timedelta(seconds=1)
    assert signpost_at(now, lag=second, resolution=second) == datetime(
        2026, 5, 1, 10, 0, 4, tzinfo=UTC
    )
    milli = timedelta(milliseconds=1)
    assert signpost_at(now, lag=timedelta(0), resolution=milli) == now


def test_a_row_changed_twice_in_one_tick_is_not_lost() -> None:
    # Zoho stamps whole seconds: a row read at 10:00:04 and changed again within that second
    # would look unchanged. Rows of the tick the run started in are left for the next run.
    from connectors.incremental import signpost_at

    second = timedelta(seconds=1)
    start = datetime(2026, 5, 1, 10, 0, 4, 300_000, tzinfo=UTC)
    tick = datetime(2026, 5, 1, 10, 0, 4, tzinfo=UTC)
    run = Window.start(None, signpost=signpost_at(start, lag=0 * second, resolution=second),
                       overlap=timedelta(minutes=5))  # fmt: skip
    assert run.take([RemoteRecord("a", tick, {})]) == []
    later = signpost_at(start + 2 * second, lag=0 * second, resolution=second)
    again = Window.start(run.cursor(), signpost=later, overlap=timedelta(minutes=5))
    assert [r.remote_id for r in again.take([RemoteRecord("a", tick, {})])] == ["a"]


# -- resuming from the server's time (see the module docstring) ------------------------------

LAG = timedelta(seconds=60)
DATE = "Fri, 01 May 2026 11:00:00 GMT"  # the first reply's Date header
STARTED = datetime(2026, 5, 1, 11, 0, tzinfo=UTC) - timedelta(seconds=2)  # minus the call


def _anchored(cursor: PullCursor | None = None, signpost: datetime = SIGNPOST) -> Window:
    window = Window.start(cursor, signpost=signpost, overlap=timedelta(minutes=5),
                          commit_lag=LAG)  # fmt: skip
    window.anchor(DATE, 2.0)
    return window


def test_the_first_reply_anchors_the_run_on_the_servers_clock() -> None:
    window = _anchored()
    window.anchor("Fri, 01 May 2026 11:30:00 GMT", 0.1)  # later replies change nothing
    assert window.started == STARTED
    unreadable = Window.start(None, signpost=SIGNPOST, overlap=LAG, commit_lag=LAG)
    unreadable.anchor("yesterday", 0.0)
    assert unreadable.started is None


def test_midway_the_next_run_resumes_at_the_watermark_or_the_lag_before_the_start() -> None:
    window = _anchored()
    window.take([rec("a", 1), rec("b", 30)])
    # nothing past b was read yet: the next run starts there (not 5 minutes earlier)
    assert window.cursor().extra["resume_at"] == (T0 + timedelta(minutes=30)).isoformat()
    window.take([rec("c", 59.5)])
    # c is close to the run's start: rows the run missed may be stamped from start - lag on
    assert window.cursor().extra["resume_at"] == (STARTED - LAG).replace(microsecond=0).isoformat()


def test_a_finished_run_moves_the_cursor_by_a_last_page_without_records() -> None:
    window = _anchored()
    window.take([rec("a", 1)])
    closing = window.finish()
    assert closing is not None
    assert closing.records == []
    resume = (STARTED - LAG).replace(microsecond=0)
    assert closing.cursor.extra["resume_at"] == resume.isoformat()
    assert window.finish() is None  # said already
    # a later run that finds nothing new moves it on again; its window is what the last
    # run could have missed, not five minutes before the newest row
    later = _anchored(closing.cursor, SIGNPOST + timedelta(hours=1))
    assert later.lower == resume
    later.started = STARTED + timedelta(hours=1)
    moved = later.finish()
    assert moved is not None
    assert moved.cursor.extra["resume_at"] == (resume + timedelta(hours=1)).isoformat()


def test_a_late_commit_inside_the_lag_is_handed_out_by_the_next_run() -> None:
    window = _anchored()
    window.take([rec("a", 1), rec("b", 58)])
    closing = window.finish()
    assert closing is not None
    nxt = _anchored(closing.cursor, SIGNPOST + timedelta(hours=1))
    assert nxt.lower is not None
    assert nxt.lower <= STARTED - LAG
    # "late" was stamped 30 s before the last run started and committed after it read;
    # b is read again (inside the window) and dropped
    late = RemoteRecord("late", STARTED - timedelta(seconds=30), {})
    assert [r.remote_id for r in nxt.take([rec("b", 58), late])] == ["late"]


def test_without_the_servers_time_the_overlap_behind_the_watermark_holds() -> None:
    window = Window.start(None, signpost=SIGNPOST, overlap=timedelta(minutes=5), commit_lag=LAG)
    window.take([rec("a", 10)])
    assert window.resume_at() == T0 + timedelta(minutes=5)
    old = PullCursor(T0 + timedelta(minutes=10), "a", {"seen": {}})  # a cursor from before
    assert Window.start(old, signpost=SIGNPOST, overlap=timedelta(minutes=5)).lower == (
        T0 + timedelta(minutes=5)
    )


def test_rows_the_run_has_still_to_read_again_are_not_forgotten_midway() -> None:
    first = _anchored()
    first.take([rec("x", 59.0), rec("y", 59.5)])
    closing = first.finish()
    assert closing is not None
    second = _anchored(closing.cursor, SIGNPOST + timedelta(hours=1))
    second.started = STARTED + timedelta(seconds=40)  # resumes past x, at y's watermark
    assert [r.remote_id for r in second.take([rec("new", 58.99)])] == ["new"]
    # the next page re-reads x and y: still known, not handed out again
    assert second.take([rec("x", 59.0), rec("y", 59.5)]) == []
