"""What each connection holds and writes (from the shipped maps), and the policies' schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.config.policies import DeletePolicy, MassDeleteGuard, PoliciesConfig
from core.merging import MostRecent, NeverBlank, SourcePriority
from core.sync.fields import field_space
from core.sync.policies import policy_of
from mapping.maps import Mapper, MappingContext, load_map
from mapping.model import EntityKind

MAPS = Path(__file__).resolve().parents[4] / "config" / "mappings"


def mapper(name: str) -> Mapper:
    connector_map = load_map(MAPS / f"{name}.yaml")
    return Mapper(connector_map, MappingContext(name, "CN", "Asia/Shanghai", "CNY"))


def test_a_connection_holds_only_what_its_map_reads() -> None:
    zoho = field_space(mapper("zoho"), EntityKind.CUSTOMER)
    fxiaoke = field_space(mapper("fxiaoke"), EntityKind.CUSTOMER)
    assert zoho is not None
    assert fxiaoke is not None
    assert zoho.holds("address.postal_code")
    assert not fxiaoke.holds("address.postal_code")
    assert fxiaoke.holds("email")
    assert not zoho.holds("email")
    assert not zoho.holds("owner")  # assignment's, not a field
    assert zoho.slots["phones"] == 1
    # derived and read-only: held, never written
    assert zoho.holds("domain")
    assert not zoho.writes("domain")
    assert zoho.companions["website"] == frozenset({"domain"})
    # Fxiaoke passes custom fields through by name, Zoho only maps two
    assert fxiaoke.holds("custom.anything")
    assert not zoho.holds("custom.anything")
    assert zoho.holds("custom.credit_code")


def test_a_view_cuts_lists_to_the_slots_held() -> None:
    zoho = field_space(mapper("zoho"), EntityKind.CUSTOMER)
    assert zoho is not None
    record = {"name": "华腾", "phones": ["+8675511111111", "+8675522222222"], "email": "a@b.cn"}
    assert zoho.view(record) == {"name": "华腾", "phones": ["+8675511111111"]}


def test_a_contact_name_is_held_in_parts_by_zoho_and_whole_by_fxiaoke() -> None:
    zoho = field_space(mapper("zoho"), EntityKind.CONTACT)
    fxiaoke = field_space(mapper("fxiaoke"), EntityKind.CONTACT)
    assert zoho is not None
    assert fxiaoke is not None
    assert {"first_name", "last_name"} <= zoho.held
    assert "full_name" not in zoho.held
    assert {"first_name", "last_name", "full_name"} <= fxiaoke.held


def test_field_policies_by_kind_then_path_then_group_then_default() -> None:
    config = PoliciesConfig.model_validate(
        {
            "default": {"policy": "newest"},
            "fields": {"address": {"policy": "never_blank"}, "name": {"policy": "manual"}},
            "kinds": {"opportunity": {"fields": {"name": {"policy": "newest"}}}},
        }
    )
    assert config.field_policy("customer", "name").policy == "manual"
    assert config.field_policy("opportunity", "name").policy == "newest"
    assert config.field_policy("customer", "address.city").policy == "never_blank"
    assert config.field_policy("customer", "phones").policy == "newest"


def test_policies_are_the_survivorship_objects() -> None:
    config = PoliciesConfig.model_validate(
        {"fields": {"phones": {"policy": "source_priority", "sources": ["zoho"]}}}
    )
    assert isinstance(policy_of(config.field_policy("customer", "phones")), SourcePriority)
    assert isinstance(policy_of(config.default), MostRecent)
    assert isinstance(
        policy_of(config.model_validate({"default": {"policy": "never_blank"}}).default), NeverBlank
    )
    assert policy_of(config.model_validate({"default": {"policy": "manual"}}).default) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fields": {"adress.city": {"policy": "newest"}}}, "did you mean `address.city`"),
        ({"fields": {"owner": {"policy": "manual"}}}, "assignment"),
        ({"fields": {"name": {"policy": "source_priority"}}}, "needs `sources`"),
        ({"kinds": {"customer": {"fields": {"stage": {"policy": "newest"}}}}}, "not a canonical"),
        ({"deletes": {"customer": "drop"}}, "propagate"),
        ({"mass_delete": {"max_share": 2}}, "less than or equal"),
    ],
)
def test_bad_policies_say_what_to_fix(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        PoliciesConfig.model_validate(data)
    fixes = " ".join(str((e.get("ctx") or {}).get("fix", "")) for e in raised.value.errors())
    assert message in f"{raised.value} {fixes}"


def test_unlisted_kinds_unlink_and_targets_allow_everything_by_default() -> None:
    config = PoliciesConfig.model_validate({"deletes": {"customer": "ask"}})
    assert config.delete_policy("customer") is DeletePolicy.ASK
    assert config.delete_policy("contact") is DeletePolicy.UNLINK
    assert EntityKind.OPPORTUNITY in config.target("anything").create


@pytest.mark.parametrize(
    ("deleted", "linked", "trips"),
    [(51, 10_000, True), (5, 20, True), (4, 10, False), (5, 100, False), (50, 10_000, False)],
)
def test_the_mass_delete_guard(deleted: int, linked: int, trips: bool) -> None:
    guard = MassDeleteGuard(max_count=50, max_share=0.1, min_count=5)
    assert guard.trips(deleted, linked) is trips
