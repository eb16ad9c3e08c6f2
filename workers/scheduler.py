"""The scheduler: each connection's sync when its schedule says (`every: 15m` or a cron line),
never twice at once.

A connection's last start is its lease row (`sync:NAME`, `acquired_at`), so it survives
restarts and is shared by every scheduler process. A scheduler that finds a connection due
claims the lease only if nobody took it since it looked (compare-and-set on the start time);
the lease is renewed while the sync runs and given back (keeping its start time) when it ends.
A cron line is read in the connection's own time zone (`0 2 * * *` is 02:00 where the CRM's
users are). A stop request (SIGTERM) lets the sync in hand finish and starts no other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from croniter import croniter

from core.config.schema import Schedule
from workers.leases import LeaseKeeper

__all__ = ["Planned", "Scheduler", "next_run"]

log = logging.getLogger("crmhub.scheduler")


@dataclass(frozen=True)
class Planned:
    """One connection's schedule and the zone its cron line is read in."""

    schedule: Schedule
    zone: tzinfo = UTC


def next_run(
    schedule: Schedule, last_started: datetime | None, now: datetime, zone: tzinfo = UTC
) -> datetime:
    """When a connection with `schedule`, last started at `last_started`, is due next (UTC)."""
    if last_started is None:
        return now  # never synced: at once
    seconds = schedule.seconds()
    if seconds is not None:
        return last_started + timedelta(seconds=seconds)
    assert schedule.cron is not None
    following: datetime = croniter(schedule.cron, last_started.astimezone(zone)).get_next(datetime)
    return following.astimezone(UTC)


def _lease(name: str) -> str:
    return f"sync:{name}"


class Scheduler:
    def __init__(
        self,
        planned: Mapping[str, Planned],
        leases: LeaseKeeper,
        run_sync: Callable[[str], None],
    ) -> None:
        self.planned = dict(planned)
        self.leases = leases
        self.run_sync = run_sync
        self.now = leases.clock  # one clock for "due" and for the start times it compares

    def due(self, name: str) -> tuple[bool, datetime | None]:
        """Is `name` due now, and the start time that decision was read from."""
        plan = self.planned[name]
        last = self.leases.last_started(_lease(name))
        now = self.now()
        return next_run(plan.schedule, last, now, plan.zone) <= now, last

    def tick(self, stop: threading.Event | None = None) -> list[str]:
        """Sync every connection that is due and not being synced elsewhere; which ones ran."""
        ran = []
        for name in self.planned:
            if stop is not None and stop.is_set():
                break  # stopping: the sync in hand has finished, start no other
            is_due, last = self.due(name)
            if not is_due or not self.leases.claim(_lease(name), last):
                continue  # not due, or another scheduler runs it (or just did)
            try:
                with self.leases.renewing(_lease(name)):
                    self.run_sync(name)
                ran.append(name)
            except Exception:
                log.exception("sync of %s failed; it runs again when next due", name)
            finally:
                self.leases.finish(_lease(name))
        return ran

    def wait_s(self) -> float:
        """Seconds until the next connection is due (at most a minute: others may sync)."""
        now = self.now()
        waits = [
            (
                next_run(p.schedule, self.leases.last_started(_lease(n)), now, p.zone) - now
            ).total_seconds()
            for n, p in self.planned.items()
        ]
        return min([60.0, *waits])

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick(stop)
            stop.wait(max(self.wait_s(), 0.5))
