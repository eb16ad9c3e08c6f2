"""The command line: help, db upgrade, status, config check, exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.store import make_engine
from core.store.migrate import head_revision
from workers.cli import app

runner = CliRunner()


@pytest.fixture
def db_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("CRMHUB_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no config/crmhub.yaml here: defaults
    monkeypatch.delenv("CRMHUB_CONFIG", raising=False)
    return database_url


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "config", "status"):
        assert command in result.output


def test_status_before_upgrade_says_what_to_do(db_env: str) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert "crmhub db upgrade" in result.output


def test_upgrade_then_status_shows_counts(db_env: str) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = make_engine(db_env)
    head = head_revision(engine)
    engine.dispose()
    assert f"revision {head}" in result.output
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    for table in ("entities", "links", "outbox", "audit_log"):
        assert table in result.output


def test_unreachable_database_exits_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(
        "CRMHUB_DATABASE_URL", "postgresql+psycopg://u:topsecret@127.0.0.1:1/x?connect_timeout=2"
    )
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 3
    assert "not reachable" in result.output
    assert "topsecret" not in result.output


def test_config_check_reports_file_line_and_fix(tmp_path: Path) -> None:
    bad = tmp_path / "crmhub.yaml"
    bad.write_text("connections:\n  z:\n    type: zohoo\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.output
    assert "did you mean `zoho`" in result.output


def test_config_check_accepts_a_folder(tmp_path: Path) -> None:
    (tmp_path / "crmhub.yaml").write_text("connections: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_bad_config_stops_other_commands_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "crmhub.yaml"
    bad.write_text("database: {urll: x}\n", encoding="utf-8")
    result = runner.invoke(app, ["--config", str(bad), "status"])
    assert result.exit_code == 2
    assert "did you mean `url`" in result.output


def test_installed_command_runs_on_a_fresh_sqlite_home(tmp_path: Path) -> None:
    exe = shutil.which("crmhub", path=str(Path(sys.executable).parent))
    assert exe is not None, "installing the project must put `crmhub` on PATH"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRMHUB_")}
    env["CRMHUB_HOME"] = str(tmp_path / "home")
    for args in (["db", "upgrade"], ["status"]):
        done = subprocess.run(
            [exe, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr + done.stdout
    assert (tmp_path / "home" / "crmhub.db").exists()
