"""`crmhub plan|apply|conflicts|audit` against both emulators over real HTTP and a real database.

The outbox is pushed in-process (`drain_outbox`) where a worker would push it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from connectors.connect import open_connector
from connectors.emulator.clock import EmulatorClock
from connectors.emulator.loopback import config_text, connections, credentials_env
from connectors.emulator.people import ADMIN_EMAIL
from connectors.emulator.serve import running
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.zoho.emulator import ZohoEmulator
from core.config import load_config
from core.store import AuditEntry, Conflict, Entity, Link, OutboxItem, Run, Store
from core.sync.drain import DrainReport, drain_outbox
from core.sync.resolution import typed_value
from workers.cli import app
from workers.cli import context as cli_context

runner = CliRunner()
MAPS = Path(__file__).resolve().parents[2] / "config" / "mappings"
WORLD = generate_world(WorldSpec(customers=6, contacts=5, opportunities=3, seed=31))

POLICIES = """
default: {policy: newest}
fields:
  custom.description: {policy: manual}
targets:
  zoho:
    defaults:
      opportunity: {pipeline: "Standard (Standard)"}
    create_modes:
      opportunity: insert_only
  fxiaoke:
    create: [customer, contact]
"""
ASSIGNMENT = f"""
unowned_users: [{ADMIN_EMAIL}]
disputes: {{policy: source_priority, sources: [zoho, fxiaoke]}}
rules:
  - id: pool
    strategy: pool
