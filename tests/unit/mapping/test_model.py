"""The canonical model accepts canonical values and refuses the rest, naming field, value, why."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from mapping.model import (
    MODEL_BY_KIND,
    CanonicalValidationError,
    Contact,
    Customer,
    EntityKind,
    Opportunity,
    Owner,
    Stage,
    Tier,
    validate_record,
)
from mapping.model.values import VOUCHED

SHANGHAI = timezone(timedelta(hours=8))


def customer(**fields: Any) -> Customer:
    return validate_record(Customer, {"name": "深圳市腾讯计算机系统有限公司", **fields})


def test_full_customer_is_accepted_and_normalised() -> None:
    c = customer(
        website="https://www.tencent.com",
        domain="Tencent.COM",
        email=" Contact@Tencent.com ",
        phones=["+8675586013388", "+8613800138000", "+8675586013388"],
        industry="internet",
        tier="A",
        annual_revenue={"amount": "609015000000.00", "currency": "cny"},
        employee_count=105417,
        address={
            "street": "南山区科技中一路腾讯大厦",
            "city": "深圳",
            "region": "CN-GD",
            "postal_code": "518057",
            "country": "cn",
        },
        owner={"remote_id": "5725767000000411001", "name": "Pat Boyle"},
        tags=["key account", "key account", "华南"],
        custom={"credit_code": "91440300708461136T", "vip": True, "score": 7, "levels": ["a", "b"]},
        created_at="2024-05-01T09:00:00+08:00",
        modified_at=datetime(2024, 5, 2, 11, 17, 33, tzinfo=SHANGHAI),
    )
    assert c.domain == "tencent.com"
    assert c.email == "contact@tencent.com"
    assert c.phones == ["+8675586013388", "+8613800138000"]  # de-duplicated, order kept
    assert c.tags == ["key account", "华南"]
    assert c.tier is Tier.A
    assert c.annual_revenue is not None
    assert c.annual_revenue.amount == Decimal("609015000000.00")
    assert c.annual_revenue.currency == "CNY"
    assert c.address is not None
    assert c.address.country == "CN"
    assert c.created_at == datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    assert c.modified_at is not None
    assert c.modified_at.tzinfo is UTC


def test_json_round_trip_keeps_money_exact() -> None:
    c = customer(
        annual_revenue={"amount": "0.10", "currency": "USD"}, custom={"limit": Decimal("12.345")}
    )
    dumped = c.model_dump(mode="json")
    assert dumped["annual_revenue"] == {"amount": "0.10", "currency": "USD"}
    assert dumped["custom"] == {"limit": "12.345"}  # amounts in custom fields travel as exact text
    assert Customer.model_validate(dumped) == c


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"name": ""}, "Customer.name", "at least 1 character"),
        ({"phones": ["13800138000"]}, "Customer.phones[0]", "not an E.164 phone number"),
        ({"phones": ["+86 138 0013 8000"]}, "Customer.phones[0]", "not an E.164 phone number"),
        ({"email": "not-an-email"}, "Customer.email", "not a valid e-mail address"),
        ({"domain": "https://zylker.com/about"}, "Customer.domain", "not a bare domain name"),
        ({"tier": "D"}, "Customer.tier", "'A', 'B' or 'C'"),
        ({"employee_count": -1}, "Customer.employee_count", "greater than or equal to 0"),
        (
            {"annual_revenue": {"amount": 12.5, "currency": "USD"}},
            "Customer.annual_revenue.amount",
            "never a float",
        ),
        (
            {"annual_revenue": {"amount": "NaN", "currency": "USD"}},
            "Customer.annual_revenue.amount",
            "finite",
        ),
        (
            {"annual_revenue": {"amount": "1", "currency": "RMB"}},
            "Customer.annual_revenue.currency",
            "ISO 4217",
        ),
        (
            {"annual_revenue": {"amount": "1e20", "currency": "CNY"}},
            "Customer.annual_revenue.amount",
            "18 integer",
        ),
        ({"address": {"country": "China"}}, "Customer.address.country", "ISO 3166-1"),
        ({"address": {"region": "GD"}}, "Customer.address.region", "ISO 3166-2"),
        (
            {"address": {"region": "US-CA", "country": "CN"}},
            "Customer.address",
            "not in country CN",
        ),
        ({"created_at": "2024-05-01T09:00:00"}, "Customer.created_at", "no time zone"),
        ({"custom": {"1bad": "x"}}, "Customer.custom.1bad.[key]", "custom field names"),
        ({"custom": {"nested": {"a": 1}}}, "Customer.custom.nested", "is not a custom value"),
        ({"owner": {"name": "nobody"}}, "Customer.owner", "owner_id or a remote_id"),
        ({"colour": "red"}, "Customer.colour", "Extra inputs are not permitted"),
    ],
)
def test_bad_customer_values_name_field_value_and_reason(
    fields: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(CanonicalValidationError) as caught:
        customer(**fields)
    errors = {e.field: e for e in caught.value.errors}
    assert field in errors, caught.value.errors
    assert reason in errors[field].reason
    assert field in str(caught.value)


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(CanonicalValidationError) as caught:
        customer(email="x", phones=["1"], tier="Z")
    assert {e.field for e in caught.value.errors} == {
        "Customer.email",
        "Customer.phones[0]",
        "Customer.tier",
    }


def test_missing_required_field_names_it_without_a_value() -> None:
    with pytest.raises(
        CanonicalValidationError, match=r"Customer\.name: is refused: Field required"
    ):
        validate_record(Customer, {})


@pytest.mark.parametrize(
    ("first", "last", "full"),
    [
        ("伟", "张", "张伟"),
        ("小明", "欧阳", "欧阳小明"),
        ("Jane", "Doe", "Jane Doe"),
        (None, "Doe", "Doe"),
        (None, "张", "张"),
    ],
)
def test_contact_full_name_follows_the_name_culture(
    first: str | None, last: str, full: str
) -> None:
    contact = validate_record(Contact, {"first_name": first, "last_name": last})
    assert contact.full_name == full


def test_contact_keeps_a_given_full_name_and_needs_some_name() -> None:
    given = validate_record(
        Contact, {"first_name": "伟", "last_name": "张", "full_name": "张 伟 (Wei)"}
    )
    assert given.full_name == "张 伟 (Wei)"
    with pytest.raises(CanonicalValidationError, match="needs a last_name or a full_name"):
        validate_record(Contact, {"emails": ["a@b.com"]})


def test_contact_references_and_emails() -> None:
    entity = uuid.uuid4()
    contact = validate_record(
        Contact,
        {
            "last_name": "Doe",
            "emails": ["Jane@Zylker.com", "jane@zylker.com", "j.doe@gmail.com"],
            "mobile": "+8613800138000",
            "customer": {"entity_id": str(entity)},
        },
    )
    assert contact.emails == ["jane@zylker.com", "j.doe@gmail.com"]
    assert contact.customer is not None
    assert contact.customer.entity_id == entity
    with pytest.raises(
        CanonicalValidationError, match=r"Contact\.customer: .*entity_id or a remote_id"
    ):
        validate_record(Contact, {"last_name": "Doe", "customer": {"name": "Zylker"}})


def test_opportunity_money_stage_dates_and_probability() -> None:
    deal = validate_record(
        Opportunity,
        {
            "name": "Zylker renewal 2024",
            "stage": "negotiation",
            "amount": {"amount": "12500.50", "currency": "EUR"},
            "close_date": "2024-09-30",
            "probability": 75,
            "customer": {"remote_id": "5725767000001234001", "name": "Zylker Inc"},
        },
    )
    assert deal.stage is Stage.NEGOTIATION
    assert deal.close_date == date(2024, 9, 30)
    assert deal.amount is not None
    assert deal.amount.amount == Decimal("12500.50")
    for bad, field in [
        ({"probability": 101}, "Opportunity.probability"),
        ({"stage": "won"}, "Opportunity.stage"),
        ({"close_date": "30/09/2024"}, "Opportunity.close_date"),
    ]:
        with pytest.raises(CanonicalValidationError) as caught:
            validate_record(Opportunity, {"name": "x", "stage": "proposal", **bad})
        assert [e.field for e in caught.value.errors] == [field]


def test_owner_directory_entry() -> None:
    owner = validate_record(
        Owner,
        {
            "name": "李娜",
            "email": "Li.Na@Example.com",
            "user_ids": {"zoho": "5725767000000411001", "fxiaoke": "FSUID_0123456789ABCDEF"},
            "regions": ["CN-GD"],
            "industries": ["manufacturing"],
            "capacity": {"A": 10, "B": 40},
        },
    )
    assert owner.email == "li.na@example.com"
    assert owner.capacity == {Tier.A: 10, Tier.B: 40}
    assert owner.active
    with pytest.raises(CanonicalValidationError, match=r"Owner\.capacity\.A"):
        validate_record(Owner, {"name": "x", "capacity": {"A": -1}})


def test_records_are_immutable() -> None:
    c = customer()
    with pytest.raises(ValueError, match="frozen"):
        c.name = "other"  # type: ignore[misc]


def test_model_by_kind_covers_every_entity_kind() -> None:
    assert set(MODEL_BY_KIND) == set(EntityKind)
    assert all(model.kind is kind for kind, model in MODEL_BY_KIND.items())


def test_the_model_trusts_only_values_the_engine_vouches_for() -> None:
    # The mapping engine vouches for what normalize_phone/normalize_email just produced; any
    # other value is still checked.
    data = {"name": "A", "phones": ["+8613800138000", "12345"]}
    with pytest.raises(ValidationError):
        Customer.model_validate(data)
    with pytest.raises(ValidationError):  # vouching for one value does not cover another
        Customer.model_validate(data, context={VOUCHED: {"+8613800138000"}})
    assert Customer.model_validate(data, context={VOUCHED: {"+8613800138000", "12345"}})
