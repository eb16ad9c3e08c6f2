"""Leases, the scheduler and budgets on every database backend."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from core.config.schema import Schedule
from core.config.workers import ConnectionBudget
from core.store import Store
from core.store.base import utcnow
from workers.budget import WriteBudgets
from workers.leases import LeaseKeeper
from workers.scheduler import Planned, Scheduler


def test_one_holder_at_a_time_until_it_gives_back_or_expires(store: Store) -> None:
    a = LeaseKeeper(store, "a@elsewhere:1:x", timedelta(seconds=1))
    b = LeaseKeeper(store, "b@elsewhere:2:y", timedelta(seconds=1))
    assert a.acquire("partition:3")
    assert not b.acquire("partition:3")
    assert a.acquire("partition:3")  # a renewal
    a.release("partition:3")
    assert b.acquire("partition:3")
    time.sleep(1.1)  # b stops renewing (as if killed): the lease runs out
    assert a.acquire("partition:3")
    assert a.holders() == {"partition:3": "a@elsewhere:1:x"}


def test_a_lease_of_a_dead_process_on_this_host_is_free_at_once(store: Store) -> None:
    import socket

    dead = LeaseKeeper(store, f"writer@{socket.gethostname()}:999999:zz", timedelta(minutes=5))
    assert dead.acquire("relay")
    assert LeaseKeeper(store, "writer@host:1:new", timedelta(minutes=5)).acquire("relay")


def test_two_schedulers_never_sync_one_connection_at_once(store: Store) -> None:
    runs: list[str] = []
    running = threading.Event()

    def slow_sync(name: str) -> None:
        runs.append(name)
        running.set()
        time.sleep(0.5)

    shift = [timedelta(0)]

    def clock() -> datetime:
        return utcnow() + shift[0]

    planned = {"zoho": Planned(Schedule(every="15m"))}
    first = Scheduler(planned, LeaseKeeper(store, "s1@h:1:a", clock=clock), slow_sync)
    second = Scheduler(planned, LeaseKeeper(store, "s2@h:2:b", clock=clock), slow_sync)
    thread = threading.Thread(target=first.tick)
    thread.start()
    running.wait(5)
    assert second.tick() == []  # due, but the first one is on it
    thread.join()
    assert second.tick() == []  # and once it is done, not due again for 15 minutes
    assert runs == ["zoho"]
    shift[0] = timedelta(minutes=16)
    assert first.tick() == ["zoho"]
    assert first.tick() == []  # its own run counts too: the next is 15 minutes on
    assert runs == ["zoho", "zoho"]


def test_a_scheduler_that_saw_a_sync_due_cannot_run_it_after_another_did(store: Store) -> None:
    keeper, other = LeaseKeeper(store, "s1@h:1:a"), LeaseKeeper(store, "s2@h:2:b")
    assert keeper.claim("sync:zoho", None)
    keeper.finish("sync:zoho")
    seen = keeper.last_started("sync:zoho")
    assert other.claim("sync:zoho", seen)  # both looked at the same start time ...
    other.finish("sync:zoho")
    assert not keeper.claim("sync:zoho", seen)  # ... the slower one finds it has run since
    assert other.claim("sync:new", None)  # both saw a connection never synced ...
    assert not keeper.claim("sync:new", None)  # ... only the first one runs it


def test_a_stop_request_starts_no_further_sync(store: Store) -> None:
    stop = threading.Event()
    runs: list[str] = []

    def sync_then_stop(name: str) -> None:
        runs.append(name)
        stop.set()  # SIGTERM arrives while the first sync runs

    planned = {name: Planned(Schedule(every="1h")) for name in ("zoho", "fxiaoke")}
    assert Scheduler(planned, LeaseKeeper(store, "s@h:1:a"), sync_then_stop).tick(stop) == ["zoho"]
    assert runs == ["zoho"]


def test_api_calls_spent_count_against_the_day_budget(store: Store) -> None:
    budgets = WriteBudgets(
        store, {"zoho": ConnectionBudget(calls_per_day=100, urgent_reserve=0.25)}
    )
    budgets.record("zoho", 60)
    budgets.record("zoho", 20)
    budgets.record("zoho", 500, at=utcnow() - timedelta(hours=25))  # outside the window
    state = budgets.state("zoho")
    assert state is not None
    assert (state.used, state.remaining, state.low) == (80, 20, True)
    assert budgets.state("fxiaoke") is None
