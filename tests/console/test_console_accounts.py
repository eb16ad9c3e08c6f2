"""Guessing passwords is throttled; a deactivated operator is signed out at once and cannot
sign in again until reactivated (all through the real login form and the command line)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from console_seed import HASHER, OPERATOR, PASSWORD, add_operator_account, csrf_of, sign_in
from typer.testing import CliRunner

from connectors.emulator.serve import running
from console import ConsoleSettings, create_app
from console.accounts import LoginThrottle
from core.store import AuditEntry, Store
from workers.cli import app as cli


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def attempt(client: httpx.Client, name: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"csrf_token": token, "name": name, "password": password, "next": "/"}
    )


def test_after_five_failures_even_the_right_password_waits_for_the_window(store: Store) -> None:
    add_operator_account(store)
    clock = Clock()
    throttle = LoginThrottle(limit=5, window_s=900, clock=clock)
    app = create_app(ConsoleSettings(store, hasher=HASHER, throttle=throttle))
    with running(app) as base, httpx.Client(base_url=base) as client:
        for _ in range(5):
            assert attempt(client, OPERATOR, "wrong password!").status_code == 401
        refused = attempt(client, OPERATOR, PASSWORD)
        assert refused.status_code == 429
        assert "Too many failed sign-ins" in refused.text
        assert 0 < int(refused.headers["Retry-After"]) <= 901
        clock.now += 901  # the window moved on: the right password works again
        assert attempt(client, OPERATOR, PASSWORD).status_code == 303
    with store.transaction() as session:
        failed = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "operator.login_failed")
        ).all()
    assert len(failed) == 5
    assert all(entry.after["name"] == OPERATOR for entry in failed)
    assert all(PASSWORD not in str(entry.after) for entry in failed)


def test_the_limit_counts_per_address_too_so_spraying_names_is_refused(store: Store) -> None:
    add_operator_account(store)
    throttle = LoginThrottle(limit=3, window_s=900, clock=Clock())
    app = create_app(ConsoleSettings(store, hasher=HASHER, throttle=throttle))
    with running(app) as base, httpx.Client(base_url=base) as client:
        for name in ("alice", "bob", "carol"):
            assert attempt(client, name, "guess guess").status_code == 401
        assert attempt(client, OPERATOR, PASSWORD).status_code == 429


def test_a_deactivated_operator_is_signed_out_and_cannot_sign_in(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    add_operator_account(store)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRMHUB_CONFIG", raising=False)
    monkeypatch.setenv("CRMHUB_DATABASE_URL", database_url)
    app = create_app(ConsoleSettings(store, hasher=HASHER))
    runner = CliRunner()
    with running(app) as base, httpx.Client(base_url=base) as client:
        sign_in(client)
        assert client.get("/").status_code == 200
        done = runner.invoke(cli, ["operators", "deactivate", OPERATOR, "--why", "left the team"])
        assert done.exit_code == 0, done.output
        assert client.get("/").status_code == 303  # the open session ended
        assert attempt(client, OPERATOR, PASSWORD).status_code == 401
        again = runner.invoke(cli, ["operators", "deactivate", OPERATOR, "--why", "twice"])
        assert again.exit_code == 1
        assert "already inactive" in again.output
        back = runner.invoke(cli, ["operators", "activate", OPERATOR, "--why", "returned"])
        assert back.exit_code == 0, back.output
        assert attempt(client, OPERATOR, PASSWORD).status_code == 303
    with store.transaction() as session:
        trail = session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action.in_(["operator.deactivated", "operator.activated"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.reason) for e in trail] == [
        ("operator.deactivated", "left the team"),
        ("operator.activated", "returned"),
    ]
