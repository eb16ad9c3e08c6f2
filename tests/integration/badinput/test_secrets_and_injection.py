# ruff: noqa: E501  (HOSTILE_CASES is a table: one case a line)
"""Security checks after real runs against both emulators on loopback.

Secrets: a pull, a forced token refresh, a failed refresh (wrong client secret) and a whole sync
with known secret values; then no secret (nor an access token the emulators issued) appears in
the captured logs, the CLI output, the errors raised, any row of any table, or any file under
$CRMHUB_HOME. Injection: hostile names from YAML (field names, criteria values, custom fields)
are refused by validation or, where accepted, reach the database only as bound parameters: the
tables survive a sync that uses them.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from pathlib import Path
from typing import NamedTuple

import pytest
import sqlalchemy as sa
from click.testing import Result
from crm_loopback import Loopback, loopback
from typer.testing import CliRunner

from core.store import make_engine
from workers.cli import app

runner = CliRunner()
CONFIG = Path(__file__).resolve().parents[3] / "config"
HOSTILE = 'x"; DROP TABLE entities; --'
NOT_SECRET = {
    "T_ZOHO_CLIENT_ID",
    "T_FXIAOKE_APP_ID",
}  # client and app ids identify, they do not authenticate


def dump_database(database_url: str) -> str:
    """Every row of every table as text."""
    engine = make_engine(database_url)
    try:
        meta = sa.MetaData()
        with warnings.catch_warnings():
            # SQLite's reflection skips the expression index on entities, saying so; the rows
            # are what this reads
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
            meta.reflect(engine)
        lines = []
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                lines += [f"{table.name}: {tuple(row)}" for row in conn.execute(table.select())]
        return "\n".join(lines)
    finally:
        engine.dispose()


def home_files(home: Path) -> str:
    if not home.exists():
        return ""
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()
    )


def run(args: list[str], seen: list[str]) -> Result:
    result = runner.invoke(app, args)
    seen += [result.output, repr(result.exception), str(result.exception)]
    assert "Traceback" not in result.output
    return result


def test_no_secret_in_logs_errors_database_or_files(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with loopback(database_url, tmp_path, monkeypatch) as crms:
        assert run(["db", "upgrade"], seen).exit_code == 0
        assert run(["pull", "zoho"], seen).exit_code == 0
        # the access tokens expire on the emulators' side: the next calls refresh them
        crms.zoho.reset_tokens()
        crms.fxiaoke.reset_tokens()
        assert run(["pull", "fxiaoke"], seen).exit_code == 0
        # an error path: the CRM refuses the client secret
        monkeypatch.setenv("T_ZOHO_CLIENT_SECRET", "WRONG-" + crms.secrets["T_ZOHO_CLIENT_SECRET"])
        crms.zoho.reset_tokens()
        refused = run(["pull", "zoho"], seen)
        assert refused.exit_code != 0
        monkeypatch.setenv("T_ZOHO_CLIENT_SECRET", crms.secrets["T_ZOHO_CLIENT_SECRET"])
        synced = run(["sync", "--json"], seen)
        assert '"pulled"' in synced.stdout, synced.output
        zoho_tokens = crms.taps["zoho"].issued_tokens()
        tokens = zoho_tokens | crms.taps["fxiaoke"].issued_tokens()
        secrets = {v for k, v in crms.secrets.items() if k not in NOT_SECRET}
        secrets |= {"WRONG-" + crms.secrets["T_ZOHO_CLIENT_SECRET"]}
    assert len(zoho_tokens) >= 2, "a token was refreshed"
    assert len(tokens) > len(zoho_tokens), "both CRMs issued tokens"
    places = {
        "logs": caplog.text + "\n".join(str(r.__dict__) for r in caplog.records),
        "cli output and errors": "\n".join(seen),
        "database": dump_database(database_url),
        "CRMHUB_HOME files": home_files(tmp_path / "home"),
    }
    assert len(places["database"]) > 10_000
    assert places["logs"]
    for where, text in places.items():
        for secret in secrets | tokens:
            assert secret not in text, f"a secret ({secret[:4]}…) is in the {where}"


class Hostile(NamedTuple):
    file: str
    old: str
    new: str
    refused: str | None  # the reason `config check` gives, or None: accepted (then bound)


HOSTILE_CASES = {
    "policy field name": Hostile("policies.yaml", "  phones: {policy", f"  '{HOSTILE}': {{policy", "is not a canonical field"),
    "policy custom field": Hostile("policies.yaml", "  phones: {policy", f"  'custom.{HOSTILE}': {{policy", None),
    "map canonical field": Hostile("mappings/zoho.yaml", "canonical: website, transform: str}", f"canonical: '{HOSTILE}', transform: str}}", "is not a field name"),
    "map custom field": Hostile("mappings/zoho.yaml", "canonical: custom.description,", f"canonical: 'custom.{HOSTILE}',", "is not a custom field name"),
    "map remote field": Hostile("mappings/zoho.yaml", "{remote: Description,", f"{{remote: '{HOSTILE}',", None),
    "criteria field": Hostile("assignment.yaml", "when: {tier: A}\n", f"when: {{'custom.{HOSTILE}': A}}\n", "is not a field assignment rules can test"),
    "criteria value": Hostile("assignment.yaml", "when: {tier: A}\n", "when: {city: \"A'; DROP TABLE entities; --\"}\n", None),
    "matching field": Hostile("matching.yaml", "fields: [custom.credit_code]}\n  comparisons", f"fields: ['custom.{HOSTILE}']}}\n  comparisons", None),
    "connection name": Hostile("crmhub.yaml", "\n  fxiaoke:\n", f"\n  '{HOSTILE}':\n", "connection name `x\"; DROP TABLE entities; --` is not a lower-case identifier"),
}  # fmt: skip


def hostile_config(tmp_path: Path, crms: Loopback, cases: list[Hostile]) -> Path:
    """The repository's sections and maps around the loopback connections, with `cases` in."""
    folder = tmp_path / "hostile"
    shutil.copytree(CONFIG, folder)
    main = crms.config.read_text().replace(str(CONFIG / "mappings"), str(folder / "mappings"))
    sections = "\nmatching: matching.yaml\nassignment: assignment.yaml\npolicies: policies.yaml\n"
    (folder / "crmhub.yaml").write_text(main + sections)
    for case in cases:
        path = folder / case.file
        text = path.read_text()
        assert case.old in text, (case.file, case.old)
        path.write_text(text.replace(case.old, case.new, 1))
    return folder / "crmhub.yaml"


def test_hostile_names_from_config_are_refused_or_bound(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with loopback(database_url, tmp_path, monkeypatch) as crms:
        accepted = []
        for name, case in HOSTILE_CASES.items():
            config = hostile_config(tmp_path / name.replace(" ", "_"), crms, [case])
            checked = runner.invoke(app, ["config", "check", str(config)])
            assert "Traceback" not in checked.output
            if case.refused is None:
                assert checked.exit_code == 0, (name, checked.output)
                accepted.append(case)
            else:
                assert checked.exit_code == 2, (name, checked.output)
                assert case.refused in checked.output, (name, checked.output)
        config = hostile_config(tmp_path, crms, accepted)
        monkeypatch.setenv("CRMHUB_CONFIG", str(config))
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        synced = runner.invoke(app, ["sync", "--json"])
        assert '"pulled"' in synced.stdout, synced.output
    engine = make_engine(database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            entities = conn.execute(sa.text("SELECT count(*) FROM entities")).scalar_one()
    finally:
        engine.dispose()
    assert {"entities", "source_records", "quarantine", "audit_log", "outbox"} <= tables
    assert entities > 0
