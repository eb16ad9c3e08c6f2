"""The three-way field merge: every case, each policy, blanks, lists held in slots, references."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.config.policies import FieldPolicy, PoliciesConfig
from core.merging import Candidate
from core.sync.merge import Action, apply_changes, merge_field, merge_record, rederived
from mapping.model import CanonicalValidationError

EARLY = datetime(2025, 1, 1, tzinfo=UTC)
LATE = datetime(2025, 6, 1, tzinfo=UTC)
NEWEST = FieldPolicy(policy="newest")
MANUAL = FieldPolicy(policy="manual")
NEVER_BLANK = FieldPolicy(policy="never_blank")


def merge(
    incoming: Any,
    golden: Any,
    *,
    base: Any = None,
    has_base: bool = True,
    policy: FieldPolicy = NEWEST,
    when: datetime = LATE,
    golden_from: tuple[str, datetime] = ("fxiaoke", EARLY),
    slots: int | None = None,
) -> Any:
    return merge_field(
        "phone",
        incoming=Candidate(incoming, "zoho", when),
        base=base,
        has_base=has_base,
        golden=golden,
        golden_sides=[Candidate(golden, *golden_from)],
        policy=policy,
        slots=slots,
    )


def test_a_field_unchanged_since_the_base_changes_nothing() -> None:
    # the golden record moved on elsewhere: the planner writes it here, the merge keeps it
    result = merge("+8610111", "+8610999", base="+8610111")
    assert (result.action, result.value, result.changes_golden) == (
        Action.UNCHANGED,
        "+8610999",
        False,
    )


def test_changed_on_this_side_only_is_taken() -> None:
    result = merge("+8610222", "+8610111", base="+8610111")
    assert (result.action, result.value, result.winner) == (Action.TAKE, "+8610222", "zoho")
    assert result.changes_golden
    assert result.why() == "changed in zoho only"


def test_changed_to_the_value_the_golden_record_has_converges() -> None:
    result = merge("+8610222", "+8610222", base="+8610111")
    assert (result.action, result.changes_golden) == (Action.CONVERGED, False)


@pytest.mark.parametrize(
    ("when", "winner", "value"),
    [(LATE, "zoho", "+8610333"), (EARLY, "fxiaoke", "+8610222")],
    ids=["this-side-newer", "other-side-newer"],
)
def test_several_sides_different_values_newest_wins(
    when: datetime, winner: str, value: str
) -> None:
    result = merge(
        "+8610333",
        "+8610222",
        base="+8610111",
        when=when,
        golden_from=("fxiaoke", (EARLY if when == LATE else LATE)),
    )
    assert (result.action, result.winner, result.value) == (Action.POLICY, winner, value)
    assert result.policy == "newest"
    assert result.changes_golden == (winner == "zoho")


@pytest.mark.parametrize(
    ("sources", "winner", "value"),
    [(["zoho", "fxiaoke"], "zoho", "+8610333"), (["fxiaoke", "zoho"], "fxiaoke", "+8610222")],
)
def test_several_sides_source_priority(sources: list[str], winner: str, value: str) -> None:
    policy = FieldPolicy(policy="source_priority", sources=sources)
    # the priority decides even against the newer change
    result = merge("+8610333", "+8610222", base="+8610111", policy=policy, when=EARLY,
                   golden_from=("fxiaoke", LATE))  # fmt: skip
    assert (result.winner, result.value) == (winner, value)


def test_several_sides_manual_opens_a_conflict_and_keeps_the_golden_value() -> None:
    result = merge("+8610333", "+8610222", base="+8610111", policy=MANUAL)
    assert result.action is Action.CONFLICT
    assert result.value == "+8610222"
    assert not result.changes_golden
    assert [(c.source, c.value) for c in result.candidates] == [
        ("zoho", "+8610333"),
        ("fxiaoke", "+8610222"),
    ]
    assert result.base == "+8610111"


def test_a_value_cleared_on_one_side_only_is_cleared() -> None:
    result = merge(None, "+8610111", base="+8610111")
    assert (result.action, result.value, result.changes_golden) == (Action.TAKE, None, True)


def test_blank_against_a_value_under_never_blank_keeps_the_value() -> None:
    # cleared here (later), changed there: a blank never wins over a value
    result = merge("", "+8610222", base="+8610111", policy=NEVER_BLANK, when=LATE)
    assert (result.action, result.value, result.winner) == (Action.POLICY, "+8610222", "fxiaoke")
    newest = merge("", "+8610222", base="+8610111", policy=NEWEST, when=LATE)
    assert (newest.value, newest.winner, newest.changes_golden) == ("", "zoho", True)


def test_blanks_are_one_nothing() -> None:
    for blank in (None, "", "  ", [], {}):
        assert merge(blank, None, base=None).action is Action.UNCHANGED


def test_new_link_takes_what_the_golden_record_lacks() -> None:
    result = merge("+8610333", None, has_base=False)
    assert (result.action, result.value) == (Action.TAKE, "+8610333")
    assert result.why() == "was empty"


def test_new_link_with_nothing_leaves_the_golden_value() -> None:
    result = merge(None, "+8610222", has_base=False)
    assert (result.action, result.value, result.changes_golden) == (Action.KEEP, "+8610222", False)


def test_new_link_with_the_same_value_converges() -> None:
    assert merge("+8610222", "+8610222", has_base=False).action is Action.CONVERGED


@pytest.mark.parametrize(
    ("policy", "action", "value"),
    [(NEWEST, Action.POLICY, "+8610333"), (MANUAL, Action.CONFLICT, "+8610222")],
)
def test_new_link_with_a_different_value_goes_through_the_policy(
    policy: FieldPolicy, action: Action, value: str
) -> None:
    result = merge("+8610333", "+8610222", has_base=False, policy=policy)
    assert (result.action, result.value) == (action, value)


def test_a_crm_holding_one_slot_of_a_list_changes_only_that_slot() -> None:
    golden = ["+8610111", "+8610222"]
    result = merge(["+8610999"], golden, base=["+8610111"], slots=1)
    assert (result.action, result.value) == (Action.TAKE, ["+8610999", "+8610222"])
    # holding only the first phone, it did not change the list: nothing to take
    same = merge(["+8610111"], golden, base=["+8610111"], slots=1)
    assert same.action is Action.UNCHANGED


def test_references_compare_by_entity_and_amounts_by_number() -> None:
    ref = merge_field(
        "customer",
        incoming=Candidate({"entity_id": "e1", "name": "华腾"}, "zoho", LATE),
        base={"entity_id": "e1", "name": "Huateng"},
        has_base=True,
        golden={"entity_id": "e2"},
        golden_sides=[],
        policy=NEWEST,
    )
    assert ref.action is Action.UNCHANGED
    money = merge_field(
        "amount",
        incoming=Candidate({"amount": "12.50", "currency": "CNY"}, "zoho", LATE),
        base={"amount": "12.5", "currency": "CNY"},
        has_base=True,
        golden={"amount": "99.00", "currency": "CNY"},
        golden_sides=[],
        policy=NEWEST,
    )
    assert money.action is Action.UNCHANGED


def test_merge_record_asks_for_the_golden_sides_only_when_several_changed() -> None:
    asked: list[str] = []

    def sides(path: str) -> list[Candidate[Any]]:
        asked.append(path)
        return [Candidate("old-golden", "fxiaoke", EARLY)]

    policies = PoliciesConfig.model_validate(
        {"fields": {"title": {"policy": "manual"}}, "default": {"policy": "newest"}}
    )
    result = merge_record(
        "contact",
        incoming={"title": "CTO", "phone": "+8610222", "mobile": "+8613800000000"},
        base={"title": "CEO", "phone": "+8610111", "mobile": "+8613800000000"},
        golden={"title": "COO", "phone": "+8610111", "mobile": "+8613800000000"},
        source="zoho",
        modified_at=LATE,
        paths={"title", "phone", "mobile", "custom.department"},
        policies=policies,
        golden_sides=sides,
        skip={"custom.department"},
    )
    assert asked == ["title"]
    assert result.changes == {"phone": "+8610222"}
    assert [c.path for c in result.conflicts] == ["title"]
    assert {f.path for f in result.fields} == {"title", "phone", "mobile"}


def test_apply_changes_derives_full_name_again_and_validates() -> None:
    golden = {"first_name": "伟", "last_name": "张", "full_name": "张伟"}
    assert apply_changes("contact", golden, {"last_name": "王"})["full_name"] == "王伟"
    kept = apply_changes("contact", golden, {"full_name": "张伟 (Wei)", "title": "CTO"})
    assert (kept["full_name"], kept["title"]) == ("张伟 (Wei)", "CTO")
    with pytest.raises(CanonicalValidationError, match=r"E\.164"):
        apply_changes("contact", golden, {"phone": "call me"})
    cleared = apply_changes(
        "customer", {"name": "华腾", "address": {"city": "深圳"}}, {"address.city": None}
    )
    assert (cleared["name"], cleared["address"]) == ("华腾", None)


def test_source_priority_falls_back_to_the_newest_for_unlisted_sides() -> None:
    policy = FieldPolicy(policy="source_priority", sources=["salesforce"])
    newer_here = merge("+8610333", "+8610222", base="+8610111", policy=policy, when=LATE)
    assert (newer_here.winner, newer_here.value) == ("zoho", "+8610333")
    older_here = merge("+8610333", "+8610222", base="+8610111", policy=policy, when=EARLY,
                       golden_from=("fxiaoke", LATE))  # fmt: skip
    assert (older_here.winner, older_here.value, older_here.changes_golden) == (
        "fxiaoke", "+8610222", False,
    )  # fmt: skip


def test_never_blank_between_two_values_takes_the_newest() -> None:
    result = merge("+8610333", "+8610222", base="+8610111", policy=NEVER_BLANK, when=EARLY,
                   golden_from=("fxiaoke", LATE))  # fmt: skip
    assert (result.action, result.winner, result.value) == (Action.POLICY, "fxiaoke", "+8610222")
    # a value over a blank golden field changed elsewhere: the value wins even when older
    filled = merge("+8610333", None, base="+8610111", policy=NEVER_BLANK, when=EARLY,
                   golden_from=("fxiaoke", LATE))  # fmt: skip
    assert (filled.winner, filled.value, filled.changes_golden) == ("zoho", "+8610333", True)


def test_a_full_name_composed_again_is_reported_for_its_audit_row() -> None:
    golden = {"first_name": "Fang", "last_name": "Xie", "full_name": "Fang Xie"}
    changes = {"first_name": "芳"}
    after = apply_changes("contact", golden, changes)
    assert after["full_name"] == "Xie 芳"
    assert rederived("contact", golden, after, changes) == {
        "full_name": ("Fang Xie", "Xie 芳", ("first_name", "last_name"))
    }
    # set with its parts, or not moved: nothing more to audit
    both = {**changes, "full_name": "Xie 芳"}
    assert rederived("contact", golden, apply_changes("contact", golden, both), both) == {}
    same = {"last_name": "Xie"}
    assert rederived("contact", golden, apply_changes("contact", golden, same), same) == {}


# -- one number read in two countries ----------------------------------------------------------
# 415-586-5647 on a record without a country, in a CRM whose region is CN, reads as a Dandong
# landline (+864155865647); its twin with a US address holds it as +14155865647.
GUESSED, US_READING = "+864155865647", "+14155865647"


def merge_phones(
    incoming: Any, golden: Any, countries: set[str], *, slots: int | None = None, **more: Any
) -> Any:
    return merge_field(
        "phones",
        incoming=Candidate(incoming, "fxiaoke", EARLY),
        base=more.pop("base", None),
        has_base=more.pop("has_base", False),
        golden=golden,
        golden_sides=[Candidate(golden, "zoho", LATE)],
        policy=NEWEST,
        slots=slots,
        countries=countries,
    )


def test_the_reading_in_the_records_country_replaces_the_guess_whatever_the_policy() -> None:
    # newest would keep the golden guess (zoho's side is newer): the country decides instead
    result = merge_phones([US_READING], [GUESSED], {"US"})
    assert (result.action, result.value, result.winner) == (
        Action.READING,
        [US_READING],
        "fxiaoke",
    )
    assert result.changes_golden
    assert result.why() == (
        "same digits read in another country; fxiaoke read them in the record's"
    )


def test_a_guess_meeting_the_reading_in_the_records_country_converges() -> None:
    result = merge_phones([GUESSED], [US_READING], {"US"})
    assert (result.action, result.value, result.changes_golden) == (
        Action.CONVERGED,
        [US_READING],
        False,
    )


def test_readings_are_swapped_item_by_item_and_the_golden_slots_past_this_crm_are_kept() -> None:
    mobile = "+8613800138000"
    result = merge_phones([US_READING], [GUESSED, mobile], {"US"}, slots=1)
    assert (result.action, result.value) == (Action.READING, [US_READING, mobile])


def test_a_changed_phone_against_its_base_is_still_read_in_the_country() -> None:
    # retyped without a country since the base: the golden record's US reading stays
    result = merge_phones(GUESSED, US_READING, {"US"}, base="+14155550100", has_base=True)
    assert (result.action, result.value) == (Action.CONVERGED, US_READING)


@pytest.mark.parametrize(
    ("incoming", "golden", "countries"),
    [
        ([US_READING], [GUESSED], set()),  # no side knows the country
        ([US_READING], [GUESSED], {"US", "CN"}),  # the sides disagree on it: both readings home
        ([US_READING], [GUESSED], {"DE"}),  # neither reading is in it
        (["+14155550100"], [GUESSED], {"US"}),  # other digits: another number
        ([US_READING, "+14155550100"], [GUESSED], {"US"}),  # more than the readings differ
    ],
    ids=["no-country", "two-countries", "neither", "other-digits", "more-differs"],
)
def test_phones_that_are_not_one_number_read_twice_go_to_the_policy(
    incoming: list[str], golden: list[str], countries: set[str]
) -> None:
    result = merge_phones(incoming, golden, countries)
    assert (result.action, result.value, result.winner) == (Action.POLICY, golden, "zoho")


def test_merge_record_takes_the_country_from_either_side() -> None:
    def merged(incoming: dict[str, Any], golden: dict[str, Any]) -> Any:
        return merge_record(
            "customer",
            incoming=incoming,
            base=None,
            golden=golden,
            source="fxiaoke",
            modified_at=EARLY,
            paths=set(incoming) | set(golden),
            policies=PoliciesConfig.model_validate({"default": {"policy": "newest"}}),
            golden_sides=lambda path: [Candidate(golden.get(path), "zoho", LATE)],
        ).changes

    assert merged({"phones": [US_READING], "address.country": "US"}, {"phones": [GUESSED]}) == {
        "phones": [US_READING],
        "address.country": "US",
    }
    assert merged({"phones": [US_READING]}, {"phones": [GUESSED], "address.country": "US"}) == {
        "phones": [US_READING]
    }
    # no country anywhere: the policy (newest: zoho's golden) as before
    assert merged({"phones": [US_READING]}, {"phones": [GUESSED]}) == {}


# -- a derived field held as nothing but its parts ------------------------------------------


def _contact_merge(incoming: dict[str, Any], base: dict[str, Any] | None) -> Any:
    golden = {"first_name": "Richard", "last_name": "Brown", "full_name": "Richard Brown"}
    return merge_record(
        "contact",
        incoming=incoming,
        base=base,
        golden=golden,
        source="fxiaoke",
        modified_at=LATE,  # newer than the golden sides: `newest` would take its full name
        paths=set(incoming) | set(golden) | set(base or {}),
        policies=PoliciesConfig.model_validate({"default": {"policy": "newest"}}),
        golden_sides=lambda path: [Candidate(golden.get(path), "zoho", EARLY)],
    )


def test_a_one_field_name_joining_a_fuller_one_follows_the_parts() -> None:
    # Fxiaoke holds one name field: 'Brown' is last_name Brown and nothing else
    result = _contact_merge({"last_name": "Brown", "full_name": "Brown"}, base=None)
    assert result.changes == {}
    full = next(f for f in result.fields if f.path == "full_name")
    assert (full.action, full.value, full.changes_golden) == (
        Action.DERIVED,
        "Richard Brown",
        False,
    )


def test_a_name_edited_in_a_one_field_crm_still_reaches_the_golden_record() -> None:
    base = {"first_name": "Richard", "last_name": "Brown", "full_name": "Richard Brown"}
    edited = {"first_name": "Rick", "last_name": "Brown", "full_name": "Rick Brown"}
    result = _contact_merge(edited, base=base)
    assert result.changes == {"first_name": "Rick"}  # the full name is derived from it
    golden = {"first_name": "Richard", "last_name": "Brown", "full_name": "Richard Brown"}
    assert apply_changes("contact", golden, result.changes)["full_name"] == "Rick Brown"
    # a full name that is more than its parts (a nickname) is a value of its own
    own = _contact_merge({**edited, "full_name": "Rick Brown (Ricky)"}, base=base)
    assert own.changes["full_name"] == "Rick Brown (Ricky)"
