"""A first sync of a large store binds no more values to one statement than a database takes.

SQLite takes 32,766 per statement and PostgreSQL's protocol 65,535; a 100k first sync had
some 250,000 entities waiting to be planned, and an `IN` list over all of them stopped it. Here
SQLite's limit is lowered to 1,000 and the store holds more entities than that, so any
statement that binds them all at once fails the same way, in seconds.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sync_harness import ASSIGNMENT

from connectors.protocol import RemoteDeletion
from core.assignment import AssignmentConfig, AssignmentPolicy
from core.config.policies import PoliciesConfig
from core.matching.store_index import active_ids
from core.store import Entity, Link, Run, Store
from core.sync.context import SyncContext
from core.sync.deletes import ingest_deletions
from core.sync.hub import Refs
from core.sync.owners import settle_owners
from core.sync.runs import ERROR_CHARS, finish_run, start_run
from mapping.model import EntityKind

LIMIT = 1000
CUSTOMERS = 1500


@pytest.fixture
def tight_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'tight.db'}")

    @event.listens_for(store.engine, "connect")
    def _tighten(dbapi_connection: Any, _record: Any) -> None:
        assert isinstance(dbapi_connection, sqlite3.Connection)
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)

    store.engine.dispose()  # connections opened before the listener: gone
    store.upgrade()
    yield store
    store.close()


def test_the_limit_is_real(tight_store: Store) -> None:
    with pytest.raises(sa.exc.OperationalError, match="too many SQL variables"), \
            tight_store.transaction() as session:  # fmt: skip
        session.execute(
            sa.select(Entity.id).where(Entity.kind.in_([str(n) for n in range(LIMIT + 1)]))
        )


def test_owners_are_settled_for_more_entities_than_one_statement_may_bind(
    tight_store: Store,
) -> None:
    with tight_store.transaction() as session:
        session.execute(
            sa.insert(Entity),
            [
                {"kind": "customer", "data": {"name": f"客户{n:05d}有限公司"}}
                for n in range(CUSTOMERS)
            ],
        )
    ctx = SyncContext(
        connections={},
        assignment=AssignmentPolicy.from_config(AssignmentConfig.model_validate(ASSIGNMENT)),
    )
    with tight_store.transaction() as session:
        settled = settle_owners(session, ctx)
    assert settled["assigned"] == CUSTOMERS


def test_a_run_that_fails_on_a_huge_statement_keeps_the_head_of_its_error(
    tight_store: Store,
) -> None:
    # what the 100k run stored: the statement with 400,000 placeholders and their values
    huge = "OperationalError: too many SQL variables\n[SQL: SELECT ... IN (" + "?, " * 400_000
    run_id = start_run(tight_store, "sync")
    finish_run(tight_store, run_id, {}, huge)
    with tight_store.transaction() as session:
        run = session.get(Run, run_id)
        assert run is not None
        assert run.status == "failed"
        assert run.error is not None
        assert run.error.startswith("OperationalError: too many SQL variables")
        assert len(run.error) < ERROR_CHARS + 100
        assert run.error.endswith(f"({len(huge) - ERROR_CHARS} more characters cut)")


def test_merged_ids_are_followed_for_more_entities_than_one_statement_may_bind(
    tight_store: Store,
) -> None:
    # what the invariant checker asks for every record it reads back
    with tight_store.transaction() as session:
        ids = [uuid.uuid4() for _ in range(CUSTOMERS)]
        survivor = ids[0]
        session.execute(
            sa.insert(Entity),
            [{"id": survivor, "kind": "customer", "data": {"name": "存续公司"}}]
            + [
                {
                    "id": i,
                    "kind": "customer",
                    "data": {"name": f"并入{n}"},
                    "status": "merged",
                    "merged_into": survivor,
                }
                for n, i in enumerate(ids[1:])
            ],
        )
    with tight_store.transaction() as session:
        resolved = active_ids(session, ids)
    assert len(resolved) == CUSTOMERS
    assert set(resolved.values()) == {survivor}


def _linked_customers(store: Store, count: int) -> list[str]:
    """`count` customers, each linked to Zoho record z-N; returns the remote ids."""
    ids = [uuid.uuid4() for _ in range(count)]
    remote_ids = [f"z-{n}" for n in range(count)]
    with store.transaction() as session:
        session.execute(
            sa.insert(Entity),
            [
                {"id": i, "kind": "customer", "data": {"name": f"客户{n}"}}
                for n, i in enumerate(ids)
            ],
        )
        session.execute(
            sa.insert(Link),
            [
                {"entity_id": i, "connection": "zoho", "kind": "customer", "remote_id": r}
                for i, r in zip(ids, remote_ids, strict=True)
            ],
        )
    return remote_ids


class _DeletedEverything:
    """A connector whose first deletion read returns a CRM's whole recycle bin."""

    def __init__(self, remote_ids: list[str]) -> None:
        self.remote_ids = remote_ids

    def pull_deletions(self, kind: EntityKind, since: Any) -> Iterator[list[RemoteDeletion]]:
        for start in range(0, len(self.remote_ids), 200):
            yield [RemoteDeletion(r, None, "recycle") for r in self.remote_ids[start : start + 200]]


def test_a_deletion_history_longer_than_one_statement_may_bind_is_applied(
    tight_store: Store,
) -> None:
    remote_ids = _linked_customers(tight_store, CUSTOMERS)
    connector = _DeletedEverything(remote_ids)
    counts = ingest_deletions(tight_store, "zoho", connector, EntityKind.CUSTOMER,  # type: ignore[arg-type]
                              policies=PoliciesConfig())  # fmt: skip
    assert counts.seen == CUSTOMERS
    assert counts.retired == CUSTOMERS  # then the mass-delete guard holds them for an operator
    with tight_store.transaction() as session:
        active = session.scalar(
            sa.select(sa.func.count()).select_from(Link).where(Link.status == "active")
        )
    assert active == 0


def test_references_to_a_whole_crm_are_resolved_in_chunks(tight_store: Store) -> None:
    # the invariant checker resolves every customer reference of a CRM at once
    remote_ids = _linked_customers(tight_store, CUSTOMERS)
    with tight_store.transaction() as session:
        refs = Refs(session)
        refs.preload("zoho", "customer", remote_ids)
        assert all(refs.entity_of("zoho", "customer", r) is not None for r in remote_ids)
