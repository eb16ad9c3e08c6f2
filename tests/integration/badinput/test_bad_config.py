# ruff: noqa: E501  (CASES is a table: one case a line)
"""Config files with every kind of mistake: `crmhub config check` (and a command that loads the
config) names the file, the key path and the reason, and exits 2 without a traceback.

Adding a case is one line in CASES: (file, text to replace, replacement, expected fragments).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
from typer.testing import CliRunner

from workers.cli import app

runner = CliRunner()
CONFIG = Path(__file__).resolve().parents[3] / "config"
ZOHO_SCHEDULE = "    schedule: {every: 15m}\n\n  fxiaoke"


class Case(NamedTuple):
    file: str
    old: str
    new: str
    expect: tuple[str, ...]  # key path and reason fragments
    reported_in: str | None = None  # the file the error names, when not `file`


CASES = {
    "yaml syntax": Case("crmhub.yaml", "    type: zoho\n", "    type: [zoho\n", ("crmhub.yaml:11", "YAML syntax")),
    "unknown key": Case("crmhub.yaml", "data_centre: cn", "data_center: cn", ("connections.zoho.data_center", "did you mean `data_centre`")),
    "unknown top key": Case("crmhub.yaml", "broker:\n", "brokers:\n", ("brokers", "did you mean `broker`")),
    "wrong type": Case("crmhub.yaml", "    default_region: CN\n    timezone: Asia/Shanghai\n    mapping: mappings/zoho", "    default_region: [CN]\n    timezone: Asia/Shanghai\n    mapping: mappings/zoho", ("connections.zoho.default_region", "valid string")),
    "database url type": Case("crmhub.yaml", "  url: null          # null: $", "  url: 42          # null: $", ("database.url", "valid string")),
    "unknown time zone": Case("crmhub.yaml", "    timezone: Asia/Shanghai\n    mapping: mappings/zoho", "    timezone: Asia/Atlantis\n    mapping: mappings/zoho", ("connections.zoho.timezone", "not an IANA zone")),
    "unknown connector": Case("crmhub.yaml", "    type: zoho\n", "    type: zohoo\n", ("connections.zoho.type", "did you mean `zoho`")),
    "bad interval": Case("crmhub.yaml", ZOHO_SCHEDULE, ZOHO_SCHEDULE.replace("15m", "15 minutes"), ("connections.zoho.schedule.every", "is not a duration")),
    "bad cron": Case("crmhub.yaml", ZOHO_SCHEDULE, ZOHO_SCHEDULE.replace("every: 15m", "cron: '61 * * * *'"), ("connections.zoho.schedule.cron", "is not a cron expression")),
    "two schedules": Case("crmhub.yaml", ZOHO_SCHEDULE, ZOHO_SCHEDULE.replace("15m", "15m, cron: '* * * * *'"), ("connections.zoho.schedule", "exactly one of")),
    "secret in clear": Case("crmhub.yaml", "client_secret: env:ZOHO_CLIENT_SECRET", "client_secret: s3cr3t-in-clear", ("connections.zoho.credentials.client_secret", "must not be written in config files")),
    "bad connection name": Case("crmhub.yaml", "  zoho:\n", "  Zoho CN:\n", ("connections", "connection name `Zoho CN` is not a lower-case identifier")),
    "map file missing": Case("crmhub.yaml", "mapping: mappings/zoho.yaml", "mapping: mappings/nope.yaml", ("connections.zoho.mapping", "file not found")),
    "section file missing": Case("crmhub.yaml", "policies: policies.yaml", "policies: policy.yaml", ("policy.yaml", "file not found"), "policy.yaml"),
    "map: unknown canonical field": Case("mappings/zoho.yaml", "canonical: website, transform: str}", "canonical: web_site, transform: str}", ("zoho.yaml:", "entities.customer.fields[1].canonical", "did you mean `website`")),
    "map: unknown transform": Case("mappings/zoho.yaml", 'canonical: "phones[0]", transform: phone}', 'canonical: "phones[0]", transform: fone}', ("entities.customer.fields[3].transform", "no transform named 'fone'")),
    "map: unknown picklist": Case("mappings/zoho.yaml", "picklist: tier}", "picklist: tiers}", ("entities.customer.fields[5].picklist", "no picklist named 'tiers'")),
    "map: unknown key": Case("mappings/fxiaoke.yaml", "canonical: name, transform: company_name, required: true}", "canonical: name, transform: company_name, requird: true}", ("fxiaoke.yaml:", "requird", "did you mean `required`")),
    "policy: unknown field": Case("policies.yaml", "  phones: {policy: never_blank}", "  phonez: {policy: never_blank}", ("policies.yaml:", "`phonez` is not a canonical field", "did you mean `phone")),
    "policy: unknown policy": Case("policies.yaml", "default: {policy: newest}", "default: {policy: latest}", ("default.policy", "'latest'")),
    "policy: unknown connection": Case("policies.yaml", "  emails: {policy: never_blank}", "  emails: {policy: source_priority, sources: [zoho, salesforce]}", ("fields.emails.sources[1]", "no connection named `salesforce`")),
    "policy: unknown kind": Case("policies.yaml", "kinds:\n  customer:", "kinds:\n  customers:", ("kinds.customers", "'customer', 'contact' or 'opportunity'")),
    "policy: wrong type": Case("policies.yaml", "max_share: 0.1", "max_share: lots", ("mass_delete.max_share", "valid number")),
    "policy: text for a mapping": Case("policies.yaml", "default: {policy: newest}", "default: newest", ("default", "valid dictionary")),
    "assignment: unknown field": Case("assignment.yaml", "when: {tier: A}\n", "when: {tierr: A}\n", ("rules[1].when.tierr", "did you mean `tier`")),
    "assignment: unknown operator": Case("assignment.yaml", "when: {tier: A}\n", "when: {tier: {like: A}}\n", ("rules[1].when.tier.like", "is not an operator")),
    "assignment: unknown owner": Case("assignment.yaml", "owner: zhou.min@example.com", "owner: nobody@example.com", ("rules[0].owner", "is not a declared owner")),
    "assignment: unknown team": Case("assignment.yaml", "team: south-china\n", "team: north-pole\n", ("rules[2].team", "is not a team")),
    "assignment: unknown connection": Case("assignment.yaml", "  policy: manual ", "  policy: source_priority\n  sources: [fxiaoke, zoho_eu]\n ", ("disputes.sources[1]", "no connection named `zoho_eu`", "did you mean `zoho`")),
    "matching: out of range": Case("matching.yaml", "auto_merge: 0.95", "auto_merge: 1.5", ("customer.thresholds.auto_merge", "less than or equal to 1")),
}  # fmt: skip


def broken_config(tmp_path: Path, case: Case) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(CONFIG, folder)
    path = folder / case.file
    text = path.read_text()
    assert case.old in text, f"the case no longer applies to {case.file}: {case.old!r}"
    path.write_text(text.replace(case.old, case.new, 1))
    return folder / "crmhub.yaml"


@pytest.mark.parametrize("name", list(CASES))
def test_config_mistake_named_with_file_key_and_reason(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    config = broken_config(tmp_path, case)
    checked = runner.invoke(app, ["config", "check", str(config)])
    # `status` loads the config as every command does: same errors, same exit code
    loaded = runner.invoke(app, ["--config", str(config), "status"])
    for result in (checked, loaded):
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        errors = [line for line in result.output.splitlines() if line.startswith("error")]
        assert errors, result.output
        named = case.reported_in or Path(case.file).name
        assert any(named in line for line in errors), result.output
        for fragment in case.expect:
            assert any(fragment in line for line in errors), (fragment, result.output)


def test_missing_secret_env_var_names_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZOHO_CLIENT_ID", raising=False)
    monkeypatch.setenv("CRMHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'crmhub.db'}")
    config = CONFIG / "crmhub.yaml"
    checked = runner.invoke(app, ["config", "check", str(config)])
    assert "connections.zoho.credentials.client_id" in checked.output
    assert "ZOHO_CLIENT_ID is not set" in checked.output
    pulled = runner.invoke(app, ["--config", str(config), "pull", "zoho"])
    assert pulled.exit_code == 2, pulled.output
    assert "Traceback" not in pulled.output
    assert "connections.zoho.credentials.client_id" in pulled.output
    assert "ZOHO_CLIENT_ID is not set" in pulled.output
    unknown = runner.invoke(app, ["--config", str(config), "pull", "zohoo"])
    assert unknown.exit_code == 2, unknown.output
    assert "unknown connection 'zohoo'" in unknown.output
    assert "did you mean 'zoho'" in unknown.output
