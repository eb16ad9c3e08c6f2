"""A writer killed with SIGKILL in the middle of a batch loses nothing, duplicates nothing and
keeps each entity's writes in order once restarted.

The writer runs as a real `crmhub worker` subprocess against a Zoho emulator served over
loopback by this test; it kills itself (a real SIGKILL, see `workers.failpoints`) before a
push, after a push whose results are not committed, and after a commit whose messages are not
acknowledged. Each restart picks up where the dead one stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from broker_backends import BrokerBackend
from writes_seed import (
    ServedZoho,
    outbox_statuses,
    plan_accounts,
    plan_deals,
    served_zoho,
    write_config,
)

from core.store import Link, Store

ACCOUNTS = 24
VERSIONS = 3


def run_worker(env: dict[str, str], failpoint: str | None = None) -> int:
    command = [sys.executable, "-m", "workers.cli", "worker", "--until-idle", "--quiet"]
    run_env = {**os.environ, **env}
    run_env.pop("CRMHUB_FAILPOINTS", None)
    if failpoint is not None:
        run_env["CRMHUB_FAILPOINTS"] = failpoint
    done = subprocess.run(command, env=run_env, capture_output=True, timeout=120, check=False)
    if done.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(done.stderr.decode()[-3000:])
    return done.returncode


def test_killed_writers_lose_nothing_duplicate_nothing_and_keep_order(
    store: Store, database_url: str, broker_backend: BrokerBackend, tmp_path: Path
) -> None:
    names = plan_accounts(store, ACCOUNTS, versions=VERSIONS)
    with served_zoho() as zoho:
        env = {
            **broker_backend.env,
            **write_config(tmp_path, zoho, republish=1.0, lease=2),
            "CRMHUB_DATABASE_URL": database_url,
        }
        # small batches, so every kill lands in the middle of the run
        with (tmp_path / "workers.yaml").open("a") as config:
            config.write("batch_size: 4\n")
        for point in ("before_push:2", "after_push:2", "after_commit:2"):
            assert run_worker(env, point) == -signal.SIGKILL, point
        assert run_worker(env) == 0
        check_end_state(store, zoho, names)


def test_a_create_killed_between_push_and_commit_is_not_made_twice(
    store: Store, database_url: str, broker_backend: BrokerBackend, tmp_path: Path
) -> None:
    # Deals are created insert_only and Zoho checks no field of theirs for duplicates: the
    # restarted writer must find what its dead predecessor made instead of creating again
    names = plan_deals(store, 12)
    with served_zoho() as zoho:
        env = {
            **broker_backend.env,
            **write_config(tmp_path, zoho, republish=1.0, lease=2),
            "CRMHUB_DATABASE_URL": database_url,
        }
        with (tmp_path / "workers.yaml").open("a") as config:
            config.write("batch_size: 4\n")
        assert run_worker(env, "after_push:1") == -signal.SIGKILL
        assert len(zoho.records("Deals", "Deal_Name")) == 4  # pushed, never committed
        assert run_worker(env) == 0
        deals = zoho.records("Deals", "Deal_Name")
        assert outbox_statuses(store) == {"done": len(names)}
        assert {name: len(deals[name]) for name in names} == dict.fromkeys(names, 1)
        with store.transaction() as session:
            linked = {remote for (remote,) in session.execute(sa.select(Link.remote_id))}
        assert linked == {deals[name][0]["id"] for name in names}


def check_end_state(store: Store, zoho: ServedZoho, names: list[str]) -> None:
    assert outbox_statuses(store) == {"done": ACCOUNTS * VERSIONS}
    accounts = zoho.accounts()
    assert [name for name in names if len(accounts[name]) != 1] == []  # no lost, no duplicate
    assert {accounts[name][0]["Description"] for name in names} == {f"v{VERSIONS}"}
    sent = zoho.recorder.versions()
    for name in names:
        assert sent[name] == sorted(sent[name]), name  # never an older write after a newer one
        assert set(sent[name]) == set(range(1, VERSIONS + 1)), name
    # the writes a killed writer had pushed were sent again, and made nothing twice
    assert any(len(v) > len(set(v)) for v in sent.values())
    with store.transaction() as session:
        linked = session.execute(sa.select(Link.entity_id, Link.remote_id)).all()
    assert len(linked) == ACCOUNTS
    assert {remote for _, remote in linked} == {accounts[name][0]["id"] for name in names}
