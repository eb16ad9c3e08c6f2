"""`crmhub pull` and `crmhub connections test` against a fake Zoho org (respx), on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
import sqlalchemy as sa
from fakes import zoho as zo
from typer.testing import CliRunner

from core.store import Cursor, Quarantined, Run, SourceRecord, Store
from workers.cli import app

runner = CliRunner()

MAPS = Path(__file__).resolve().parents[2] / "config" / "mappings"
CONFIG = """
connections:
  zoho_us:
    type: zoho
    data_centre: us
    mapping: {maps}/zoho.yaml
    credentials:
      client_id: env:TEST_ZOHO_ID
      client_secret: env:TEST_ZOHO_SECRET
      refresh_token: env:TEST_ZOHO_REFRESH
    options:
      overlap_seconds: 60
      client: {retry: {attempts: 3, initial_wait: 0, jitter: 0}}
"""


@pytest.fixture
def org(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[zo.FakeOrg]:
    (tmp_path / "crmhub.yaml").write_text(CONFIG.replace("{maps}", str(MAPS)))
    monkeypatch.setenv("CRMHUB_CONFIG", str(tmp_path / "crmhub.yaml"))
    monkeypatch.setenv("CRMHUB_DATABASE_URL", database_url)
    for var, value in zip(("ID", "SECRET", "REFRESH"), zo.SECRETS, strict=True):
        monkeypatch.setenv(f"TEST_ZOHO_{var}", value)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    fake = zo.FakeOrg(zo.T0)
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


def seed(org: zo.FakeOrg, count: int) -> None:
    for n in range(count):
        org.insert("Accounts", {"Account_Name": f"Company {n}", "Annual_Revenue": 1250000.5})


def stored(database_url: str) -> tuple[dict[str, SourceRecord], list[Cursor], list[Run]]:
    store = Store.open(database_url)
    try:
        with store.transaction() as session:
            records = {r.remote_id: r for r in session.scalars(sa.select(SourceRecord))}
            cursors = list(session.scalars(sa.select(Cursor)))
            runs = list(session.scalars(sa.select(Run)))
            session.expunge_all()
    finally:
        store.close()
    return records, cursors, runs


def test_pull_stores_raw_records_and_the_cursor(org: zo.FakeOrg, database_url: str) -> None:
    seed(org, 450)
    result = runner.invoke(app, ["pull", "zoho_us", "--entity", "customer"])
    assert result.exit_code == 0, result.output
    assert "450" in result.output
    records, cursors, runs = stored(database_url)
    assert set(records) == {r["id"] for r in org.modules["Accounts"]}
    sample = records[org.modules["Accounts"][0]["id"]]
    assert sample.raw["Account_Name"] == "Company 0"
    assert sample.raw["Annual_Revenue"] == "1250000.5"  # exact, never a float
    assert sample.mapped is not None
    assert sample.mapped["name"] == "Company 0"  # the canonical record, in the same transaction
    [cursor] = [c for c in cursors if c.stream == "changes"]
    assert cursor.value["last_id"] == org.modules["Accounts"][-1]["id"]
    assert runs[-1].status == "ok"
    assert runs[-1].counts["entities"]["customer"]["records"] == 450

    changed = org.modules["Accounts"][5]["id"]
    org.update("Accounts", {"id": changed, "Account_Name": "Renamed"})
    result = runner.invoke(app, ["pull", "zoho_us", "-e", "customer"])
    assert result.exit_code == 0, result.output
    records, _, runs = stored(database_url)
    assert runs[-1].counts["entities"]["customer"]["records"] == 1
    assert records[changed].raw["Account_Name"] == "Renamed"


def test_an_interrupted_pull_keeps_what_it_committed_and_resumes(
    org: zo.FakeOrg, database_url: str
) -> None:
    seed(org, 450)

    def down_after_first_page(count: int) -> None:
        if count == 2:
            org.failures = 10

    org.before_list = down_after_first_page
    result = runner.invoke(app, ["pull", "zoho_us", "-e", "customer"])
    assert result.exit_code == 3, result.output
    assert "resumes" in result.output
    records, _, runs = stored(database_url)
    assert len(records) == 200
    assert runs[-1].status == "failed"

    org.failures, org.before_list = 0, None
    result = runner.invoke(app, ["pull", "zoho_us", "-e", "customer"])
    assert result.exit_code == 0, result.output
    records, _, runs = stored(database_url)
    assert set(records) == {r["id"] for r in org.modules["Accounts"]}
    assert runs[-1].counts["entities"]["customer"]["records"] == 250  # none repeated


def test_deletions_mark_source_records(org: zo.FakeOrg, database_url: str) -> None:
    seed(org, 3)
    assert runner.invoke(app, ["pull", "zoho_us", "-e", "customer"]).exit_code == 0
    gone = org.modules["Accounts"][0]["id"]
    org.delete("Accounts", [gone])
    result = runner.invoke(app, ["pull", "zoho_us", "-e", "customer"])
    assert result.exit_code == 0, result.output
    records, cursors, _ = stored(database_url)
    assert records[gone].status == "deleted"
    assert {c.stream for c in cursors} == {"changes", "deletions", "pass"}


def test_unknown_connection_suggests_a_name(org: zo.FakeOrg) -> None:
    result = runner.invoke(app, ["pull", "zoho_uss"])
    assert result.exit_code == 2
    assert "did you mean 'zoho_us'" in result.output


def test_connections_test_reports_each_connection(
    org: zo.FakeOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["connections", "test"])
    assert result.exit_code == 0, result.output
    assert "zoho_us" in result.output
    assert "ok" in result.output
    monkeypatch.setenv("TEST_ZOHO_SECRET", "a-wrong-secret-value")
    result = runner.invoke(app, ["connections", "test", "zoho_us"])
    assert result.exit_code == 1
    assert "invalid_client" in result.output
    assert "a-wrong-secret-value" not in result.output


def test_a_missing_secret_is_a_config_error(
    org: zo.FakeOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_ZOHO_REFRESH")
    result = runner.invoke(app, ["connections", "test"])
    assert result.exit_code == 2
    assert "TEST_ZOHO_REFRESH" in result.output


def test_records_are_mapped_and_bad_ones_quarantined_until_fixed(
    org: zo.FakeOrg, database_url: str
) -> None:
    seed(org, 3)
    bad = org.modules["Accounts"][1]
    bad["Phone"] = "call the front desk"
    result = runner.invoke(app, ["pull", "zoho_us", "-e", "customer"])
    assert result.exit_code == 0, result.output
    records, _, runs = stored(database_url)
    assert runs[-1].counts["entities"]["customer"]["quarantined"] == 1
    assert records[bad["id"]].status == "quarantined"
    assert records[bad["id"]].mapped is None
    good = records[org.modules["Accounts"][0]["id"]]
    assert good.status == "ok"
    assert good.mapped is not None
    assert good.mapped["name"] == "Company 0"
    [held] = quarantine(database_url)
    assert (held.remote_id, held.field, held.status) == (bad["id"], "Phone (→ phones[0])", "open")
    assert "contains letters" in held.reason

    org.update("Accounts", {"id": bad["id"], "Phone": "+86 10 6552 9988"})  # fixed in the CRM
    assert runner.invoke(app, ["pull", "zoho_us", "-e", "customer"]).exit_code == 0
    records, _, _ = stored(database_url)
    assert records[bad["id"]].status == "ok"
    assert records[bad["id"]].mapped is not None
    assert [q.status for q in quarantine(database_url)] == ["released"]


def quarantine(database_url: str) -> list[Quarantined]:
    store = Store.open(database_url)
    try:
        with store.transaction() as session:
            rows = list(session.scalars(sa.select(Quarantined)))
            session.expunge_all()
    finally:
        store.close()
    return rows
