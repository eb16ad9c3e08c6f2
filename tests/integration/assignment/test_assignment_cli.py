"""`crmhub assign run|explain|simulate|resolve`, `crmhub owners list`, `crmhub config check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from assignment_seed import POLICY, Seed
from typer.testing import CliRunner

from core.assignment import AssignmentPolicy
from core.store import AuditEntry, Run, Store
from workers.cli import app

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRMHUB_DATABASE_URL", database_url)
    monkeypatch.delenv("CRMHUB_CONFIG", raising=False)
    (tmp_path / "assignment.yaml").write_text(POLICY, encoding="utf-8")
    main = tmp_path / "crmhub.yaml"
    main.write_text("assignment: assignment.yaml\n", encoding="utf-8")
    return main


def invoke(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(config), *args])
    return result.exit_code, result.output


def test_run_explain_and_owners_list(
    config: Path, store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    seed.customer("华为技术有限公司", address={"country": "CN", "region": "CN-GD"})
    seed.customer("Zylker", address={"country": "US"})
    code, output = invoke(config, "assign", "run", "--json")
    assert code == 0, output
    assert json.loads(output)["decisions"] == {"assign": 1, "pool": 1}
    with store.transaction() as session:
        [run] = session.scalars(sa.select(Run).where(Run.kind == "assign")).all()
        assigned = session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.run_id == run.id)
        ).all()
    assert run.status == "ok"
    assert run.counts["decisions"] == {"assign": 1, "pool": 1}
    assert "owner.assign" in assigned
    code, output = invoke(config, "assign", "explain", "华为")
    assert code == 0, output
    assert "assign by cn (round_robin): the pool (公海) → 王芳 <wang.fang@example.com>" in output
    assert "rule cn: matched (country == CN: yes)" in output
    code, output = invoke(config, "assign", "explain", "nobody-like-this")
    assert code == 1
    assert "no customer matches" in output
    code, output = invoke(config, "owners", "list", "--json")
    assert code == 0, output
    rows = {row["email"]: row for row in json.loads(output)}
    assert rows["wang.fang@example.com"]["accounts"]["zoho"] == "4150868000000225013"
    assert rows["wang.fang@example.com"]["teams"] == ["all"]
    assert rows["wang.fang@example.com"]["load"] == {"-": 1}
    code, output = invoke(config, "owners", "list")
    assert code == 0
    assert "3 owners" in output
    assert "王芳" in output


def test_simulate_exits_1_on_changes_and_refuses_a_bad_rules_file(
    config: Path, tmp_path: Path, store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    seed.customer("小米", address={"country": "CN"})
    new = tmp_path / "new.yaml"
    new.write_text(
        POLICY.replace("{id: cn, when: {country: CN}", "{id: cn, when: {country: JP}"),
        encoding="utf-8",
    )
    code, output = invoke(config, "assign", "simulate", "--rules", str(new), "--json")
    assert code == 0, output  # nothing assigned yet and nothing would be: no change
    invoke(config, "assign", "run")
    code, output = invoke(config, "assign", "simulate", "--rules", str(new), "--from-scratch")
    assert code == 1, output
    assert "1 of 1 customers would change" in output
    bad = tmp_path / "bad.yaml"
    bad.write_text(POLICY.replace("country: CN", "countyr: CN"), encoding="utf-8")
    code, output = invoke(config, "assign", "simulate", "--rules", str(bad))
    assert code == 2
    assert f"{bad}:8:" in output
    assert "did you mean `country`?" in output


def test_resolve_a_dispute_from_the_command_line(
    config: Path, store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    customer = seed.customer(
        "比亚迪",
        address={"country": "CN"},
        links=[("zoho", "Z1", "4150868000000225013"), ("fxiaoke", "F1", "FSUID_" + "B" * 32)],
    )
    code, output = invoke(config, "assign", "run", "--json")
    assert json.loads(output)["decisions"] == {"dispute_review": 1}
    review = seed.decisions(customer)[0].criteria["review_id"]
    code, output = invoke(
        config, "assign", "resolve", str(review), "--owner", "nobody@example.com", "--by", "op"
    )
    assert code == 2
    code, output = invoke(
        config,
        "assign",
        "resolve",
        str(review),
        "--owner",
        "li.na@example.com",
        "--by",
        "op",
        "--reason",
        "客户要求",
    )
    assert code == 0, output
    assert "operator op chose 李娜 <li.na@example.com>: 客户要求" in output
    assert seed.entity(customer).owner_id == seed.owner_id("li.na@example.com")
    code, output = invoke(config, "assign", "resolve", str(review), "--owner", "pool", "--by", "op")
    assert code == 1
    assert "already resolved" in output


def test_config_check_refuses_the_rules_file_with_line_and_fix(tmp_path: Path) -> None:
    (tmp_path / "assignment.yaml").write_text(
        POLICY.replace("team: all}", "team: al}"), encoding="utf-8"
    )
    main = tmp_path / "crmhub.yaml"
    main.write_text("assignment: assignment.yaml\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "check", str(main)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'assignment.yaml'}:8: rules[0].team: 'al': is not a team" in result.output
    assert "did you mean `all`?" in result.output
