"""`crmhub connections test` and `crmhub pull` against both emulators over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from connectors.emulator.loopback import config_text, connections, credentials_env
from connectors.emulator.serve import running
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.zoho.emulator import ZohoEmulator
from core.store import Cursor, SourceRecord, Store
from core.store import Quarantined as QuarantineRow
from workers.cli import app

runner = CliRunner()
MAPS = Path(__file__).resolve().parents[2] / "config" / "mappings"


@pytest.fixture
def emulators(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[ZohoEmulator, FxiaokeEmulator]]:
    world = generate_world(WorldSpec(customers=300, contacts=200, opportunities=100, seed=4))
    zoho, fxiaoke = ZohoEmulator.from_world(world), FxiaokeEmulator.from_world(world)
    emulators = {"zoho": zoho, "fxiaoke": fxiaoke}
    env = {**credentials_env("T", emulators), "CRMHUB_DATABASE_URL": database_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with running(zoho) as zoho_url, running(fxiaoke) as fx_url:
        urls = {"zoho": zoho_url, "fxiaoke": fx_url}
        user = fxiaoke.credentials()["currentOpenUserId"]
        crms = connections("T", urls, MAPS, fxiaoke_user=user)
        (tmp_path / "crmhub.yaml").write_text(config_text({"connections": crms}))
        monkeypatch.setenv("CRMHUB_CONFIG", str(tmp_path / "crmhub.yaml"))
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        yield zoho, fxiaoke


def stored(database_url: str, connection: str) -> tuple[dict[str, int], set[str], dict[str, int]]:
    """Source records per kind, cursor streams, and source records per status."""
    store = Store.open(database_url)
    try:
        with store.transaction() as session:
            mine = SourceRecord.connection == connection
            rows = session.execute(
                sa.select(SourceRecord.kind, sa.func.count())
                .where(mine)
                .group_by(SourceRecord.kind)
            )
            counts = {str(kind): int(n) for kind, n in rows}
            streams = set(
                session.scalars(sa.select(Cursor.stream).where(Cursor.connection == connection))
            )
            statuses = session.execute(
                sa.select(SourceRecord.status, sa.func.count())
                .where(mine)
                .group_by(SourceRecord.status)
            )
            by_status = {str(status): int(n) for status, n in statuses}
            mapped = session.scalar(
                sa.select(sa.func.count()).where(mine, SourceRecord.mapped.is_not(None))
            )
            quarantined = session.scalar(
                sa.select(sa.func.count())
                .select_from(QuarantineRow)
                .where(QuarantineRow.connection == connection, QuarantineRow.status == "open")
            )
            by_status["mapped"] = int(mapped or 0)
            by_status["open_quarantine"] = int(quarantined or 0)
    finally:
        store.close()
    return counts, streams, by_status


def test_connections_test_then_pull_both_crms(
    emulators: tuple[ZohoEmulator, FxiaokeEmulator], database_url: str
) -> None:
    zoho, fxiaoke = emulators
    result = runner.invoke(app, ["connections", "test"])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok") >= 2
    for connection, emulator, modules in (
        ("zoho", zoho, ("Accounts", "Contacts", "Deals")),
        ("fxiaoke", fxiaoke, ("AccountObj", "ContactObj", "NewOpportunityObj")),
    ):
        result = runner.invoke(app, ["pull", connection])
        assert result.exit_code == 0, result.output
        counts, streams, statuses = stored(database_url, connection)
        live = [
            sum(r.fields.get("life_status") != "invalid" for r in emulator.modules[m].rows.values())
            for m in modules
        ]
        assert [counts.get(k, 0) for k in ("customer", "contact", "opportunity")] == live
        assert "changes" in streams
        total = sum(counts.values())
        # every record is mapped to a canonical record or quarantined with its reason
        assert statuses["mapped"] + statuses.get("quarantined", 0) == total
        assert statuses.get("quarantined", 0) == statuses["open_quarantine"]
        assert statuses["mapped"] > 0.9 * total, statuses
        again = runner.invoke(app, ["pull", connection])  # nothing changed since
        assert again.exit_code == 0, again.output
        assert stored(database_url, connection)[0] == counts
