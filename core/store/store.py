"""The store: one database (engine + sessions), its migrations and a census of its tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.store import migrate
from core.store.engine import database_url, make_engine, make_session_factory, redact_url
from core.store.schema import metadata

# the `session.info` key holding the run a transaction works for
RUN_ID = "crmhub.run_id"

__all__ = ["RUN_ID", "Store", "StoreStatus"]


@dataclass(frozen=True)
class StoreStatus:
    url: str
    reachable: bool
    revision: str | None
    head: str | None
    counts: dict[str, int]
    error: str | None = None

    @property
    def up_to_date(self) -> bool:
        return self.reachable and self.revision == self.head


class Store:
    """Holds the engine and hands out sessions; pass it explicitly, never as a global."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_session_factory(engine)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        return cls(make_engine(database_url(url)))

    @property
    def url(self) -> str:
        return redact_url(self.engine.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, run_id: int | None = None) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on error. With `run_id`,
        what the session audits is attributed to that run (see `core.audit`)."""
        with self.sessions.begin() as session:
            if run_id is not None:
                session.info[RUN_ID] = run_id
            yield session

    def upgrade(self, revision: str = "head") -> None:
        migrate.upgrade(self.engine, revision)

    def status(self) -> StoreStatus:
        head = migrate.head_revision(self.engine)
        try:
            revision = migrate.current_revision(self.engine)
            counts: dict[str, int] = {}
            if revision is not None:
                with self.engine.connect() as conn:
                    for table in metadata.sorted_tables:
                        counts[table.name] = (
                            conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
                        )
        except sa.exc.SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None)
            reason = str(orig) if orig is not None else str(exc)
            return StoreStatus(self.url, False, None, head, {}, reason.splitlines()[0])
        return StoreStatus(self.url, True, revision, head, counts)

    def close(self) -> None:
        self.engine.dispose()
