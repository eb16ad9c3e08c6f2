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
