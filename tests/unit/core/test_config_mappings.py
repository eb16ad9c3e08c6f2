"""`crmhub config check` validates the map file of each connection, with file:line and a fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.config import ConfigError, check_config, load_config
from mapping.model import Customer

CONFIG = Path(__file__).parents[3] / "config"

MAP = """\
connector: zoho
picklists:
  tier: {values: {A: A, B: B, C: C}}
entities:
  customer:
    object: Accounts
    fields:
      - {remote: Account_Name, canonical: name, transform: company_name, required: true}
      - {remote: Phone, canonical: "phones[0]", transform: phone}
      - {remote: Customer_Tier, canonical: tier, transform: picklist, picklist: tier}
"""


def setup(tmp_path: Path, map_text: str = MAP, extra: str = "") -> Path:
    (tmp_path / "maps").mkdir(parents=True)
    (tmp_path / "maps" / "zoho.yaml").write_text(map_text, encoding="utf-8")
    main = tmp_path / "crmhub.yaml"
    main.write_text(
        "connections:\n  zoho_cn:\n    type: zoho\n    timezone: Asia/Shanghai\n"
        "    mapping: maps/zoho.yaml\n" + extra,
        encoding="utf-8",
    )
    return main


def test_a_connections_mapper_is_ready_after_loading(tmp_path: Path) -> None:
    loaded = load_config(setup(tmp_path))
    mapper = loaded.mapper("zoho_cn")
    assert mapper.connection == "zoho_cn"
    assert mapper.context.timezone == "Asia/Shanghai"
    customer = mapper.pull(
        "customer", {"id": "1", "Account_Name": "Zylker", "Phone": "010 1234 5678"}
    )
    assert isinstance(customer, Customer)
    assert customer.phones == ["+861012345678"]  # the connection's default region, CN


def test_shipped_config_binds_both_shipped_maps(tmp_path: Path) -> None:
    loaded = load_config(CONFIG / "crmhub.yaml")
    assert set(loaded.mappings) == {"zoho", "fxiaoke"}
    assert loaded.mapper("fxiaoke").connector_map.connector == "fxiaoke"


# (text replaced in MAP, the new text, line, words in the message, words in the fix)
BAD = [
    pytest.param(
        "transform: phone}",
        "transform: phnoe}",
        9,
        "no transform named 'phnoe'",
        "did you mean `phone`?",
        id="transform-typo",
    ),
    pytest.param(
        'canonical: "phones[0]"',
        "canonical: phone",
        9,
        "Customer has no field 'phone'",
        "did you mean `phones`?",
        id="canonical-typo",
    ),
    pytest.param(
        "{A: A, B: B, C: C}",
        "{A: A, B: B, C: D}",
        3,
        "'D' is not a value of tier",
        "use one of: A, B, C",
        id="picklist-value",
    ),
    pytest.param(
        "required: true}",
        "required: true, direction: read}",
        8,
        "'pull', 'push' or 'both'",
        None,
        id="direction-value",
    ),
    pytest.param(
        "picklist: tier}",
        "picklist: tiers}",
        10,
        "no picklist named 'tiers'",
        "did you mean `tier`?",
        id="picklist-name",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "message", "fix"), BAD)
def test_map_errors_name_the_map_file_line_and_fix(
    tmp_path: Path, old: str, new: str, line: int, message: str, fix: str | None
) -> None:
    assert old in MAP
    main = setup(tmp_path, MAP.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_config(main)
    issues = caught.value.issues
    assert len(issues) == 1, issues
    issue = issues[0]
    assert issue.file == tmp_path / "maps" / "zoho.yaml"
    assert issue.line == line, str(issue)
    assert message in issue.message
    if fix is not None:
        assert issue.fix is not None
        assert fix in issue.fix
    assert f"maps/zoho.yaml:{line}:" in str(caught.value)


def test_a_misspelt_key_is_reported_with_what_it_leaves_missing(tmp_path: Path) -> None:
    issues = check_config(setup(tmp_path, MAP.replace("    fields:", "    feilds:")))
    assert sorted((i.line, i.message, i.fix) for i in issues) == [
        (5, "Field required", "add `fields:`"),
        (7, "Extra inputs are not permitted", "did you mean `fields`?"),
    ]


def test_a_map_for_another_connector_type_is_refused(tmp_path: Path) -> None:
    main = setup(tmp_path, MAP.replace("connector: zoho", "connector: fxiaoke"))
    issues = check_config(main)
    assert [(i.file, i.line, i.where) for i in issues] == [(main, 5, "connections.zoho_cn.mapping")]
    assert "maps `fxiaoke`" in issues[0].message


def test_a_map_shared_by_two_connections_is_checked_once(tmp_path: Path) -> None:
    extra = "  zoho_us:\n    type: zoho\n    mapping: maps/zoho.yaml\n    default_region: US\n"
    main = setup(tmp_path, MAP.replace("transform: phone}", "transform: phnoe}"), extra)
    assert len([i for i in check_config(main) if "phnoe" in i.message]) == 1
    good = load_config(setup(tmp_path / "ok", MAP, extra))
    assert good.mapper("zoho_us").context.default_region == "US"
    assert good.mapper("zoho_us").connector_map is good.mapper("zoho_cn").connector_map


def test_an_unknown_timezone_is_reported_on_its_line(tmp_path: Path) -> None:
    main = setup(tmp_path)
    main.write_text(main.read_text().replace("Asia/Shanghai", "Asia/Peking"), encoding="utf-8")
    issues = check_config(main)
    assert [(i.line, i.where) for i in issues] == [(4, "connections.zoho_cn.timezone")]
    assert "not an IANA zone name" in issues[0].message


def test_missing_map_file_and_connection_without_a_map(tmp_path: Path) -> None:
    main = setup(tmp_path)
    (tmp_path / "maps" / "zoho.yaml").unlink()
    issues = check_config(main)
    assert [(i.line, i.message) for i in issues] == [(5, "file not found")]
    shutil.copy(CONFIG / "mappings" / "zoho.yaml", tmp_path / "maps" / "zoho.yaml")
    main.write_text(main.read_text() + "  plain:\n    type: zoho\n", encoding="utf-8")
    loaded = load_config(main)
    with pytest.raises(KeyError, match="has no `mapping:` file"):
        loaded.mapper("plain")
