"""A slow CRM does not pace a fast one: each connection's writes go in a lane of their own.

Two Zoho emulators over loopback HTTP, one answering every call after 3 s. Their writes are
planned interleaved, so one batch taken from the broker would hold both; before lanes, the fast
CRM's second batch waited for the slow CRM's first call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from broker_backends import BrokerBackend
from writes_seed import ServedZoho, outbox_statuses, plan_accounts, served_zoho

from core.config import load_config
from core.store import OutboxItem, Store
from workers.consume import WriterLoop
from workers.runtime import worker_parts

CONNECTION = """
  {name}:
    type: zoho
    base_url: {url}
    credentials:
      client_id: env:T_{upper}_ID
      client_secret: env:T_{upper}_SECRET
      refresh_token: env:T_{upper}_REFRESH
"""
WORKERS = "batch_wait_s: 0.1\nrelay_interval_s: 0.1\nrepublish_after_s: 60\n"


@pytest.fixture
def two_zohos() -> Iterator[tuple[ServedZoho, ServedZoho]]:
    with served_zoho(seed=5) as fast, served_zoho(seed=6) as slow:
        slow.faults(latency_ms=3000.0)
        yield fast, slow


def _configure(
    folder: Path, served: dict[str, ServedZoho], monkeypatch: pytest.MonkeyPatch
) -> Path:
    text = "connections:" + "".join(
        CONNECTION.format(name=name, upper=name.upper(), url=zoho.url)
        for name, zoho in served.items()
    )
    (folder / "crmhub.yaml").write_text(text + "workers: workers.yaml\n")
    (folder / "workers.yaml").write_text(WORKERS)
    for name, zoho in served.items():
        creds = zoho.emulator.credentials()
        monkeypatch.setenv(f"T_{name.upper()}_ID", creds["client_id"])
        monkeypatch.setenv(f"T_{name.upper()}_SECRET", creds["client_secret"])
        monkeypatch.setenv(f"T_{name.upper()}_REFRESH", creds["refresh_token"])
    return folder / "crmhub.yaml"


def test_a_slow_crm_does_not_hold_back_a_fast_ones_writes(
    store: Store,
    broker_backend: BrokerBackend,
    two_zohos: tuple[ServedZoho, ServedZoho],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, slow = two_zohos
    for n in range(150):  # interleaved: fast, slow, fast, slow, ...
        plan_accounts(store, 1, versions=1, connection="fast", tag=f"fast{n}")
        plan_accounts(store, 1, versions=1, connection="slow", tag=f"slow{n}")
    config = _configure(tmp_path, {"fast": fast, "slow": slow}, monkeypatch)
    parts = worker_parts(load_config(config), store)
    batches: list[int] = []
    try:
        loop = WriterLoop(
            store,
            parts.target,
            parts.writer,
            parts.loop_settings(until_idle=True),
            on_batch=lambda counts: batches.append(counts.done),
        )
        totals = loop.run()
    finally:
        parts.close()

    assert outbox_statuses(store) == {"done": 300}
    assert totals.done == 300 == sum(batches)
    assert all(len(rows) == 1 for rows in fast.accounts().values())
    assert len(fast.accounts()) == len(slow.accounts()) == 150
    with store.transaction() as session:
        finished = dict(
            session.execute(
                sa.select(OutboxItem.connection, sa.func.max(OutboxItem.done_at)).group_by(
                    OutboxItem.connection
                )
            ).all()
        )
        first_slow = session.scalar(
            sa.select(sa.func.min(OutboxItem.done_at)).where(OutboxItem.connection == "slow")
        )
    # every fast write was done before the slow CRM answered its first call
    assert first_slow is not None
    assert finished["fast"] < first_slow
