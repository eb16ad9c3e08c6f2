"""Shared fixtures. One fixture parametrizes the database backends every store test runs on.

CRMHUB_TEST_BACKENDS lists the backends (default "sqlite"; CI sets "sqlite,postgresql").
A listed backend that cannot be reached fails the run: it is never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from core.store import Store, make_engine

BACKENDS = [
    b.strip() for b in os.environ.get("CRMHUB_TEST_BACKENDS", "sqlite").split(",") if b.strip()
]
PG_ADMIN_URL = os.environ.get(
    "CRMHUB_TEST_PG_URL", "postgresql+psycopg://crmhub:crmhub@127.0.0.1:5432/postgres"
)


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database of each configured backend, dropped afterwards."""
    backend = request.param
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'crmhub.db'}"
        return
    if backend != "postgresql":
        raise pytest.UsageError(f"unknown backend {backend!r} in CRMHUB_TEST_BACKENDS")
    name = f"crmhub_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on each backend."""
    opened = Store.open(database_url)
    opened.upgrade()
    yield opened
    opened.close()
