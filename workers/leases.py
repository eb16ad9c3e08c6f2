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
import uuid
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

    def acquire(self, name: str) -> bool:
        """Take (or renew) `name`; False when another live holder has it."""
        now = utcnow()
        table = Lease
        with self.store.engine.begin() as conn:
            taken = conn.execute(
                sa.update(table)
                .where(
                    table.name == name,
                    sa.or_(table.expires_at <= now, table.holder == self.holder),
                )
                .values(holder=self.holder, expires_at=now + self.ttl)
            ).rowcount
            if taken:
                return True
        try:
            with self.store.engine.begin() as conn:
                conn.execute(
                    sa.insert(table).values(
                        name=name, holder=self.holder, acquired_at=now, expires_at=now + self.ttl
                    )
                )
        except sa.exc.IntegrityError:
            return self._take_from_dead(name, now)  # held by someone else, or won by them
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
                    table.name.startswith(prefix), table.expires_at > utcnow()
                )
            )
            return {str(name): str(holder) for name, holder in rows}
