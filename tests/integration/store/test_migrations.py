"""Migrations build the schema from empty on every backend, and match the table definitions."""

from __future__ import annotations

import uuid
import warnings
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.store import Entity, Link, OutboxItem, Store, metadata
from core.store.migrate import downgrade
from core.sync.snapshots import customer_ref, mark_followers_dirty


def test_upgrade_from_empty_creates_every_table(database_url: str) -> None:
    store = Store.open(database_url)
    assert store.status().revision is None
    store.upgrade()
    status = store.status()
    assert status.up_to_date
    assert set(status.counts) == {t.name for t in metadata.sorted_tables}
    assert all(count == 0 for count in status.counts.values())
    store.close()


# made by migrations only: Alembic cannot compare an expression index with the model's
EXPRESSION_INDEXES = {"ix_entities_customer_ref"}


def test_migrations_match_the_table_definitions(store: Store) -> None:
    with store.engine.connect() as conn, warnings.catch_warnings():
        # SQLite's reflection skips expression indexes, saying so
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    expected = [d for d in diff if d[0] == "remove_index" and d[1].name in EXPRESSION_INDEXES]
    assert [d for d in diff if d not in expected] == []
    with store.engine.connect() as conn:
        names = {
            str(name)
            for (name,) in conn.execute(
                sa.text("SELECT name FROM sqlite_master WHERE type = 'index'")
                if store.engine.dialect.name == "sqlite"
                else sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'entities'")
            )
        }
    assert names >= EXPRESSION_INDEXES  # made by the migration


def test_followers_of_a_customer_are_found_through_the_index(store: Store) -> None:
    customer = uuid.uuid4()
    with store.transaction() as session:
        session.add(Entity(id=customer, kind="customer", data={"name": "恒信机械有限公司"}))
        session.add(Entity(kind="contact", data={"customer": {"entity_id": str(customer)}},
                           planned_version=1))  # fmt: skip
        session.add(Entity(kind="contact", data={"customer": {"entity_id": "other"}},
                           planned_version=1))  # fmt: skip
    with store.transaction() as session:
        mark_followers_dirty(session, [customer])
    with store.transaction() as session:
        replanned = session.scalars(
            sa.select(Entity.data).where(Entity.kind == "contact", Entity.planned_version.is_(None))
        ).all()
        assert replanned == [{"customer": {"entity_id": str(customer)}}]
        statement = sa.select(Entity.id).where(customer_ref(session).in_([str(customer)]))
        sql = str(statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN QUERY PLAN" if store.engine.dialect.name == "sqlite" else "EXPLAIN"
        plan = " ".join(str(row) for row in session.execute(sa.text(f"{explain} {sql}")))
    if store.engine.dialect.name == "sqlite":  # PostgreSQL may scan a table this small
        assert "ix_entities_customer_ref" in plan


def test_downgrade_to_base_and_back(store: Store) -> None:
    downgrade(store.engine, "base")
    assert sa.inspect(store.engine).get_table_names() == ["alembic_version"]
    store.upgrade()
    assert store.status().up_to_date


def test_link_is_unique_per_connection_kind_and_remote_id(store: Store) -> None:
    with store.transaction() as session:
        entity = Entity(kind="customer", data={"name": "华为技术有限公司"})
        session.add(entity)
        session.flush()
        session.add(Link(entity_id=entity.id, connection="zoho", kind="customer", remote_id="1"))
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as session:
        session.add(Link(entity_id=entity.id, connection="zoho", kind="customer", remote_id="1"))


def test_json_and_times_round_trip_with_zones(store: Store) -> None:
    shanghai = timezone(timedelta(hours=8))
    written = datetime(2024, 5, 2, 11, 17, 33, tzinfo=shanghai)
    entity_id = uuid.uuid4()
    with store.transaction() as session:
        session.add(
            Entity(
                id=entity_id,
                kind="customer",
                data={"name": "深圳市腾讯计算机系统有限公司", "amount": "12.30"},
                created_at=written,
            )
        )
    with store.transaction() as session:
        loaded = session.get(Entity, entity_id)
        assert loaded is not None
        assert loaded.data == {"name": "深圳市腾讯计算机系统有限公司", "amount": "12.30"}
        assert loaded.created_at == written
        assert loaded.created_at.tzinfo is not None
        assert loaded.created_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(store: Store) -> None:
    with (
        pytest.raises(sa.exc.StatementError, match="naive datetime"),
        store.transaction() as session,
    ):
        session.add(Entity(kind="customer", data={}, created_at=datetime(2024, 1, 1)))  # noqa: DTZ001


def test_outbox_idempotency_key_is_unique(store: Store) -> None:
    def item() -> OutboxItem:
        return OutboxItem(
            connection="zoho",
            kind="customer",
            entity_id=uuid.uuid4(),
            operation="create",
            payload={},
            idempotency_key="k1",
            created_at=datetime.now(UTC),
        )

    with store.transaction() as session:
        session.add(item())
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as session:
        session.add(item())


def test_status_counts_rows(store: Store) -> None:
    with store.transaction() as session:
        session.add_all([Entity(kind="customer", data={}) for _ in range(3)])
    assert store.status().counts["entities"] == 3


def test_unreachable_database_is_reported_not_raised() -> None:
    store = Store.open("postgresql+psycopg://nobody:wrong@127.0.0.1:1/none?connect_timeout=2")
    status = store.status()
    assert not status.reachable
    assert status.error
    assert "wrong" not in status.url  # the password never reaches a message
    store.close()
