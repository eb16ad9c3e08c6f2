"""A map file is checked when it is loaded: every problem with where it is and how to fix it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from map_files import MAPS

from mapping.maps import MapDefinitionError, load_map, parse_map
from mapping.model import EntityKind


def one_entity(fields: str, kind: str = "customer", picklists: str = "") -> dict[str, Any]:
    text = f"connector: zoho\npicklists: {{{picklists}}}\nentities:\n  {kind}:\n    object: X\n"
    text += "    fields:\n" + "".join(f"      - {line}\n" for line in fields.strip().splitlines())
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def problems_of(data: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    with pytest.raises(MapDefinitionError) as caught:
        parse_map(data, source="test.yaml")
    return [(p.where, p.message, p.fix) for p in caught.value.problems]


# (fields, where, words in the message, words in the fix)
BAD = [
    pytest.param(
        "{remote: A, canonical: nmae, transform: str}",
        "entities.customer.fields[0].canonical",
        "no field 'nmae'",
        "did you mean `name`?",
        id="canonical-typo",
    ),
    pytest.param(
        "{remote: A, canonical: name, transform: company_nam}",
        "entities.customer.fields[0].transform",
        "no transform named 'company_nam'",
        "did you mean `company_name`?",
        id="transform-typo",
    ),
    pytest.param(
        "{remote: A, canonical: close_date, transform: phone}",
        "entities.opportunity.fields[0].transform",
        "cannot fill close_date (it holds date",
        "use `date`",
        id="transform-does-not-fit",
    ),
    pytest.param(
        "{remote: A, canonical: annual_revenue.amount, transform: money}",
        "entities.customer.fields[0].transform",
        "cannot fill annual_revenue.amount",
        "`money` on `annual_revenue`",
        id="amount-without-currency",
    ),
    pytest.param(
        "{remote: A, canonical: phones, transform: phone}",
        "entities.customer.fields[0].canonical",
        "phones is a list",
        "phones[0]",
        id="list-without-slot",
    ),
    pytest.param(
        "{remote: A, canonical: name, transform: tags}",
        "entities.customer.fields[0].canonical",
        "fills a whole list",
        "such as `tags`",
        id="tags-on-text",
    ),
    pytest.param(
        "{remote: Website, canonical: domain, transform: domain}",
        "entities.customer.fields[0].direction",
        "only reads",
        "direction: pull",
        id="read-only-transform-both-ways",
    ),
    pytest.param(
        "{remote: A, canonical: created_at, transform: datetime, options: {formt: iso}}",
        "entities.customer.fields[0].options.formt",
        "Extra inputs",
        "did you mean `format`?",
        id="option-typo",
    ),
    pytest.param(
        "{remote: A, canonical: created_at, transform: datetime, options: {format: unix}}",
        "entities.customer.fields[0].options.format",
        "'iso' or 'epoch_ms'",
        None,
        id="option-value",
    ),
    pytest.param(
        "{remote: A, canonical: close_date, transform: date, options: {zone: Asia/Shanghay}}",
        "entities.opportunity.fields[0].options.zone",
        "not an IANA time zone",
        None,
        id="bad-zone",
    ),
    pytest.param(
        "{remote: A, canonical: tier, transform: picklist, picklist: tiers}",
        "entities.customer.fields[0].picklist",
        "no picklist named 'tiers'",
        "did you mean `tier`?",
        id="unknown-picklist",
    ),
    pytest.param(
        "{remote: A, canonical: tier, transform: picklist}",
        "entities.customer.fields[0]",
        "needs a `picklist:`",
        "picklists:",
        id="no-picklist",
    ),
    pytest.param(
        "{remote: A, canonical: name, transform: str, picklist: tier}",
        "entities.customer.fields[0].picklist",
        "takes no picklist",
        None,
        id="picklist-on-str",
    ),
    pytest.param(
        "{remote: A, canonical: tier, transform: picklist, picklist: {values: {1: D}}}",
        "entities.customer.fields[0].picklist.values.1",
        "'D' is not a value of tier",
        "use one of: A, B, C",
        id="picklist-target-not-canonical",
    ),
    pytest.param(
        "{remote: A, canonical: stage, transform: picklist, picklist: {values: {x: closed_wn}}}",
        "entities.opportunity.fields[0].picklist.values.x",
        "'closed_wn' is not a value of stage",
        "did you mean `closed_won`?",
        id="stage-typo",
    ),
    pytest.param(
        "{remote: A, canonical: stage, transform: picklist, picklist: {values: {x: closed_won},"
        " unknown: keep}}",
        "entities.opportunity.fields[0].picklist.unknown",
        "cannot be kept",
        "unknown: error",
        id="keep-on-enum",
    ),
    pytest.param(
        "{remote: A, canonical: name, transform: str, required: true, invalid: drop}",
        "entities.customer.fields[0].invalid",
        "cannot be dropped",
        None,
        id="required-dropped",
    ),
    pytest.param(
        "{remote: A, canonical: full_name, transform: person_name, options: {first: first_nam,"
        " last: last_name}}",
        "entities.contact.fields[0].options.first",
        "no field 'first_nam'",
        "did you mean `first_name`?",
        id="split-into-typo",
    ),
    pytest.param(
        "{remote: A, canonical: full_name, transform: person_name, options: {first: first_name}}",
        "entities.contact.fields[0].options",
        "both `first` and `last`",
        None,
        id="split-half",
    ),
]


@pytest.mark.parametrize(("fields", "where", "message", "fix"), BAD)
def test_map_problems_name_the_place_and_the_fix(
    fields: str, where: str, message: str, fix: str | None
) -> None:
    kind = where.split(".")[1]
    problems = problems_of(one_entity(fields, kind, picklists="tier: {values: {A: A}}"))
    assert len(problems) == 1, problems
    got_where, got_message, got_fix = problems[0]
    assert got_where == where
    assert message in got_message
    if fix is not None:
        assert got_fix is not None
        assert fix in got_fix


def test_every_problem_is_reported_not_just_the_first() -> None:
    fields = """
{remote: A, canonical: nmae, transform: str}
{remote: B, canonical: title, transform: strr}
{remote: C, canonical: "emails[1]", transform: email}
{remote: D, canonical: "emails[0]", transform: email}
{remote: C, canonical: title, transform: str}
"""
    problems = problems_of(one_entity(fields, "contact"))
    assert [where for where, _, _ in problems] == [
        "entities.contact.fields[0].canonical",
        "entities.contact.fields[1].transform",
        "entities.contact.fields[3].canonical",  # slot 0 after slot 1
        "entities.contact.fields[4].remote",  # C written twice
    ]
    assert "already written by fields[2]" in problems[3][1]


def test_a_shared_picklist_reports_its_problem_once() -> None:
    fields = """
{remote: A, canonical: tier, transform: picklist, picklist: tier}
{remote: B, canonical: tier, transform: picklist, picklist: tier, direction: pull}
"""
    problems = problems_of(one_entity(fields, picklists="tier: {values: {X: Z}}"))
    assert problems == [("picklists.tier.values.X", problems[0][1], "use one of: A, B, C")]


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        ({"connector": "zoho"}, "entities", "Field required"),
        (
            {"connector": "zoho", "entities": {"customers": {}}},
            "entities.customers.[key]",
            "Input should be 'customer', 'contact' or 'opportunity'",
        ),
        (
            {
                "connector": "zoho",
                "entities": {
                    "customer": {
                        "object": "A",
                        "fields": [
                            {
                                "remote": "A",
                                "canonical": "name",
                                "transform": "str",
                                "direction": "in",
                            }
                        ],
                    }
                },
            },
            "entities.customer.fields[0].direction",
            "'pull', 'push' or 'both'",
        ),
        (
            {
                "connector": "zoho",
                "picklists": {"p": {"values": {"a": "b"}, "unknown": "default"}},
                "entities": {"customer": {"object": "A", "fields": []}},
            },
            "picklists.p",
            "`default` goes with `unknown: default`",
        ),
    ],
)
def test_structure_errors_come_with_their_location(
    data: dict[str, Any], where: str, message: str
) -> None:
    problems = problems_of(data)
    assert any(w == where and message in m for w, m, _ in problems), problems


def test_load_map_reports_yaml_syntax(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("connector: [zoho\n", encoding="utf-8")
    with pytest.raises(MapDefinitionError, match="YAML syntax") as caught:
        load_map(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("name", ["zoho", "fxiaoke"])
def test_shipped_maps_cover_every_entity(name: str) -> None:
    connector_map = load_map(MAPS / f"{name}.yaml")
    assert connector_map.connector == name
    assert set(connector_map.entities) == set(EntityKind)
