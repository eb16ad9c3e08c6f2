"""What the engine promises, on small maps written for each behaviour."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import yaml

from mapping.maps import Mapper, MappingContext, RecordMappingError, parse_map
from mapping.model import Contact, Customer, EntityKind, Money, Opportunity

CONTEXT = MappingContext("test_crm", "CN", "Asia/Shanghai", "CNY")


def mapper(kind: str, fields: str, extra: str = "") -> Mapper:
    text = f"connector: test\n{extra}\nentities:\n  {kind}:\n    object: X\n    fields:\n"
    text += "".join(f"      - {line}\n" for line in fields.strip().splitlines())
    return Mapper(parse_map(yaml.safe_load(text)), CONTEXT)


CUSTOMER = mapper(
    "customer",
    """
{remote: name, canonical: name, transform: company_name, required: true}
{remote: tel, canonical: "phones[0]", transform: phone}
{remote: tel2, canonical: "phones[1]", transform: phone}
{remote: web, canonical: website, transform: str}
{remote: web, canonical: domain, transform: domain, direction: pull, invalid: drop}
{remote: homepage, canonical: website, transform: str, direction: pull}
{remote: state, canonical: address.region, transform: region, invalid: drop}
{remote: country, canonical: address.country, transform: country}
{remote: level, canonical: tier, transform: picklist, picklist: level}
{remote: trade, canonical: industry, transform: picklist, picklist: trade}
{remote: staff, canonical: employee_count, transform: int}
""",
    extra="""picklists:
  level: {values: {"1": A, "2": B}, unknown: default, default: C}
  trade: {values: {IT: technology}, unknown: keep}""",
)


def pull(payload: dict[str, Any]) -> Customer:
    record = CUSTOMER.pull("customer", payload)
    assert isinstance(record, Customer)
    return record


def test_several_remote_fields_fill_one_list_in_slot_order() -> None:
    record = pull({"name": "A", "tel": "010-12345678", "tel2": "13800138000"})
    assert record.phones == ["+861012345678", "+8613800138000"]
    # an empty first slot does not leave a hole; the same number twice is kept once
    assert pull({"name": "A", "tel": " ", "tel2": "13800138000"}).phones == ["+8613800138000"]
    assert pull({"name": "A", "tel": "13800138000", "tel2": "+86 138 0013 8000"}).phones == [
        "+8613800138000"
    ]


def test_several_entries_for_one_value_the_first_present_wins() -> None:
    assert pull({"name": "A", "web": "a.com", "homepage": "b.com"}).website == "a.com"
    assert pull({"name": "A", "web": None, "homepage": "b.com"}).website == "b.com"


def test_invalid_drop_leaves_the_value_out_and_reports_it() -> None:
    mapped = CUSTOMER.pull_one(
        "customer",
        {"id": "7", "name": "A", "web": "http://localhost", "state": "Atlantis", "country": "US"},
    )
    assert mapped.record.website == "http://localhost"
    assert mapped.record.domain is None
    assert mapped.record.address is not None
    assert mapped.record.address.region is None
    assert [(p.remote_field, p.value) for p in mapped.dropped] == [
        ("web", "http://localhost"),
        ("state", "Atlantis"),
    ]
    assert "unknown region of US" in mapped.dropped[1].reason


def test_region_is_read_in_the_records_country_else_the_connections() -> None:
    us = pull({"name": "A", "state": "Georgia", "country": "United States"})
    assert us.address is not None
    assert us.address.region == "US-GA"
    cn = pull({"name": "A", "state": "广东"})
    assert cn.address is not None
    assert (cn.address.region, cn.address.country) == ("CN-GD", None)


def test_picklist_unknown_values_default_or_keep() -> None:
    assert pull({"name": "A", "level": "2"}).tier == "B"
    assert pull({"name": "A", "level": 1}).tier == "A"  # a numeric code reads as its text
    assert pull({"name": "A", "level": "9"}).tier == "C"
    assert pull({"name": "A", "trade": "IT"}).industry == "technology"
    assert pull({"name": "A", "trade": "Mining"}).industry == "Mining"
    assert CUSTOMER.push("customer", Customer(name="A", industry="Mining")) == {
        "name": "A",
        "trade": "Mining",
    }


def test_without_a_currency_field_only_the_default_currency_can_be_written() -> None:
    deals = mapper(
        "opportunity",
        """
{remote: name, canonical: name, transform: str}
{remote: stage, canonical: stage, transform: picklist, picklist: {values: {won: closed_won}}}
{remote: amount, canonical: amount, transform: money, options: {format: string}}
""",
    )
    deal = deals.pull("opportunity", {"name": "D", "stage": "won", "amount": "12,500.5"})
    assert isinstance(deal, Opportunity)
    assert deal.amount == Money(amount=Decimal("12500.50"), currency="CNY")  # the context's
    usd = deal.model_copy(update={"amount": Money(amount=Decimal("1"), currency="USD")})
    with pytest.raises(RecordMappingError) as caught:
        deals.push("opportunity", usd, remote_id="o-1")
    assert (caught.value.remote_id, caught.value.field) == ("o-1", "amount (→ amount)")
    assert "keeps amounts in CNY only and has no currency field" in caught.value.reason


def test_a_canonical_value_without_remote_value_is_an_error_on_push() -> None:
    with pytest.raises(RecordMappingError) as caught:
        CUSTOMER.push("customer", Customer(name="A", tier="C"))
    assert caught.value.field == "level (→ tier)"
    assert "has no value in the level picklist" in caught.value.reason


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"tel": "13800138000"}, "name (→ name)", "is required but missing"),
        ({"name": "   "}, "name (→ name)", "is required but missing"),
        ({"name": "A", "tel": {"number": "1"}}, "tel (→ phones[0])", "expected a single value"),
        ({"name": "A", "tel": ["010"]}, "tel (→ phones[0])", "expected a single value"),
        ({"name": "A", "tel": "call me"}, "tel (→ phones[0])", "contains letters"),
        ({"name": "A", "tel": "123"}, "tel (→ phones[0])", "too short"),
        ({"name": "A", "country": "Atlantis"}, "country (→ address.country)", "unknown country"),
    ],
)
def test_a_bad_value_names_connection_entity_id_field_value_and_reason(
    payload: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(RecordMappingError) as caught:
        CUSTOMER.pull("customer", {"id": "42", **payload})
    error = caught.value
    assert (error.connection, error.entity, error.remote_id, error.direction) == (
        "test_crm",
        "customer",
        "42",
        "pull",
    )
    assert error.field == field
    assert reason in error.reason
    assert str(error).startswith("cannot map customer 42 from test_crm: ")
    json.dumps(error.as_dict())


def test_a_value_the_model_refuses_is_traced_to_its_remote_field() -> None:
    with pytest.raises(RecordMappingError) as caught:
        CUSTOMER.pull("customer", {"id": "1", "name": "A", "staff": "20,000,000"})
    assert caught.value.field == "staff (→ employee_count)"
    assert caught.value.value == "20,000,000"
    assert "less than or equal to 10000000" in caught.value.reason


def test_model_level_errors_are_traced_to_the_remote_fields() -> None:
    contacts = mapper(
        "contact",
        """
{remote: First, canonical: first_name, transform: person_name}
{remote: Last, canonical: last_name, transform: person_name}
{remote: Mail, canonical: "emails[0]", transform: email}
""",
    )
    with pytest.raises(RecordMappingError) as caught:
        contacts.pull("contact", {"Mail": "jane@zylker.com"})
    assert caught.value.problems[0].canonical_field is None
    assert "needs a last_name or a full_name" in caught.value.reason


def test_a_payload_that_is_not_an_object_is_a_bad_record() -> None:
    with pytest.raises(RecordMappingError, match="is not a record"):
        CUSTOMER.pull("customer", ["not", "a", "dict"], remote_id="9")  # type: ignore[arg-type]


def test_push_selects_fields_by_canonical_path() -> None:
    record = Customer(
        name="A",
        phones=["+8613800138000"],
        website="a.com",
        address={"region": "CN-GD", "country": "CN"},
    )  # type: ignore[arg-type]
    assert CUSTOMER.push("customer", record, fields={"phones"}) == {
        "tel": "+8613800138000",
        "tel2": None,
    }
    assert CUSTOMER.push("customer", record, fields={"phones[1]"}) == {"tel2": None}
    assert CUSTOMER.push("customer", record, fields={"address"}) == {
        "state": "Guangdong",
        "country": "China",
    }
    assert CUSTOMER.push("customer", record, fields={"address.country"}) == {"country": "China"}
    assert CUSTOMER.push("customer", record, fields=set()) == {}


def test_push_refuses_the_wrong_model_and_unknown_entities() -> None:
    with pytest.raises(TypeError, match="expected a Customer"):
        CUSTOMER.push("customer", Contact(last_name="Doe"))  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="has no entity 'opportunity'"):
        CUSTOMER.pull("opportunity", {})


def test_canonical_fields_tell_what_a_map_reads_and_writes() -> None:
    assert CUSTOMER.entities() == (EntityKind.CUSTOMER,)
    assert CUSTOMER.canonical_fields("customer", "pull") == {
        "name",
        "phones",
        "website",
        "domain",
        "address",
        "tier",
        "industry",
        "employee_count",
    }
    assert "domain" not in CUSTOMER.canonical_fields("customer", "push")


def test_batch_keeps_good_records_and_quarantines_bad_ones_in_order() -> None:
    class Remote:
        def __init__(self, remote_id: str, payload: dict[str, Any]) -> None:
            self.remote_id = remote_id
            self.payload = payload

    records = [Remote("1", {"name": "A"}), Remote("2", {"tel": "x"}), Remote("3", {"name": "C"})]
    batch = CUSTOMER.pull_batch(EntityKind.CUSTOMER, records)
    assert [m.remote_id for m in batch.mapped] == ["1", "3"]
    assert [(q.remote_id, q.payload) for q in batch.quarantined] == [("2", {"tel": "x"})]
    assert batch.quarantined[0].error.remote_id == "2"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"connection": ""}, "needs the connection's name"),
        ({"default_region": "XX"}, "default_region 'XX'"),
        ({"timezone": "Mars/Olympus"}, "timezone 'Mars/Olympus'"),
        ({"default_currency": "rmb"}, "did you mean 'CNY'"),
        ({"default_currency": "ZZZ"}, "default_currency: unknown currency"),
    ],
)
def test_context_is_checked_when_built(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MappingContext(**{"connection": "c", **kwargs})
