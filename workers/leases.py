"""Leases in the database: one holder at a time for a named job (`sync:zoho`, `partition:3`).

Taking a lease is one conditional UPDATE (free, expired, or already ours) or, for a name never
leased, one INSERT that the primary key lets only one process win; both are atomic on SQLite and
PostgreSQL alike, with no lock held between calls. A holder that dies simply stops renewing;
one that died on this host (its process is gone) gives its leases up at once, so a writer
restarted after a crash does not wait for them to run out.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from core.store import Lease, Store
from core.store.base import utcnow

__all__ = ["LeaseKeeper", "holder_name"]


def _gone(holder: str) -> bool:
    """Is `holder` a process of this host that no longer runs?"""
    _, _, where = holder.partition("@")
    host, _, rest = where.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def holder_name(role: str) -> str:
    """Who holds a lease: role, host, process and a random tail (two workers in one process)."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class LeaseKeeper:
    """Takes, renews and gives back leases for one holder."""

    store: Store
    holder: str
    ttl: timedelta = timedelta(seconds=60)
    clock: Callable[[], datetime] = utcnow  # the time leases are taken and run out by

    def acquire(self, name: str) -> bool:
        """Take (or renew) `name`; False when another live holder has it."""
        now = self.clock()
        table = Lease
        with self.store.engine.begin() as conn:
            ours = sa.and_(table.holder == self.holder, table.expires_at > now)
            taken = conn.execute(
                sa.update(table)
                .where(table.name == name, sa.or_(table.expires_at <= now, ours))
                .values(
                    holder=self.holder,
                    expires_at=now + self.ttl,
                    # a renewal keeps its start; a new holding (even ours again) starts now
                    acquired_at=sa.case((ours, table.acquired_at), else_=now),
                )
            ).rowcount
            if taken:
                return True
        if self._insert(name, now):
            return True
        return self._take_from_dead(name, now)  # held by someone else, or won by them

    def claim(self, name: str, seen: datetime | None) -> bool:
        """Take `name` for a new run only if nobody took it since `seen` (what `last_started`
        said when the caller decided the run was due): two schedulers that both found a sync
        due cannot both run it, even one after the other."""
        now = self.clock()
        if seen is None:
            return self._insert(name, now)  # never taken: the first insert wins
        table = Lease
        with self.store.engine.connect() as conn:
            holder = conn.scalar(sa.select(table.holder).where(table.name == name))
        if holder is None:
            return self._insert(name, now)  # given back with `release`: nothing to compare
        with self.store.engine.begin() as conn:
            # a holder that is us or a dead process of this host need not have run out
            free = sa.true() if holder == self.holder or _gone(holder) else table.expires_at <= now
            return bool(
                conn.execute(
                    sa.update(table)
                    .where(
                        table.name == name,
                        table.holder == holder,
                        table.acquired_at == seen,  # compare-and-set: nobody started since
                        free,
                    )
                    .values(holder=self.holder, acquired_at=now, expires_at=now + self.ttl)
                ).rowcount
            )

    def _insert(self, name: str, now: datetime) -> bool:
        try:
            with self.store.engine.begin() as conn:
                conn.execute(
                    sa.insert(Lease).values(
                        name=name, holder=self.holder, acquired_at=now, expires_at=now + self.ttl
                    )
                )
        except sa.exc.IntegrityError:
            return False
        return True

    def _take_from_dead(self, name: str, now: datetime) -> bool:
        table = Lease
        with self.store.engine.begin() as conn:
            holder = conn.scalar(sa.select(table.holder).where(table.name == name))
            if holder is None or not _gone(holder):
                return False
            return bool(
                conn.execute(
                    sa.update(table)
                    .where(table.name == name, table.holder == holder)
                    .values(holder=self.holder, acquired_at=now, expires_at=now + self.ttl)
                ).rowcount
            )

    def last_started(self, name: str) -> datetime | None:
        """When the current or last holder took `name` (None: never taken)."""
        with self.store.engine.connect() as conn:
            return conn.scalar(sa.select(Lease.acquired_at).where(Lease.name == name))

    def finish(self, name: str) -> None:
        """Give `name` back but remember when it was taken (a schedule's last run)."""
        with self.store.engine.begin() as conn:
            conn.execute(
                sa.update(Lease)
                .where(Lease.name == name, Lease.holder == self.holder)
                .values(expires_at=self.clock())
            )

    @contextmanager
    def renewing(self, name: str) -> Iterator[None]:
        """Renew `name` in the background while the block runs (a long sync)."""
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.ttl.total_seconds() / 3):
                self.acquire(name)

        thread = threading.Thread(target=renew, name=f"lease-{name}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def release(self, name: str) -> None:
        table = Lease
        with self.store.engine.begin() as conn:
            conn.execute(sa.delete(table).where(table.name == name, table.holder == self.holder))

    def holders(self, prefix: str = "") -> dict[str, str]:
        """Live leases by name (what the console shows: who syncs or writes what now)."""
        table = Lease
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table.name, table.holder).where(
                    table.name.startswith(prefix), table.expires_at > self.clock()
                )
            )
            return {str(name): str(holder) for name, holder in rows}
