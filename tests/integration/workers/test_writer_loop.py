"""The writer loop against a Zoho emulator over loopback HTTP, on every broker backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from broker_backends import BrokerBackend
from writes_seed import ServedZoho, outbox_statuses, plan_accounts, served_zoho, write_config

from core.config import load_config
from core.store import DeadLetter, Entity, Link, OutboxItem, ReviewItem, Store
from workers.consume import WriterLoop
from workers.runtime import worker_parts


@pytest.fixture
def zoho() -> Iterator[ServedZoho]:
    with served_zoho() as served:
        yield served


def run_until_idle(
    store: Store, tmp_path: Path, zoho: ServedZoho, mp: pytest.MonkeyPatch, batch_wait: float = 0.1
) -> int:
    for key, value in write_config(tmp_path, zoho, batch_wait=batch_wait).items():
        mp.setenv(key, value)
    parts = worker_parts(load_config(tmp_path / "crmhub.yaml"), store)
    try:
        loop = WriterLoop(store, parts.target, parts.writer, parts.loop_settings(until_idle=True))
        totals = loop.run()
    finally:
        parts.close()
    return totals.calls


def test_writes_reach_the_crm_once_each_in_order_with_links(
    store: Store,
    broker_backend: BrokerBackend,
    zoho: ServedZoho,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = plan_accounts(store, 40, versions=3)
    # a batch waits up to 1 s to fill: on a loaded machine 0.1 s split a round's 40 writes
    calls = run_until_idle(store, tmp_path, zoho, monkeypatch, batch_wait=1.0)

    assert outbox_statuses(store) == {"done": 120}
    accounts = zoho.accounts()
    assert all(len(accounts[name]) == 1 for name in names)  # no duplicate record
    assert {accounts[name][0]["Description"] for name in names} == {"v3"}
    for name, versions in zoho.recorder.versions().items():
        assert versions == sorted(versions), name  # never an older write after a newer one
    with store.transaction() as session:
        links = session.scalars(sa.select(Link)).all()
        assert len(links) == 40
        assert {link.remote_id for link in links} == {accounts[name][0]["id"] for name in names}
    # three rounds of one batch each (+ the token): far from one call per write
    assert calls <= 3 * 2 + 1


def test_a_refused_record_becomes_a_dead_letter_and_the_batch_goes_on(
    store: Store,
    broker_backend: BrokerBackend,
    zoho: ServedZoho,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = plan_accounts(store, 5, versions=1)
    with store.transaction() as session:
        entity = Entity(kind="customer", data={"name": "nameless"})
        session.add(entity)
        session.flush()
        session.add(
            OutboxItem(
                connection="zoho", kind="customer", entity_id=entity.id, operation="create",
                mode="upsert", payload={"Description": "no Account_Name"}, partition=3,
                idempotency_key="nameless",
            )
        )  # fmt: skip
    run_until_idle(store, tmp_path, zoho, monkeypatch)

    assert outbox_statuses(store) == {"done": 5, "dead": 1}
    assert all(len(zoho.accounts()[name]) == 1 for name in names)
    with store.transaction() as session:
        letter = session.scalars(sa.select(DeadLetter)).one()
        assert letter.error_code == "MANDATORY_NOT_FOUND"
        assert letter.payload == {"Description": "no Account_Name"}
        review = session.scalars(sa.select(ReviewItem)).one()
        assert review.kind == "dead_letter"
        assert "MANDATORY_NOT_FOUND" in review.summary


def test_a_low_budget_sends_urgent_writes_and_holds_the_rest(
    store: Store,
    broker_backend: BrokerBackend,
    zoho: ServedZoho,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = plan_accounts(store, 4, versions=1)
    with store.transaction() as session:
        urgent = session.scalars(sa.select(OutboxItem).order_by(OutboxItem.id)).first()
        assert urgent is not None
        urgent.priority = 10
    for key, value in write_config(tmp_path, zoho).items():
        monkeypatch.setenv(key, value)
    with (tmp_path / "workers.yaml").open("a") as config:
        config.write("budgets: {zoho: {calls_per_day: 100, urgent_reserve: 0.2}}\n")
    parts = worker_parts(load_config(tmp_path / "crmhub.yaml"), store)
    parts.budgets.record("zoho", 85)  # 15 left, under the reserve of 20
    try:
        WriterLoop(
            store,
            parts.target,
            parts.writer,
            parts.loop_settings(until_idle=True),
            budgets=parts.budgets,
        ).run()
    finally:
        parts.close()
    assert outbox_statuses(store) == {"done": 1, "pending": 3}
    assert [n for n in names if zoho.accounts().get(n)] == [names[0]]
    state = parts.budgets.state("zoho")
    assert state is not None
    assert state.used > 85  # the calls made were counted
