"""A decision made in the console writes exactly what the same decision made with `crmhub`
writes: two copies of one store, one decided in the browser's forms, one on the command line,
compared table by table (times aside; the console's own sign-in rows aside)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from console_seed import HASHER, OPERATOR, Seeded, add_operator_account, seed, sign_in
from typer.testing import CliRunner

from connectors.emulator.serve import running
from console import ConsoleSettings, create_app
from core.config import load_config
from core.store import OutboxItem, Store, metadata
from core.store.base import UtcDateTime, utcnow
from core.sync.context import SyncContext
from core.sync.cursors import mark_pass
from mapping.model import EntityKind
from workers.cli import app as cli

CONSOLE_ONLY = {"operator_sessions", "operators"}
SIGN_IN = ("operator.login", "operator.logout")


def tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    store = Store.open(url)
    found: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in CONSOLE_ONLY:
                continue
            columns = [c for c in table.columns if not isinstance(c.type, UtcDateTime)]
            query = sa.select(*columns)
            if table.name == "audit_log":  # its ids shift by the console's sign-in entry
                columns = [c for c in columns if c.name != "id"]
                query = sa.select(*columns).where(table.c.action.not_in(SIGN_IN))
            rows = conn.execute(query.order_by(*table.primary_key.columns)).all()
            found[table.name] = [tuple(row) for row in rows]
    store.close()
    return found


def twins(tmp_path: Path, pulled: tuple[str, ...] = ()) -> tuple[str, str, Seeded]:
    """Two identical SQLite stores with one of everything to decide (and, for `pulled`
    connections, a completed pull of customers: the planner creates only after one)."""
    first = tmp_path / "console.db"
    store = Store.open(f"sqlite:///{first}")
    store.upgrade()
    add_operator_account(store)
    seeded = seed(store)
    with store.transaction() as session:
        for connection in pulled:
            mark_pass(session, connection, EntityKind.CUSTOMER, complete=True, at=utcnow())
    store.close()
    shutil.copy(first, tmp_path / "cli.db")
    return f"sqlite:///{first}", f"sqlite:///{tmp_path / 'cli.db'}", seeded


def in_console(url: str, decide: Callable[[httpx.Client, str], httpx.Response]) -> None:
    store = Store.open(url)
    with (
        running(create_app(ConsoleSettings(store, hasher=HASHER))) as base,
        httpx.Client(base_url=base) as client,
    ):
        response = decide(client, sign_in(client))
        assert response.status_code == 303, response.text
    store.close()


def on_command_line(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setenv("CRMHUB_DATABASE_URL", url)
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRMHUB_CONFIG", raising=False)


def test_a_match_merge_writes_the_same_as_crmhub_reviews_decide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    console_db, cli_db, seeded = twins(tmp_path)
    in_console(console_db, lambda client, token: client.post(
        f"/matches/{seeded.match_review}/decide",
        data={"csrf_token": token, "decision": f"merge:{seeded.match_candidate}",
              "reason": "同一家公司"},
    ))  # fmt: skip
    on_command_line(
        cli_db, monkeypatch, "reviews", "decide", str(seeded.match_review), "merge",
        "--into", str(seeded.match_candidate), "--reason", "同一家公司", "--actor", OPERATOR,
    )  # fmt: skip
    decided, expected = tables(console_db), tables(cli_db)
    assert decided["entity_merges"]  # something was written, and the same thing
    assert decided == expected


def test_an_ownership_choice_writes_the_same_as_crmhub_assign_resolve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    console_db, cli_db, seeded = twins(tmp_path)
    wang = seeded.owners["wang.fang@example.com"]
    in_console(console_db, lambda client, token: client.post(
        f"/disputes/{seeded.dispute_review}/resolve",
        data={"csrf_token": token, "owner": str(wang), "reason": "区域调整"},
    ))  # fmt: skip
    on_command_line(
        cli_db, monkeypatch, "assign", "resolve", str(seeded.dispute_review),
        "--owner", "wang.fang@example.com", "--by", OPERATOR, "--reason", "区域调整",
    )  # fmt: skip
    decided, expected = tables(console_db), tables(cli_db)
    assert decided["assignment_decisions"]
    assert decided == expected


SHIPPED_MAPS = Path(__file__).resolve().parents[2] / "config" / "mappings"
CONNECTIONS = f"""
connections:
  zoho:
    type: zoho
    base_url: http://127.0.0.1:9
    mapping: {SHIPPED_MAPS}/zoho.yaml
    credentials: {{client_id: env:T_ID, client_secret: env:T_SECRET, refresh_token: env:T_TOKEN}}
  fxiaoke:
    type: fxiaoke
    base_url: http://127.0.0.1:9
    mapping: {SHIPPED_MAPS}/fxiaoke.yaml
    credentials: {{app_id: env:T_ID, app_secret: env:T_SECRET, permanent_code: env:T_TOKEN}}
    options: {{current_open_user_id: FSUID_{"A" * 32}}}
"""


def test_a_conflict_resolution_queues_the_same_writes_as_crmhub_conflicts_resolve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the connections known, both plan the value's writes in the resolving transaction
    (no CRM is called: the planner works from the store)."""
    config = tmp_path / "crmhub.yaml"
    config.write_text(CONNECTIONS, encoding="utf-8")
    console_db, cli_db, seeded = twins(tmp_path, pulled=("zoho", "fxiaoke"))
    sync = SyncContext.from_config(load_config(config))
    store = Store.open(console_db)
    with (
        running(create_app(ConsoleSettings(store, hasher=HASHER, sync=sync))) as base,
        httpx.Client(base_url=base) as client,
    ):
        response = client.post(
            f"/conflicts/{seeded.conflict_id}/resolve",
            data={"csrf_token": sign_in(client), "choice": "take:fxiaoke", "reason": "客户确认"},
        )
        assert response.status_code == 303, response.text
    store.close()
    monkeypatch.setenv("CRMHUB_CONFIG", str(config))
    on_command_line(
        cli_db, monkeypatch, "conflicts", "resolve", str(seeded.conflict_id),
        "--take", "fxiaoke", "--why", "客户确认", "--actor", OPERATOR,
    )  # fmt: skip
    decided, expected = tables(console_db), tables(cli_db)
    queued = Store.open(console_db)
    with queued.transaction() as session:
        targets = session.execute(
            sa.select(OutboxItem.connection, OutboxItem.operation).where(
                OutboxItem.entity_id == seeded.conflict_entity
            )
        ).all()
    queued.close()
    assert sorted(targets) == [("fxiaoke", "create"), ("zoho", "create")]
    assert decided == expected
