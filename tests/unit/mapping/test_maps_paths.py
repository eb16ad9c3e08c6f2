"""Canonical paths in map files are checked against the model and know what they hold."""

from __future__ import annotations

import pytest

from mapping.maps.paths import Kind, PathError, parse_path
from mapping.model import Contact, Customer, Opportunity


@pytest.mark.parametrize(
    ("model", "text", "kind", "keys", "slot", "is_list"),
    [
        (Customer, "name", Kind.TEXT, ("name",), None, False),
        (Customer, "address.city", Kind.TEXT, ("address", "city"), None, False),
        (Customer, "address.region", Kind.REGION, ("address", "region"), None, False),
        (Customer, "address.country", Kind.COUNTRY, ("address", "country"), None, False),
        (Customer, "phones[0]", Kind.PHONE, ("phones",), 0, False),
        (Customer, "phones[2]", Kind.PHONE, ("phones",), 2, False),
        (Customer, "tags", Kind.TEXT, ("tags",), None, True),
        (Customer, "domain", Kind.DOMAIN, ("domain",), None, False),
        (Customer, "tier", Kind.CHOICE, ("tier",), None, False),
        (Customer, "annual_revenue", Kind.MONEY, ("annual_revenue",), None, False),
        (
            Customer,
            "annual_revenue.amount",
            Kind.DECIMAL,
            ("annual_revenue", "amount"),
            None,
            False,
        ),
        (
            Customer,
            "annual_revenue.currency",
            Kind.CURRENCY,
            ("annual_revenue", "currency"),
            None,
            False,
        ),
        (Customer, "employee_count", Kind.INT, ("employee_count",), None, False),
        (Customer, "custom.credit_code", Kind.CUSTOM, ("custom", "credit_code"), None, False),
        (Customer, "owner", Kind.OWNER, ("owner",), None, False),
        (Customer, "created_at", Kind.DATETIME, ("created_at",), None, False),
        (Contact, "emails[1]", Kind.EMAIL, ("emails",), 1, False),
        (Contact, "customer", Kind.REF, ("customer",), None, False),
        (Contact, "mobile", Kind.PHONE, ("mobile",), None, False),
        (Opportunity, "stage", Kind.CHOICE, ("stage",), None, False),
        (Opportunity, "close_date", Kind.DATE, ("close_date",), None, False),
        (Opportunity, "probability", Kind.INT, ("probability",), None, False),
    ],
)
def test_paths_resolve_to_their_kind(
    model: type[Customer],
    text: str,
    kind: Kind,
    keys: tuple[str, ...],
    slot: int | None,
    is_list: bool,
) -> None:
    path = parse_path(model, text)
    assert (path.kind, path.keys, path.slot, path.is_list) == (kind, keys, slot, is_list)


def test_a_group_is_a_path_of_its_own_kind() -> None:
    assert parse_path(Customer, "address").kind is Kind.GROUP


@pytest.mark.parametrize(
    ("model", "text", "message", "fix"),
    [
        (Customer, "nmae", "Customer has no field 'nmae'", "did you mean `name`?"),
        (Customer, "address.cty", "Address has no field 'cty'", "did you mean `address.city`?"),
        (Contact, "email", "Contact has no field 'email'", "did you mean `emails`?"),
        (Customer, "name.first", "name has no parts", "use `name`"),
        (Customer, "name[0]", "name is not a list", "use `name`"),
        (Customer, "phones.x", "phones is a list", "use `phones[0]`"),
        (Customer, "custom", "custom fields are one level deep", "custom.<name>"),
        (Customer, "custom.1abc", "'1abc' is not a custom field name", "start with a letter"),
        (Customer, "address..city", "is not a field path", "address.city"),
        (Customer, "zzzzzz", "Customer has no field 'zzzzzz'", "use one of: "),
    ],
)
def test_bad_paths_say_why_and_suggest_a_fix(
    model: type[Customer], text: str, message: str, fix: str
) -> None:
    with pytest.raises(PathError) as caught:
        parse_path(model, text)
    assert message in caught.value.message
    assert caught.value.fix is not None
    assert fix in caught.value.fix


def test_check_value_validates_against_the_field() -> None:
    stage = parse_path(Opportunity, "stage")
    assert stage.check_value("closed_won").value == "closed_won"
    assert "closed_won" in stage.choices()
    with pytest.raises(ValueError, match="Input should be"):
        stage.check_value("won")
    assert parse_path(Customer, "industry").choices() == ()
