"""`crmhub sync` as a real subprocess: SIGTERM in the middle of its writes finishes the write
batch in hand and stops (exit 1, saying so); the next `crmhub sync` goes on from the outbox and
sends the rest, each record once."""

from __future__ import annotations

import signal
from pathlib import Path

import sqlalchemy as sa
from broker_backends import BrokerBackend
from test_schedule_signals import slow_hub_env, start, stop, wait_for
from writes_seed import outbox_statuses, plan_accounts, served_zoho

from core.store import OutboxItem, Run, Store

ACCOUNTS = 12


def test_sigterm_stops_a_sync_between_write_batches_and_the_next_sync_goes_on(
    store: Store, database_url: str, broker_backend: BrokerBackend, tmp_path: Path
) -> None:
    names = plan_accounts(store, ACCOUNTS, versions=1)
    with served_zoho() as zoho:
        zoho.faults(latency_ms=200)  # every call takes a while: the signal lands mid-work
        env = slow_hub_env(zoho, database_url, broker_backend, tmp_path)

        def done() -> int:
            return outbox_statuses(store).get("done", 0)

        sync = start(env, "sync")
        try:
            wait_for(lambda: done() >= 1, "a first batch written")
            code, stderr = stop(sync, signal.SIGTERM)
        finally:
            sync.kill() if sync.poll() is None else None
        assert code == 1, stderr[-3000:]
        assert "stopped before the end" in stderr
        with store.transaction() as session:
            written = set(
                session.scalars(
                    sa.select(OutboxItem.payload["Account_Name"].as_string()).where(
                        OutboxItem.status == "done", OutboxItem.operation == "create"
                    )
                )
            )
            (run,) = session.scalars(sa.select(Run).where(Run.kind == "sync")).all()
            assert run.status == "ok"  # finished, not left running
        # the batch in hand was finished: every account the CRM holds has its write done ...
        assert {name for name in names if zoho.accounts().get(name)} == written
        assert 0 < len(written) < ACCOUNTS  # ... and it stopped before writing everything

        sync = start(env, "sync")
        _, stderr_bytes = sync.communicate(timeout=120)
        assert sync.returncode == 0, stderr_bytes.decode()[-3000:]
        # nothing left on its way (the second sync's own plan may supersede a queued write)
        assert set(outbox_statuses(store)) <= {"done", "superseded"}
        accounts = zoho.accounts()
        assert [name for name in names if len(accounts[name]) != 1] == []
