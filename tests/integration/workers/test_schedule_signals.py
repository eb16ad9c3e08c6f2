"""`crmhub schedule --with-writer` as a real subprocess: SIGTERM in the middle of its work
finishes the sync and the write batch in hand and stops; a restarted scheduler does not sync
again before the schedule says, and a restarted writer sends the rest, each record once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from broker_backends import BrokerBackend
from writes_seed import ServedZoho, outbox_statuses, plan_accounts, served_zoho, write_config

from core.store import Lease, OutboxItem, Run, Store
from core.store.base import utcnow

MAPS = Path(__file__).resolve().parents[3] / "config" / "mappings"
ACCOUNTS = 12
CONNECTION = {"mapping": f"{MAPS}/zoho.yaml", "schedule": "{every: 1h}"}


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def start(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "workers.cli", *args]
    return subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> tuple[int, str]:
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr.decode()


def slow_hub_env(
    zoho: ServedZoho, database_url: str, broker_backend: BrokerBackend, folder: Path
) -> dict[str, str]:
    """The environment of a `crmhub` subprocess on `zoho`, writing two records a batch (so a
    signal lands between batches)."""
    env = {
        **broker_backend.env,
        **write_config(folder, zoho, connection=CONNECTION),
        "CRMHUB_DATABASE_URL": database_url,
    }
    with (folder / "workers.yaml").open("a") as config:
        config.write("batch_size: 2\n")
    return env


def test_sigterm_finishes_the_sync_and_the_batch_in_hand(
    store: Store, database_url: str, broker_backend: BrokerBackend, tmp_path: Path
) -> None:
    names = plan_accounts(store, ACCOUNTS, versions=1)
    with served_zoho() as zoho:
        zoho.faults(latency_ms=200)  # every call takes a while: the signal lands mid-work
        env = slow_hub_env(zoho, database_url, broker_backend, tmp_path)

        def runs() -> list[Run]:
            with store.transaction() as session:
                found = list(session.scalars(sa.select(Run).where(Run.kind == "sync")))
                session.expunge_all()
                return found

        def done() -> int:
            return outbox_statuses(store).get("done", 0)

        def left() -> int:
            return sum(n for status, n in outbox_statuses(store).items() if status != "done")

        scheduler = start(env, "schedule", "--with-writer")
        try:
            wait_for(
                lambda: [r.status for r in runs()] == ["running"] and done() >= 1,
                "a first batch written while the sync runs",
            )
            code, stderr = stop(scheduler, signal.SIGTERM)
        finally:
            scheduler.kill() if scheduler.poll() is None else None
        assert code == 0, stderr[-3000:]
        assert "SIGTERM: finishing" in stderr
        # the sync in hand ran to its end (a sync cut short would leave its run `running`)
        (run,) = runs()
        assert (run.status, run.error) == ("ok", None)
        assert run.counts["calls"]["zoho"] > 0
        # the batch in hand was finished: every account the CRM holds has its write done ...
        with store.transaction() as session:
            written = set(
                session.scalars(
                    sa.select(OutboxItem.payload["Account_Name"].as_string()).where(
                        OutboxItem.status == "done", OutboxItem.operation == "create"
                    )
                )
            )
        held = {name for name in names if zoho.accounts().get(name)}
        assert held == written
        assert 0 < len(written) < ACCOUNTS  # ... and it stopped before writing everything
        with store.transaction() as session:
            lease = session.get(Lease, "sync:zoho")
            assert lease is not None
            assert lease.acquired_at <= run.started_at  # the start the schedule counts from
            assert lease.expires_at <= utcnow()  # given back

        # a new scheduler does not sync again before the hour is up; its writer sends the rest
        scheduler = start(env, "schedule", "--with-writer")
        try:
            wait_for(lambda: left() == 0, "the remaining writes")
            code, stderr = stop(scheduler, signal.SIGINT)
        finally:
            scheduler.kill() if scheduler.poll() is None else None
        assert code == 0, stderr[-3000:]
        assert len(runs()) == 1
        assert set(outbox_statuses(store)) == {"done"}
        accounts = zoho.accounts()
        assert [name for name in names if len(accounts[name]) != 1] == []
