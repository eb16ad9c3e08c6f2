"""Where the database is and how to connect to it (SQLite file by default, PostgreSQL by URL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["DEFAULT_HOME", "database_url", "make_engine", "make_session_factory", "redact_url"]

DEFAULT_HOME = ".crmhub"


def database_url(configured: str | None = None) -> str:
    """The database to use: $CRMHUB_DATABASE_URL, else the configured URL, else a SQLite file.

    The SQLite file lives in $CRMHUB_HOME (default ./.crmhub), so a fresh checkout needs no service.
    """
    url = os.environ.get("CRMHUB_DATABASE_URL") or configured
    if url:
        return url
    home = Path(os.environ.get("CRMHUB_HOME", DEFAULT_HOME))
    return f"sqlite:///{home / 'crmhub.db'}"


def redact_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the console read while a sync writes; busy_timeout waits for a lock, not fails.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; for SQLite the file's folder is created and pragmas are set."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, **kwargs)
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(parsed, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
