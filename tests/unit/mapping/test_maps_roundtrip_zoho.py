"""canonical → remote → canonical gives the same record, for each entity of the zoho map.

Records are generated within what each map can represent: Zoho keeps two e-mails and one
account phone, Fxiaoke no postal codes, references travel by remote id
(the name of a lookup is not written), picklist values that a CRM folds together (prospecting)
are left out by asking the map itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from roundtrip_records import (
    COMPANIES,
    EXAMPLES,
    addresses,
    custom_text,
    days,
    emails,
    money_2dp,
    optional,
    person,
    phones,
    representable_values,
    roundtrip,
    seconds,
    text,
    websites,
    zoho_ids,
)

from mapping.maps import Mapper
from mapping.model import Contact, Customer, Opportunity, Stage, Tier

# -- Zoho ---------------------------------------------------------------------------------------


@st.composite
def zoho_customers(draw: st.DrawFn, industries: list[str]) -> Customer:
    website, domain = draw(websites())
    revenue = draw(
        optional(
            st.builds(
                lambda a, c: {"amount": a, "currency": c},
                money_2dp,
                st.sampled_from(["CNY", "USD", "EUR", "HKD", "JPY"]),
            )
        )
    )
    custom = {
        k: v
        for k, v in {
            "description": draw(optional(custom_text)),
            "credit_code": draw(optional(custom_text)),
        }.items()
        if v
    }
    return Customer.model_validate(
        {
            "name": draw(st.sampled_from(COMPANIES)),
            "website": website,
            "domain": domain,
            "phones": draw(st.lists(phones, max_size=1)),
            "industry": draw(optional(st.sampled_from(industries))),
            "tier": draw(optional(st.sampled_from(list(Tier)))),
            "annual_revenue": revenue,
            "employee_count": draw(optional(st.integers(0, 10_000_000))),
            "address": draw(addresses(postal=True)),
            "tags": draw(st.lists(custom_text, max_size=3, unique=True)),
            "custom": custom,
            "owner": draw(optional(st.builds(lambda i: {"remote_id": i}, zoho_ids))),
            "created_at": draw(optional(seconds)),
            "modified_at": draw(optional(seconds)),
        }
    )


@st.composite
def zoho_contacts(draw: st.DrawFn) -> Contact:
    first, last = draw(person())
    department = draw(optional(custom_text))
    return Contact.model_validate(
        {
            "first_name": first,
            "last_name": last,
            "emails": draw(st.lists(emails, max_size=2, unique=True)),
            "phone": draw(optional(phones)),
            "mobile": draw(optional(phones)),
            "title": draw(optional(text)),
            "customer": draw(optional(st.builds(lambda i: {"remote_id": i}, zoho_ids))),
            "address": draw(addresses(postal=True)),
            "custom": {"department": department} if department else {},
            "owner": draw(optional(st.builds(lambda i: {"remote_id": i}, zoho_ids))),
            "created_at": draw(optional(seconds)),
            "modified_at": draw(optional(seconds)),
        }
    )


@st.composite
def zoho_opportunities(draw: st.DrawFn, stages: list[Stage]) -> Opportunity:
    amount = draw(
        optional(
            st.builds(
                lambda a, c: {"amount": a, "currency": c},
                money_2dp,
                st.sampled_from(["CNY", "USD", "EUR"]),
            )
        )
    )
    return Opportunity.model_validate(
        {
            "name": draw(text),
            "stage": draw(st.sampled_from(stages)),
            "amount": amount,
            "pipeline": draw(optional(st.just("Standard (Standard)") | text)),
            "close_date": draw(optional(days)),
            "probability": draw(optional(st.integers(0, 100))),
            "customer": draw(optional(st.builds(lambda i: {"remote_id": i}, zoho_ids))),
            "contact": draw(optional(st.builds(lambda i: {"remote_id": i}, zoho_ids))),
            "owner": draw(optional(st.builds(lambda i: {"remote_id": i}, zoho_ids))),
            "created_at": draw(optional(seconds)),
            "modified_at": draw(optional(seconds)),
        }
    )


@pytest.fixture(scope="module")
def zoho_values(zoho: Mapper) -> dict[str, list[Any]]:
    return representable_values(
        zoho,
        {"Account_Name": "A"},
        {"Deal_Name": "D", "Stage": "Qualification"},
    )


def test_zoho_represents_every_stage_but_prospecting(zoho_values: dict[str, list[Any]]) -> None:
    assert set(zoho_values["stages"]) == set(Stage) - {Stage.PROSPECTING}
    assert {"technology", "Mining"} <= set(zoho_values["industries"])


@EXAMPLES
@given(data=st.data())
def test_zoho_customer_roundtrip(
    zoho: Mapper, zoho_values: dict[str, list[Any]], data: st.DataObject
) -> None:
    roundtrip(zoho, "customer", data.draw(zoho_customers(zoho_values["industries"])))


@EXAMPLES
@given(record=zoho_contacts())
def test_zoho_contact_roundtrip(zoho: Mapper, record: Contact) -> None:
    roundtrip(zoho, "contact", record)


@EXAMPLES
@given(data=st.data())
def test_zoho_opportunity_roundtrip(
    zoho: Mapper, zoho_values: dict[str, list[Any]], data: st.DataObject
) -> None:
    roundtrip(zoho, "opportunity", data.draw(zoho_opportunities(zoho_values["stages"])))