"""


@dataclass
class Hub:
    database_url: str
    config: Path
    zoho: ZohoEmulator
    fxiaoke: FxiaokeEmulator

    def run(self, *args: str) -> Any:
        return runner.invoke(app, list(args), env={"COLUMNS": "250"})

    def drain(self) -> DrainReport:
        """What a worker does: push the queued writes to the CRMs."""
        loaded = load_config(self.config)
        connectors = {
            name: open_connector(name, conn) for name, conn in loaded.hub.connections.items()
        }
        store = Store.open(self.database_url)
        try:
            return drain_outbox(store, connectors)
        finally:
            store.close()
            for connector in connectors.values():
                connector.close()

    def query(self, statement: Any) -> list[Any]:
        store = Store.open(self.database_url)
        try:
            with store.transaction() as session:
                return list(session.execute(statement).all())
        finally:
            store.close()

    def settle(self) -> None:
        """Pull, plan, queue and push until a pass writes nothing."""
        for _ in range(4):
            result = self.run("apply")
            assert result.exit_code == 0, result.output
            if self.drain().pushed == 0:
                return
        raise AssertionError("the CRMs did not settle")


@pytest.fixture
def hub(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Hub]:
    # the CRMs' clocks run a little behind ours, so an edit made just before a pull lies in a
    # finished second (a connector leaves the current one to the next pull)
    zoho = ZohoEmulator.from_world(WORLD, clock=EmulatorClock(-5))
    fxiaoke = FxiaokeEmulator.from_world(WORLD, clock=EmulatorClock(-5))
    fxiaoke.set_limits(endpoint_calls=100_000, token_calls_per_min=1000)
    emulators = {"zoho": zoho, "fxiaoke": fxiaoke}
    env = {**credentials_env("T", emulators), "CRMHUB_DATABASE_URL": database_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # rich fixes a console's width from $COLUMNS when it is made (at import); pytest-xdist's
    # workers export COLUMNS=80, which cut the tables these tests read
    monkeypatch.setattr(cli_context.out, "_width", 250)  # put back as it was afterwards
    with running(zoho) as zoho_url, running(fxiaoke) as fx_url:
        urls = {"zoho": zoho_url, "fxiaoke": fx_url}
        user = fxiaoke.credentials()["currentOpenUserId"]
        sections = {
            "connections": connections("T", urls, MAPS, fxiaoke_user=user),
            "assignment": "assignment.yaml",
            "policies": "policies.yaml",
        }
        config = tmp_path / "crmhub.yaml"
        config.write_text(config_text(sections))
        (tmp_path / "policies.yaml").write_text(POLICIES)
        (tmp_path / "assignment.yaml").write_text(ASSIGNMENT)
        monkeypatch.setenv("CRMHUB_CONFIG", str(config))
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        yield Hub(database_url, config, zoho, fxiaoke)


def linked_customer(hub: Hub) -> tuple[Any, str, str]:
    """A customer in both CRMs: (entity id, Zoho id, Fxiaoke id)."""
    rows = hub.query(
        sa.select(Link.entity_id, Link.connection, Link.remote_id).where(
            Link.kind == "customer", Link.status == "active"
        )
    )
    by_entity: dict[Any, dict[str, str]] = {}
    for entity_id, connection, remote_id in rows:
        by_entity.setdefault(entity_id, {})[connection] = remote_id
    entity_id, ids = sorted(
        ((e, i) for e, i in by_entity.items() if {"zoho", "fxiaoke"} <= set(i)), key=str
    )[0]
    return entity_id, ids["zoho"], ids["fxiaoke"]


def edit(emulator: Any, module: str, remote_id: str, changes: dict[str, Any]) -> None:
    with emulator.lock:
        emulator.automation(module, [remote_id], changes, True)


def test_plan_shows_the_writes_and_apply_queues_exactly_the_saved_plan(
    hub: Hub, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    shown = hub.run("plan", "--save", str(saved))
    assert shown.exit_code == 1, shown.output  # the CRMs lack each other's records
    assert "create" in shown.output
    assert "zoho" in shown.output
    assert "fxiaoke" in shown.output
    plan = json.loads(saved.read_text())
    creates = [w for w in plan["writes"] if w["operation"] == "create"]
    assert creates, plan
    assert {w["connection"] for w in creates} <= {"zoho", "fxiaoke"}
    assert hub.query(sa.select(OutboxItem.id)) == []  # planning queued nothing

    as_json = hub.run("plan", "--json", "--no-pull")
    assert as_json.exit_code == 1
    assert {w["key"] for w in json.loads(as_json.output)["writes"]} == {
        w["key"] for w in plan["writes"]
    }

    applied = hub.run("apply", str(saved))
    assert applied.exit_code == 0, applied.output
    assert f"queued {len(plan['writes'])} write(s)" in applied.output
    queued = hub.query(sa.select(OutboxItem.idempotency_key))
    assert {key for (key,) in queued} == {w["key"] for w in plan["writes"]}
    assert hub.drain().results.dead == 0
    hub.settle()

    # a second sync with no remote changes plans nothing
    again = hub.run("plan")
    assert again.exit_code == 0, again.output
    assert "nothing to write" in again.output

    # a plan computed before a CRM changed again is refused, and nothing is queued
    _, in_zoho, _ = linked_customer(hub)
    edit(hub.zoho, "Accounts", in_zoho, {"Billing_City": "克拉玛依"})
    stale = tmp_path / "stale.json"
    assert hub.run("plan", "--save", str(stale)).exit_code == 1
    [write] = json.loads(stale.read_text())["writes"]
    assert (write["connection"], write["operation"]) == ("fxiaoke", "update")
    assert write["changes"] == {"address.city": [write["changes"]["address.city"][0], "克拉玛依"]}
    hub.zoho.clock.advance(2)  # Zoho's times have whole seconds: a later second
    edit(hub.zoho, "Accounts", in_zoho, {"Billing_City": "石河子"})
    assert hub.run("pull", "zoho").exit_code == 0
    before = len(hub.query(sa.select(OutboxItem.id)))
    refused = hub.run("apply", str(stale))
    assert refused.exit_code == 1
    assert "the plan no longer holds" in refused.output
    assert "crmhub plan" in refused.output
    assert len(hub.query(sa.select(OutboxItem.id))) == before
    # without a file: plan now and queue
    now = hub.run("apply", "--no-pull")
    assert now.exit_code == 0, now.output
    assert "queued 1 write(s)" in now.output
    hub.drain()
    with hub.fxiaoke.lock:
        cities = [r.fields.get("city") for r in hub.fxiaoke.modules["AccountObj"].rows.values()]
    assert "石河子" in cities
    assert hub.run("plan").exit_code == 0

    broken = tmp_path / "broken.json"
    broken.write_text('{"format": 99}')
    assert hub.run("apply", str(broken)).exit_code == 2


def test_an_operator_resolves_a_conflict_and_reads_the_audit_trail(hub: Hub) -> None:
    hub.settle()
    entity_id, in_zoho, in_fxiaoke = linked_customer(hub)
    edit(hub.zoho, "Accounts", in_zoho, {"Description": "大客户，季度回访"})
    edit(hub.fxiaoke, "AccountObj", in_fxiaoke, {"remark": "暂停合作"})
    # the pull opens the conflict; the field is written nowhere while it waits
    assert hub.run("plan").exit_code == 0
    listed = hub.run("conflicts", "list")
    assert listed.exit_code == 0, listed.output
    assert "custom.description" in listed.output
    assert "暂停合作" in listed.output
    [(conflict_id,)] = hub.query(sa.select(Conflict.id).where(Conflict.status == "open"))
    shown = hub.run("conflicts", "show", str(conflict_id))
    assert shown.exit_code == 0
    assert "大客户，季度回访" in shown.output
    assert "policy manual" in shown.output
    assert hub.run("conflicts", "show", "999999").exit_code == 1

    wrong = hub.run("conflicts", "resolve", str(conflict_id), "--take", "hubspot")
    assert wrong.exit_code == 1
    assert "no side 'hubspot'" in wrong.output
    assert hub.run("conflicts", "resolve", str(conflict_id)).exit_code == 2

    resolved = hub.run(
        "conflicts", "resolve", str(conflict_id), "--value", "合作暂停，待续约",
        "--why", "客户来电确认", "--actor", "li.na",
    )  # fmt: skip
    assert resolved.exit_code == 0, resolved.output
    assert "queued 2 write(s)" in resolved.output  # both CRMs hold another value
    assert hub.drain().results.done == 2
    with hub.zoho.lock:
        assert (
            hub.zoho.modules["Accounts"].rows[in_zoho].fields["Description"] == "合作暂停，待续约"
        )
    with hub.fxiaoke.lock:
        fields = hub.fxiaoke.modules["AccountObj"].rows[in_fxiaoke].fields
        assert fields["remark"] == "合作暂停，待续约"
    assert hub.run("conflicts", "list").output.strip().endswith("0 conflict(s)")
    assert "resolved" in hub.run("conflicts", "list", "--all").output
    again = hub.run("conflicts", "resolve", str(conflict_id), "--take", "zoho")
    assert again.exit_code == 1
    assert "already resolved" in again.output

    trail = hub.run("audit", str(entity_id))
    assert trail.exit_code == 0, trail.output
    for expected in ("conflict.resolved", "operator:li.na", "客户来电确认", "conflict.opened",
                     "write.update"):  # fmt: skip
        assert expected in trail.output
    [(data,)] = hub.query(sa.select(Entity.data).where(Entity.id == entity_id))
    by_name = hub.run("audit", data["name"])
    assert by_name.exit_code == 0, by_name.output
    assert str(entity_id) in by_name.output
    assert "conflict.resolved" in by_name.output
    missing = hub.run("audit", "没有这家公司")
    assert missing.exit_code == 1
    assert "no entity" in missing.output


def test_every_change_a_sync_makes_is_audited_under_its_run(hub: Hub) -> None:
    hub.settle()
    entity_id, in_zoho, _ = linked_customer(hub)
    edit(hub.zoho, "Accounts", in_zoho, {"Website": "https://www.run-audit.example.cn"})
    applied = hub.run("apply")
    assert applied.exit_code == 0, applied.output
    [(run_id,)] = hub.query(
        sa.select(sa.func.max(Run.id)).where(Run.kind == "sync", Run.status == "ok")
    )
    # matching, merging, assignment and the plan of every sync: none unattributed
    unattributed = hub.query(
        sa.select(AuditEntry.action, sa.func.count())
        .where(AuditEntry.run_id.is_(None))
        .group_by(AuditEntry.action)
    )
    assert unattributed == []
    mine = hub.query(
        sa.select(AuditEntry.action, AuditEntry.field).where(
            AuditEntry.run_id == run_id, AuditEntry.entity_id == entity_id
        )
    )
    assert ("golden.set", "website") in mine

    trail = hub.run("audit", "--run", str(run_id))
    assert trail.exit_code == 0, trail.output
    assert f"run {run_id}" in trail.output
    assert "run-audit.example.cn" in trail.output
    assert str(entity_id) in trail.output
    narrowed = hub.run("audit", str(entity_id), "--run", "1")
    assert narrowed.exit_code == 0, narrowed.output
    assert "run-audit.example.cn" not in narrowed.output
    assert hub.run("audit", "--run", "999999").exit_code == 1
    assert hub.run("audit").exit_code == 2


@pytest.mark.parametrize(
    ("sides", "text", "value"),
    [
        (["+8675588881111", "+8675588882222"], "+8675588883333", "+8675588883333"),
        ([["+8675588881111"], ["+8675588882222"]], "+8675588883333", ["+8675588883333"]),
        ([["a"], ["b"]], '["x", "y"]', ["x", "y"]),
        ([40, 90], "75", 75),
        ([{"amount": "1.00", "currency": "CNY"}], '{"amount": "2.50", "currency": "CNY"}',
         {"amount": "2.50", "currency": "CNY"}),
        (["暂停合作", None], "42", "42"),  # text stays text
    ],
)  # fmt: skip
def test_a_typed_value_takes_the_shape_of_the_field(
    sides: list[Any], text: str, value: Any
) -> None:
    conflict = Conflict(
        field="f", base=None, golden=None, policy="manual",
        sides=[{"connection": f"c{i}", "value": v} for i, v in enumerate(sides)],
    )  # fmt: skip
    assert typed_value(text, conflict) == value
