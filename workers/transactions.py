"""A write transaction that is safe to start with reads on SQLite too.

SQLite has one writer at a time, and a transaction that read first cannot always upgrade to a
write once another connection has committed (it fails at once, whatever the busy timeout): a
transaction that reads then writes takes the write lock first (`BEGIN IMMEDIATE`). PostgreSQL
needs nothing special.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from core.store import Store

__all__ = ["write_transaction"]


@contextmanager
def write_transaction(store: Store) -> Iterator[Session]:
    with store.transaction() as session:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            raw = connection.connection.dbapi_connection
            if raw is not None and not raw.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield session
