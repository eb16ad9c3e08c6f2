"""`crmhub operators add|list` and `crmhub console` as an administrator runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from console_seed import csrf_of
from typer.testing import CliRunner

from core.store import AuditEntry, Operator, Store
from workers.cli import app

runner = CliRunner()
CRMHUB = str(Path(sys.executable).parent / "crmhub")
SECRET = "长城 great wall 2024"


@pytest.fixture
def db_env(store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = store.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CRMHUB_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRMHUB_CONFIG", raising=False)
    return url


def test_add_prompts_twice_and_stores_only_an_argon2_hash(db_env: str, store: Store) -> None:
    result = runner.invoke(app, ["operators", "add", "陈静"], input=f"{SECRET}\n{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert "operator 陈静 added" in result.output
    assert SECRET not in result.output
    with store.sessions() as session:
        row = session.scalars(sa.select(Operator)).one()
        assert row.password_hash.startswith("$argon2id$")
        assert SECRET not in row.password_hash
        PasswordHasher().verify(row.password_hash, SECRET)
        added = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "operator.added"))
        assert [e.after for e in added] == [{"operator": "陈静"}]
    listed = runner.invoke(app, ["operators", "list"])
    assert listed.exit_code == 0
    assert "陈静" in listed.output


def test_add_refuses_short_passwords_and_taken_names(db_env: str) -> None:
    short = runner.invoke(app, ["operators", "add", "op"], input="short\nshort\n")
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    runner.invoke(app, ["operators", "add", "op"], input=f"{SECRET}\n{SECRET}\n")
    taken = runner.invoke(app, ["operators", "add", "op"], input=f"{SECRET}\n{SECRET}\n")
    assert taken.exit_code == 1
    assert "already an operator named 'op'" in taken.output


def test_console_serves_until_sigterm(db_env: str) -> None:
    runner.invoke(app, ["operators", "add", "陈静"], input=f"{SECRET}\n{SECRET}\n")
    process = subprocess.Popen(
        [CRMHUB, "console", "--port", "0", "--timezone", "Asia/Shanghai"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("console at http://127.0.0.1:"), process.communicate()[1]
        url = line.split(" at ", 1)[1].strip()
        with httpx.Client(base_url=url, timeout=10) as client:
            assert client.get("/").headers["location"] == "/login"
            form = client.get("/login")
            data = {"csrf_token": csrf_of(form.text), "name": "陈静", "password": SECRET}
            assert client.post("/login", data=data).status_code == 303
            page = client.get("/audit").text
            assert "+0800" in page  # times shown in the zone asked for
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_console_refuses_a_database_that_is_not_upgraded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CRMHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["console", "--port", "0"])
    assert result.exit_code == 2
    assert "crmhub db upgrade" in result.output
    bad_zone = runner.invoke(app, ["console", "--timezone", "Mars/Olympus"])
    assert bad_zone.exit_code == 2
