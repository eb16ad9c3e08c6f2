"""`crmhub pull` as a real subprocess: SIGTERM between pages stops it (exit 1, saying so) with
the pages read committed; the next `crmhub pull` reads the rest, each record once."""

from __future__ import annotations

import signal
from pathlib import Path

import sqlalchemy as sa
from test_schedule_signals import CONNECTION, start, stop, wait_for
from writes_seed import served_zoho, write_config

from core.store import SourceRecord, Store

ACCOUNTS = 450  # three pages of 200


def test_sigterm_stops_a_pull_between_pages_and_the_next_pull_reads_the_rest(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    with served_zoho() as zoho:
        user = zoho.emulator.api_user_id
        with zoho.emulator.lock:
            for index in range(ACCOUNTS):
                zoho.emulator.create_row("Accounts", {"Account_Name": f"客户 {index:03d}"}, user)
        zoho.emulator.clock.advance(2)  # the rows lie in finished seconds
        zoho.faults(latency_ms=400)  # a page takes a while: the signal lands between pages
        env = {
            **write_config(tmp_path, zoho, connection=CONNECTION),
            "CRMHUB_DATABASE_URL": database_url,
        }

        def stored() -> int:
            with store.transaction() as session:
                return int(
                    session.scalar(
                        sa.select(sa.func.count())
                        .select_from(SourceRecord)
                        .where(SourceRecord.kind == "customer")
                    )
                    or 0
                )

        pull = start(env, "pull", "zoho", "--entity", "customer")
        try:
            wait_for(lambda: stored() > 0, "a first page stored")
            code, stderr = stop(pull, signal.SIGTERM)
        finally:
            pull.kill() if pull.poll() is None else None
        assert code == 1, stderr[-3000:]
        assert "pull stopped between pages" in stderr
        assert 0 < stored() < ACCOUNTS  # whole pages: what was read is kept

        zoho.faults(latency_ms=0)
        pull = start(env, "pull", "zoho", "--entity", "customer")
        _, stderr_bytes = pull.communicate(timeout=120)
        assert pull.returncode == 0, stderr_bytes.decode()[-3000:]
        assert stored() == ACCOUNTS
        with store.transaction() as session:
            ids = session.scalars(sa.select(SourceRecord.remote_id)).all()
        assert sorted(ids) == sorted(zoho.emulator.modules["Accounts"].rows)
