"""Writers against a CRM answering 429s and 5xx at a high rate reach the same end state as
against a healthy one: every write once, in order, nothing dead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from broker_backends import BrokerBackend
from writes_seed import ServedZoho, outbox_statuses, plan_accounts, served_zoho, write_config

from core.config import load_config
from core.store import Store
from workers.consume import WriterLoop
from workers.runtime import worker_parts


def end_state(zoho: ServedZoho) -> dict[str, list[Any]]:
    return {
        name: sorted(row.get("Description", "") for row in rows)
        for name, rows in zoho.accounts().items()
    }


def write_all(store: Store, zoho: ServedZoho, folder: Path, mp: pytest.MonkeyPatch) -> None:
    folder.mkdir()
    for key, value in write_config(folder, zoho).items():
        mp.setenv(key, value)
    config = (folder / "crmhub.yaml").read_text().replace("attempts: 8", "attempts: 12")
    (folder / "crmhub.yaml").write_text(config)
    with (folder / "workers.yaml").open("a") as workers:
        workers.write("batch_size: 2\n")  # many calls, so many faults
    parts = worker_parts(load_config(folder / "crmhub.yaml"), store)
    try:
        WriterLoop(store, parts.target, parts.writer, parts.loop_settings(until_idle=True)).run()
    finally:
        parts.close()


def run(
    store: Store, faults: dict[str, Any], folder: Path, mp: pytest.MonkeyPatch
) -> tuple[Any, ...]:
    names = plan_accounts(store, 30, versions=2)
    with served_zoho() as zoho:
        zoho.faults(**faults)
        write_all(store, zoho, folder, mp)
        counts = zoho.admin.get("/counts").json()
        failed = sum(o["count"] for o in counts["by_outcome"] if o["status"] in (429, 500))
        return names, end_state(zoho), outbox_statuses(store), zoho.recorder.versions(), failed


def test_a_throttling_failing_crm_converges_to_the_clean_end_state(
    store: Store, broker_backend: BrokerBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = Store.open(f"sqlite:///{tmp_path / 'clean.db'}")
    try:
        reference.upgrade()
        names, clean, clean_outbox, _, clean_failed = run(
            reference, {}, tmp_path / "a", monkeypatch
        )
    finally:
        reference.close()
    faults = {"rate_limit_rate": 0.25, "error_rate": 0.25, "seed": 11}
    _, faulty, faulty_outbox, sent, failed = run(store, faults, tmp_path / "b", monkeypatch)

    assert clean_failed == 0
    assert failed >= 10  # the faults did happen, and often
    assert faulty == clean  # the same accounts with the same values, none twice
    assert all(len(clean[name]) == 1 for name in names)
    assert faulty_outbox == clean_outbox == {"done": 60}
    for versions in sent.values():
        assert versions == sorted(versions)
