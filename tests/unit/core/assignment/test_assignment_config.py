"""`config/assignment.yaml`: a bad rules file is refused with its line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.assignment import AssignmentConfig, AssignmentPolicy, Rule
from core.assignment.config import RuleSettings
from core.config import ConfigError, check_config, load_config

REPO = Path(__file__).parents[4]

HEAD = """\
owners:
  - {email: wang.fang@example.com, capacity: {A: 5}}
  - {email: li.na@example.com}
teams:
  south: {members: [wang.fang@example.com, li.na@example.com]}
rules:
"""
FALLBACK = "  - {id: pool, strategy: pool}\n"


def write(tmp_path: Path, assignment: str) -> Path:
    (tmp_path / "assignment.yaml").write_text(assignment, encoding="utf-8")
    main = tmp_path / "crmhub.yaml"
    main.write_text("assignment: assignment.yaml\n", encoding="utf-8")
    return main


# (assignment.yaml, line of the error, words in the message, words in the fix)
BAD = [
    pytest.param(
        HEAD + "  - {id: a, when: {countyr: CN}, strategy: pool}\n" + FALLBACK,
        7,
        "'countyr': is not a field assignment rules can test",
        "did you mean `country`?",
        id="unknown-field",
    ),
    pytest.param(
        HEAD + "  - id: a\n    when:\n      tier: {in: [A, D]}\n    strategy: pool\n" + FALLBACK,
        9,
        "'D': is not a tier",
        "use A, B or C",
        id="bad-tier-in-list",
    ),
    pytest.param(
        HEAD + "  - id: a\n    when:\n      region: 广东\n    strategy: pool\n" + FALLBACK,
        9,
        "is not an ISO 3166-2 region code",
        "did you mean `CN-GD`?",
        id="region-name",
    ),
    pytest.param(
        HEAD
        + "  - id: a\n    when:\n      annual_revenue: {ge: 1000000}\n    strategy: pool\n"
        + FALLBACK,
        9,
        "an amount needs its currency",
        "10000000 CNY",
        id="money-without-currency",
    ),
    pytest.param(
        HEAD + "  - {id: a, when: {tier: A}, strategy: round_robbin, team: south}\n" + FALLBACK,
        7,
        "is not a strategy",
        "did you mean `round_robin`?",
        id="strategy-typo",
    ),
    pytest.param(
        HEAD
        + "  - id: a\n    when: {tier: A}\n    strategy: round_robin\n    team: sauth\n"
        + FALLBACK,
        10,
        "'sauth': is not a team",
        "did you mean `south`?",
        id="team-typo",
    ),
    pytest.param(
        HEAD + "  - id: a\n    when: {tier: A}\n    strategy: least_loaded\n" + FALLBACK,
        9,
        "least_loaded picks from a team",
        "add `team: …` (south)",
        id="team-missing",
    ),
    pytest.param(
        HEAD
        + "  - id: a\n    when: {tier: A}\n    strategy: fixed\n    owner: wang.fang@exampel.com\n"
        + FALLBACK,
        10,
        "is not a declared owner",
        "did you mean `wang.fang@example.com`?",
        id="owner-typo",
    ),
    pytest.param(
        HEAD + "  - id: a\n    when: {tier: A}\n    strategy: pool\n    team: south\n" + FALLBACK,
        10,
        "pool does not use `team`",
        "remove `team:`",
        id="pool-with-team",
    ),
    pytest.param(
        HEAD + "  - {id: a, strategy: pool}\n" + FALLBACK,
        7,
        "rule `a` has no `when`, so the rules after it are never reached",
        "move it last",
        id="fallback-not-last",
    ),
    pytest.param(
        HEAD + "  - {id: a, when: {tier: A}, strategy: pool}\n",
        6,
        "the last rule must be a fallback",
        "{id: fallback, strategy: pool}",
        id="no-fallback",
    ),
    pytest.param(
        HEAD + "  - {id: pool, when: {tier: A}, strategy: pool}\n" + FALLBACK,
        8,
        "'pool': is used by an earlier rule",
        "unique",
        id="duplicate-id",
    ),
    pytest.param(
        HEAD.replace("li.na@example.com]", "li.na@exmple.com]") + FALLBACK,
        5,
        "'li.na@exmple.com': is not a declared owner",
        "did you mean `li.na@example.com`?",
        id="team-member-typo",
    ),
    pytest.param(
        "tiers:\n  by: annual_revenue\n  thresholds: {A: 10000000 CNY, B: 50000000 CNY}\n"
        + "rules:\n"
        + FALLBACK,
        3,
        "tier B's threshold is above tier A's",
        "go down from A to C",
        id="thresholds-out-of-order",
    ),
    pytest.param(
        "tiers:\n  by: annual_revenue\n  thresholds:\n    A: 100000000\n" + "rules:\n" + FALLBACK,
        4,
        "needs its currency",
        "100000000 CNY",
        id="threshold-without-currency",
    ),
    pytest.param(
        "tiers:\n  by: field\n  field: employe_count\n  thresholds: {A: 1000}\nrules:\n" + FALLBACK,
        3,
        "not a field",
        "did you mean `employee_count`?",
        id="tier-field-typo",
    ),
    pytest.param(
        "currency:\n  base: CNY\n  rates: {USD: 7.1}\nrules:\n" + FALLBACK,
        3,
        "write rates as text",
        "'7.10'",
        id="float-rate",
    ),
    pytest.param(
        "disputes: {policy: source_priority}\nrules:\n" + FALLBACK,
        1,
        "source_priority needs `sources`",
        "sources: [fxiaoke, zoho]",
        id="priority-without-sources",
    ),
    pytest.param(
        "owners:\n  - {email: not-an-email}\nrules:\n" + FALLBACK,
        2,
        "is not an e-mail address",
        None,
        id="bad-email",
    ),
    pytest.param(
        "owners:\n  - email: a@example.com\n    regions: [Guangdong]\nrules:\n" + FALLBACK,
        3,
        "is not an ISO country or region code",
        "CN-GD",
        id="owner-region",
    ),
]


@pytest.mark.parametrize(("text", "line", "message", "fix"), BAD)
def test_bad_rules_file_names_line_and_fix(
    tmp_path: Path, text: str, line: int, message: str, fix: str | None
) -> None:
    main = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(main)
    issues = caught.value.issues
    assert len(issues) == 1, issues
    (issue,) = issues
    assert issue.file == tmp_path / "assignment.yaml"
    assert issue.line == line, str(issue)
    assert message in issue.message, str(issue)
    if fix is not None:
        assert issue.fix is not None, str(issue)
        assert fix in issue.fix, str(issue)


def test_shipped_example_is_valid_and_complete() -> None:
    issues = check_config(REPO / "config" / "crmhub.yaml")
    assert [i for i in issues if i.severity == "error"] == []
    loaded = load_config(REPO / "config" / "crmhub.yaml")
    config = loaded.sections["assignment"]
    assert isinstance(config, AssignmentConfig)
    strategies = {rule.strategy.value for rule in config.rules}
    assert strategies == {"fixed", "least_loaded", "round_robin", "weighted", "expertise", "pool"}
    assert config.rules[-1].when is None


def test_rules_round_trip_through_yaml() -> None:
    text = (REPO / "config" / "assignment.yaml").read_text(encoding="utf-8")
    policy = AssignmentPolicy.from_config(AssignmentConfig.model_validate(yaml.safe_load(text)))
    for rule in policy.rules:
        dumped = yaml.safe_dump(rule.to_data(), allow_unicode=True, sort_keys=False)
        again = Rule.from_settings(RuleSettings.model_validate(yaml.safe_load(dumped)))
        assert again == rule
