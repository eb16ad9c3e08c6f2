"""Where a new opportunity looks for its twin: its customer's opportunities only, read along
the customer reference's index, once per customer in a pull (not every opportunity in the
store, which grew with it: an incremental sync must cost what its changes touch)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from core.store import Entity, Store
from core.sync.opportunities import OpportunityTwins


def _deal(customer: uuid.UUID, name: str) -> Entity:
    return Entity(
        kind="opportunity",
        data={"name": name, "customer": {"entity_id": str(customer)}, "stage": "qualification"},
    )


def test_twins_are_proposed_from_the_customers_own_opportunities_through_the_index(
    store: Store,
) -> None:
    huateng, hengxin = uuid.uuid4(), uuid.uuid4()
    with store.transaction() as session:
        ours = _deal(huateng, "2026 年度框架协议")
        session.add_all([ours, _deal(hengxin, "2026 年度框架协议"), _deal(huateng, "扩容项目")])
        session.flush()
        ours_id = ours.id
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    twins = OpportunityTwins()
    sa.event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.transaction() as session:
            # the name as another CRM writes it: case and spaces folded
            assert twins.proposed(session, str(huateng), "2026 年度框架协议 ") == [ours_id]
            assert twins.proposed(session, str(huateng), "没有这个商机") == []
            assert twins.proposed(session, str(uuid.uuid4()), "2026 年度框架协议") == []
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", seen)
    reads = [(sql, params) for sql, params in statements if "FROM entities" in sql]
    assert len(reads) == 2  # one per customer asked about, however many records ask
    if store.engine.dialect.name == "sqlite":  # PostgreSQL may scan a table this small
        sql, params = reads[0]
        with store.engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
        assert "ix_entities_customer_ref" in " ".join(str(row) for row in plan)
