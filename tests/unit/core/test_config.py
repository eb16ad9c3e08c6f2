"""Config errors name the file, the line and the fix; secrets are only env references."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import ConfigError, check_config, load_config

GOOD = """\
database:
  url: null
connections:
  zoho_cn:
    type: zoho
    base_url: http://127.0.0.1:8701
    credentials:
      client_id: env:ZOHO_CLIENT_ID
      client_secret: env:ZOHO_CLIENT_SECRET
    schedule: {every: 15m}
  fxiaoke:
    type: fxiaoke
    credentials:
      app_secret: {env: FXIAOKE_APP_SECRET}
"""


def write(tmp_path: Path, text: str, name: str = "crmhub.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOHO_CLIENT_SECRET", "s3cr3t-value")
    loaded = load_config(write(tmp_path, GOOD))
    conn = loaded.hub.connections["zoho_cn"]
    assert conn.type == "zoho"
    assert conn.schedule is not None
    assert conn.schedule.seconds() == 900
    secret = conn.credentials["client_secret"].resolve()
    assert secret.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t" not in repr(secret)
    assert loaded.hub.connections["fxiaoke"].credentials["app_secret"].env == "FXIAOKE_APP_SECRET"


# (yaml, line of the error, words in the message, words in the fix)
BAD = [
    pytest.param(
        "connections:\n  z:\n    type: zohoo\n",
        3,
        "not a connector type",
        "did you mean `zoho`",
        id="type-typo",
    ),
    pytest.param(
        "connections:\n  z:\n    type: zoho\n    credentials:\n      client_secret: abc123\n",
        5,
        "secrets must not be written",
        "env:VARIABLE_NAME",
        id="inline-secret",
    ),
    pytest.param(
        "connections:\n  z:\n    type: zoho\n    credentials:\n      client_secret: env:lower\n",
        5,
        "not an environment variable name",
        "upper-case",
        id="bad-env-name",
    ),
    pytest.param(
        "connections:\n  z:\n    type: zoho\n    shedule: {every: 5m}\n",
        4,
        "Extra inputs are not permitted",
        "did you mean `schedule`",
        id="key-typo",
    ),
    pytest.param(
        "connections:\n  z:\n    base_url: x\n",
        2,
        "Field required",
        "add `type:`",
        id="missing-type",
    ),
    pytest.param(
        "connections:\n  z:\n    type: zoho\n    schedule: {every: 15 minutes}\n",
        4,
        "is not a duration",
        "30s, 15m",
        id="bad-duration",
    ),
    pytest.param(
        "connections:\n  z:\n    type: zoho\n    schedule: {every: 5m, cron: '* * * * *'}\n",
        4,
        "exactly one of",
        "every: 15m",
        id="two-schedules",
    ),
    pytest.param(
        "connections:\n  Zoho-CN:\n    type: zoho\n",
        1,
        "not a lower-case identifier",
        "a-z",
        id="bad-name",
    ),
    pytest.param(
        "connections:\n  z:\n    type: zoho\n    default_region: china\n",
        4,
        "should match pattern",
        None,
        id="bad-region",
    ),
    pytest.param("connections: [\n", 2, "YAML syntax", "fix the YAML syntax", id="syntax"),
]


@pytest.mark.parametrize(("text", "line", "message", "fix"), BAD)
def test_config_errors_name_line_and_fix(
    tmp_path: Path, text: str, line: int, message: str, fix: str | None
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    issues = caught.value.issues
    assert len(issues) == 1, issues
    issue = issues[0]
    assert issue.file == path
    assert issue.line == line, str(issue)
    assert message in issue.message
    if fix is not None:
        assert issue.fix is not None
        assert fix in issue.fix
    assert f"{path}:{line}:" in str(caught.value)


def test_every_error_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = "connections:\n  a:\n    type: zohoo\n  b:\n    type: fxiaokee\n    base_urll: x\n"
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert sorted(i.line for i in caught.value.issues) == [3, 5, 6]


def test_section_files_are_checked_with_their_own_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        "rules:\n  - id: a\n    strategy: round_robin\n    when: {tier: A}\n",
        "assignment.yaml",
    )
    write(
        tmp_path,
        "customer:\n  thresholds:\n    auto_merge: 0.5\n    review: 0.7\n",
        "matching.yaml",
    )
    main = write(
        tmp_path, "matching: matching.yaml\nassignment: assignment.yaml\npolicies: nope.yaml\n"
    )
    issues = check_config(main)
    by_file = {i.file.name: i for i in issues}
    assert by_file["assignment.yaml"].line == 1
    assert "fallback" in by_file["assignment.yaml"].message
    assert by_file["matching.yaml"].line == 2  # the `thresholds:` block holding both
    assert "must be below auto_merge" in by_file["matching.yaml"].message
    assert by_file["nope.yaml"].message == "file not found"


def test_unset_secret_is_a_warning_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZOHO_CLIENT_ID", raising=False)
    monkeypatch.delenv("ZOHO_CLIENT_SECRET", raising=False)
    monkeypatch.delenv("FXIAOKE_APP_SECRET", raising=False)
    issues = check_config(write(tmp_path, GOOD))
    assert {i.severity for i in issues} == {"warning"}
    assert {i.line for i in issues} == {8, 9, 14}
    assert any("ZOHO_CLIENT_SECRET is not set" in i.message for i in issues)


def test_shipped_example_config_is_valid() -> None:
    issues = check_config(Path(__file__).parents[3] / "config" / "crmhub.yaml")
    assert [i for i in issues if i.severity == "error"] == []


def test_no_config_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRMHUB_CONFIG", raising=False)
    loaded = load_config(None)
    assert loaded.file is None
    assert loaded.hub.connections == {}
