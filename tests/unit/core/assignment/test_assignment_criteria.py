"""Criteria: what each comparison means, what YAML they come from, and that they go back to it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from core.assignment import Always, Amount, And, Compare, Criteria, Not, Op, Or, Rates
from core.assignment.criteria_parse import CriteriaError, parse_criteria
from core.assignment.fields import customer_facts

CUSTOMER: dict[str, Any] = {
    "name": "深圳市腾讯计算机系统有限公司",
    "industry": "Internet",
    "tier": "B",
    "address": {"city": "Shenzhen", "region": "CN-GD", "country": "CN"},
    "annual_revenue": {"amount": "200000", "currency": "USD"},
    "employee_count": 120,
    "tags": ["VIP", "Partner"],
    "custom": {"level": "gold", "score": 7, "legacy": True},
}
RATES = Rates("CNY", {"USD": Decimal("7.10")})

# (criteria as YAML, matches with rates?, matches without rates?)
CASES = [
    ("{country: CN}", True, True),
    ("{country: China}", True, True),
    ("{country: {ne: CN}}", False, False),
    ("{region: {in: [CN-GD, CN-FJ]}}", True, True),
    ("{city: shenzhen}", True, True),
    ("{industry: {not in: [Banking, Retail]}}", True, True),
    ("{tier: {in: [A]}}", False, False),
    ("{tags: vip}", True, True),
    ("{tags: {not_in: [vip]}}", False, False),
    ("{tags: {in: [x, partner]}}", True, True),
    ("{source: fxiaoke}", True, True),
    ("{source: {ne: zoho}}", False, False),
    ("{employee_count: {ge: 100, lt: 500}}", True, True),
    ("{employee_count: {gt: 120}}", False, False),
    ("{annual_revenue: {'>=': 1000000 CNY}}", True, False),
    ("{annual_revenue: {lt: 1000000 CNY}}", False, False),
    ("{annual_revenue: {ge: 150000 USD}}", True, True),
    ("{custom.level: GOLD}", True, True),
    ("{custom.score: {gt: 5}}", True, True),
    ("{custom.score: '7'}", False, False),
    ("{custom.legacy: true}", True, True),
    ("{custom.missing: {exists: false}}", True, True),
    ("{custom.missing: {ne: x}}", True, True),
    ("{custom.missing: x}", False, False),
    ("{any: [{tier: A}, {tags: VIP}]}", True, True),
    ("{all: [{tier: B}, {not: {country: US}}]}", True, True),
    ("{not: {any: [{tier: B}, {tier: C}]}}", False, False),
]


@pytest.mark.parametrize(("text", "with_rates", "without"), CASES)
def test_criteria_match_as_documented(text: str, with_rates: bool, without: bool) -> None:
    criteria = parse_criteria(yaml.safe_load(text))
    facts = customer_facts(CUSTOMER, ["zoho", "fxiaoke"])
    assert criteria.matches(facts, RATES) is with_rates
    assert criteria.matches(facts, Rates()) is without
    checks: list[Any] = []
    assert criteria.evaluate(facts, RATES, checks) is with_rates
    assert checks, "evaluate records the comparisons it made"


def test_unlike_currencies_say_why_they_were_not_compared() -> None:
    criteria = parse_criteria({"annual_revenue": {">=": "1000000 CNY"}})
    facts = customer_facts(CUSTOMER, [])
    checks: list[Any] = []
    assert not criteria.evaluate(facts, Rates(), checks)
    assert checks[0].note == (
        "200000 USD is not comparable with 1000000 CNY: no rate for USD in currency.rates"
    )
    checks.clear()
    assert criteria.evaluate(facts, RATES, checks)
    assert checks[0].note == "200000 USD = 1420000.00 CNY at the configured rate"


def test_a_failed_rule_shows_the_condition_that_failed() -> None:
    criteria = parse_criteria({"country": "CN", "tier": "A", "industry": "Internet"})
    checks: list[Any] = []
    assert not criteria.evaluate(customer_facts(CUSTOMER, []), RATES, checks)
    assert [(c.field, c.ok) for c in checks] == [("country", True), ("tier", False)]
    assert checks[-1].to_data() == {"field": "tier", "op": "==", "expected": "A", "ok": False}


# (criteria data, path of the error, words in the message, words in the fix)
BAD = [
    ({"countyr": "CN"}, ("countyr",), "not a field", "did you mean `country`?"),
    ({"email": "x"}, ("email",), "not a field", "use one of name, country"),
    ({"tier": "D"}, ("tier",), "not a tier", "A, B or C"),
    ({"tier": {"in": ["A", "E"]}}, ("tier", "in"), "not a tier", "A, B or C"),
    ({"country": "Atlantis"}, ("country",), "unknown country", "ISO 3166-1"),
    ({"region": "广东"}, ("region",), "not an ISO 3166-2 region", "did you mean `CN-GD`?"),
    ({"region": "CN-XX"}, ("region",), "unknown region of CN", "CN-GD"),
    ({"city": ["a", "b"]}, ("city",), "a list needs an operator", "{in: [a, b]}"),
    ({"industry": {"=>": "x"}}, ("industry", "=>"), "not an operator", "did you mean"),
    ({"country": {">": "CN"}}, ("country", ">"), "does not apply to country", "==, !="),
    ({"employee_count": {"ge": "many"}}, ("employee_count", "ge"), "whole numbers", "500"),
    ({"annual_revenue": {"ge": "1000000"}}, ("annual_revenue", "ge"), "needs its currency", "CNY"),
    ({"annual_revenue": {"ge": "10 ¥"}}, ("annual_revenue", "ge"), "ambiguous currency", "CNY"),
    ({"annual_revenue": {"in": ["1 CNY"]}}, ("annual_revenue", "in"), "compared with ==", None),
    ({"tags": {"in": []}}, ("tags", "in"), "non-empty list", None),
    ({"custom.score": {"gt": "5"}}, ("custom.score", "gt"), "whole numbers only", None),
    ({"custom.9x": 1}, ("custom.9x",), "not a field", None),
    ({"tier": {"exists": "yes"}}, ("tier", "exists"), "true or false", None),
    ({"any": {"tier": "A"}}, ("any",), "takes a list", None),
    ({"not": []}, ("not",), "a mapping of field", None),
    ({"all": [{}]}, ("all", 0), "a mapping of field", None),
]


@pytest.mark.parametrize(("data", "path", "message", "fix"), BAD)
def test_bad_criteria_name_path_message_and_fix(
    data: dict[str, Any], path: tuple[Any, ...], message: str, fix: str | None
) -> None:
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(data)
    (issue,) = caught.value.issues
    assert issue.path == path
    assert message in issue.message
    if fix is not None:
        assert issue.fix is not None
        assert fix in issue.fix


def test_every_mistake_is_reported() -> None:
    with pytest.raises(CriteriaError) as caught:
        parse_criteria({"countyr": "CN", "tier": "D", "any": [{"citty": "x"}]})
    assert [i.path for i in caught.value.issues] == [("countyr",), ("tier",), ("any", 0, "citty")]


# Round trip: criteria -> YAML text -> criteria is the identity (STYLE principle 8).
_text = (
    st.text(
        alphabet=st.characters(categories=("L", "N"), include_characters=" -_"),
        min_size=1,
        max_size=8,
    )
    .map(str.strip)
    .filter(bool)
)
_money = st.builds(
    Amount,
    st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False),
    st.sampled_from(["CNY", "USD", "EUR"]),
)
_compares = st.one_of(
    st.builds(
        Compare, st.just("country"), st.sampled_from([Op.EQ, Op.NE]), st.sampled_from(["CN", "US"])
    ),
    st.builds(Compare, st.just("tier"), st.sampled_from([Op.IN, Op.NOT_IN]), st.just(("A", "B"))),
    st.builds(Compare, st.just("industry"), st.sampled_from([Op.EQ, Op.NE]), _text),
    st.builds(
        Compare,
        st.just("tags"),
        st.sampled_from([Op.IN, Op.NOT_IN]),
        st.lists(_text, min_size=1, max_size=3).map(tuple),
    ),
    st.builds(
        Compare, st.just("employee_count"), st.sampled_from(list(Op)[:6]), st.integers(0, 10**6)
    ),
    st.builds(Compare, st.just("annual_revenue"), st.sampled_from(list(Op)[:6]), _money),
    st.builds(Compare, st.just("custom.level"), st.sampled_from([Op.EQ, Op.EXISTS]), st.booleans()),
    st.builds(Compare, st.just("source"), st.just(Op.EQ), st.sampled_from(["zoho", "fxiaoke"])),
)
_criteria: st.SearchStrategy[Criteria] = st.recursive(
    _compares,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda items: And.of(*items)),
        st.lists(inner, min_size=2, max_size=3).map(lambda items: Or.of(*items)),
        inner.map(Not),
    ),
    max_leaves=6,
)


@given(_criteria)
def test_criteria_round_trip_through_yaml(criteria: Criteria) -> None:
    text = yaml.safe_dump(criteria.to_data(), allow_unicode=True, sort_keys=False)
    assert parse_criteria(yaml.safe_load(text)) == criteria


def test_always_is_the_fallback_and_has_no_yaml() -> None:
    assert Always().to_data() == {}
    assert Always().matches({}, Rates())
