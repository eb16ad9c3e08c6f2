"""Survivorship policies (generic over value, source and time) and golden records from sources."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.config.matching import SurvivorshipConfig, SurvivorshipSpec
from core.merging import (
    Candidate,
    MostComplete,
    MostRecent,
    NeverBlank,
    SourcePriority,
    SourceValues,
    golden_from_sources,
    is_blank,
    policy_from_spec,
)
from mapping.model import CanonicalValidationError

JAN, FEB, MAR = (datetime(2026, m, 1, tzinfo=UTC) for m in (1, 2, 3))


def sides(*values: tuple[object, str, datetime | None]) -> list[Candidate[object]]:
    return [Candidate(v, s, t) for v, s, t in values]


def test_most_recent_wins_and_a_side_without_time_counts_as_oldest() -> None:
    chosen = MostRecent().choose(sides(("a", "zoho", JAN), ("b", "fxiaoke", FEB), ("c", "x", None)))
    assert chosen is not None
    assert chosen.value == "b"


def test_source_priority_then_most_recent() -> None:
    policy = SourcePriority(("fxiaoke", "zoho"))
    chosen = policy.choose(sides(("a", "zoho", MAR), ("b", "fxiaoke", JAN), ("c", "fxiaoke", FEB)))
    assert chosen is not None
    assert chosen.value == "c"
    fallback = policy.choose(sides(("a", "hubspot", JAN), ("b", "salesforce", FEB)))
    assert fallback is not None
    assert fallback.value == "b"


def test_most_complete_prefers_fuller_values_and_breaks_ties_by_time() -> None:
    policy = MostComplete()
    addresses = sides(
        ({"city": "深圳", "street": None}, "zoho", MAR),
        ({"city": "深圳", "street": "科技园路1号"}, "fxiaoke", JAN),
    )
    chosen = policy.choose(addresses)
    assert chosen is not None
    assert chosen.source == "fxiaoke"
    tie = policy.choose(sides(("abc", "zoho", JAN), ("xyz", "fxiaoke", FEB)))
    assert tie is not None
    assert tie.value == "xyz"


def test_never_blank_keeps_a_value_over_a_newer_blank() -> None:
    policy = NeverBlank(MostRecent())
    chosen = policy.choose(sides(("+8613800138000", "zoho", JAN), ("  ", "fxiaoke", FEB)))
    assert chosen is not None
    assert chosen.value == "+8613800138000"
    all_blank = policy.choose(sides((None, "zoho", JAN), ([], "fxiaoke", FEB)))
    assert all_blank is not None
    assert is_blank(all_blank.value)
    assert MostRecent().choose(sides(("x", "zoho", JAN), ("", "fxiaoke", FEB))).value == ""  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "blank"),
    [(None, True), ("", True), ("  ", True), ([], True), ({}, True), ({"a": None}, True),
     ([""], True), (0, False), (False, False), ("x", False), (["x"], False)],
)  # fmt: skip
def test_is_blank(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


def test_policy_from_spec() -> None:
    assert policy_from_spec(SurvivorshipSpec()) == NeverBlank(MostRecent())
    spec = SurvivorshipSpec(policy="source_priority", sources=["zoho"], never_blank=False)
    assert policy_from_spec(spec) == SourcePriority(("zoho",))


def test_golden_record_field_by_field() -> None:
    config = SurvivorshipConfig(
        default=SurvivorshipSpec(policy="most_recent"),
        fields={"name": SurvivorshipSpec(policy="source_priority", sources=["fxiaoke"])},
    )
    zoho = SourceValues(
        {"name": "Huateng Technology", "phones": ["+8675523456789"], "industry": "technology",
         "custom": {"Credit_Code": "91X", "Tier_Note": "vip"}},
        "zoho", FEB,
    )  # fmt: skip
    fxiaoke = SourceValues(
        {"name": "深圳市华腾科技有限公司", "phones": [], "website": "huateng.com",
         "custom": {"Credit_Code": "91Y"}},
        "fxiaoke", JAN,
    )  # fmt: skip
    golden = golden_from_sources("customer", [zoho, fxiaoke], config)
    assert golden["name"] == "深圳市华腾科技有限公司"  # source priority
    assert golden["phones"] == ["+8675523456789"]  # newest, and never blank over a value
    assert golden["website"] == "huateng.com"  # only one side has it
    assert golden["custom"] == {"Credit_Code": "91X", "Tier_Note": "vip"}  # custom field by field


def test_golden_contact_name_is_derived_from_the_surviving_parts() -> None:
    old = SourceValues({"first_name": "伟", "last_name": "张", "full_name": "张伟"}, "a", JAN)
    new = SourceValues(
        {"first_name": "Wei", "last_name": "Zhang", "full_name": "Wei Zhang"}, "b", FEB
    )
    golden = golden_from_sources("contact", [old, new], SurvivorshipConfig())
    assert (golden["first_name"], golden["last_name"], golden["full_name"]) == (
        "Wei", "Zhang", "Wei Zhang",
    )  # fmt: skip


def test_golden_phone_read_in_two_countries_is_the_reading_in_the_records_country() -> None:
    # the newer record has no country: its 415-586-5647 was read as a Dandong landline
    guess = SourceValues(
        {"name": "Golden Gate Robotics", "phones": ["+864155865647", "+8613800138000"]},
        "zoho",
        FEB,
    )
    sure = SourceValues(
        {"name": "Golden Gate Robotics", "phones": ["+14155865647"], "address": {"country": "US"}},
        "fxiaoke",
        JAN,
    )
    golden = golden_from_sources("customer", [guess, sure], SurvivorshipConfig())
    assert golden["phones"] == ["+14155865647", "+8613800138000"]
    assert golden["address"]["country"] == "US"
    # without a country anywhere the newer value survives as it is
    unsure = SourceValues({"name": "Golden Gate Robotics", "phones": ["+14155865647"]}, "x", JAN)
    kept = golden_from_sources("customer", [guess, unsure], SurvivorshipConfig())
    assert kept["phones"] == ["+864155865647", "+8613800138000"]


def test_golden_record_is_validated() -> None:
    with pytest.raises(CanonicalValidationError, match="name"):
        golden_from_sources(
            "customer", [SourceValues({"name": " "}, "a", JAN)], SurvivorshipConfig()
        )
    with pytest.raises(ValueError, match="at least one source"):
        golden_from_sources("customer", [], SurvivorshipConfig())
