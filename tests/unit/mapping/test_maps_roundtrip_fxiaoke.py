"""canonical → remote → canonical gives the same record, for each entity of the fxiaoke map.

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
    fx_ids,
    fx_owners,
    money_2dp,
    optional,
    person,
    phones,
    representable_values,
    roundtrip,
    seconds,
    text,
    websites,
)

from mapping.maps import Mapper
from mapping.model import Contact, Customer, Opportunity, Stage, Tier
from mapping.transforms import split_person_name

# -- Fxiaoke ------------------------------------------------------------------------------------

passthrough = st.dictionaries(
    st.from_regex(r"field_[A-Za-z0-9]{5}", fullmatch=True),
    st.one_of(
        custom_text,
        st.integers(-(10**9), 10**9),
        st.booleans(),
        st.lists(custom_text, min_size=1, max_size=3),
    ),
    max_size=3,
)


@st.composite
def fx_customers(draw: st.DrawFn, industries: list[str]) -> Customer:
    website, domain = draw(websites())
    address = draw(addresses(postal=False))
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
            "email": draw(optional(emails)),
            "phones": draw(st.lists(phones, max_size=1)),
            "industry": draw(optional(st.sampled_from(industries))),
            "tier": draw(optional(st.sampled_from(list(Tier)))),
            "address": address,
            "custom": {**draw(passthrough), **custom},
            "owner": draw(optional(st.builds(lambda i: {"remote_id": i}, fx_owners))),
            "created_at": draw(optional(seconds)),
            "modified_at": draw(optional(seconds)),
        }
    )


@st.composite
def fx_contacts(draw: st.DrawFn) -> Contact:
    first, last = draw(person())
    department = draw(optional(custom_text))
    extra = {"department": department} if department else {}
    return Contact.model_validate(
        {
            "first_name": first,
            "last_name": last,
            "emails": draw(st.lists(emails, max_size=1)),
            "phone": draw(optional(phones)),
            "mobile": draw(optional(phones)),
            "title": draw(optional(text)),
            "customer": draw(optional(st.builds(lambda i: {"remote_id": i}, fx_ids))),
            "custom": {**draw(passthrough), **extra},
            "owner": draw(optional(st.builds(lambda i: {"remote_id": i}, fx_owners))),
            "created_at": draw(optional(seconds)),
            "modified_at": draw(optional(seconds)),
        }
    )


@st.composite
def fx_opportunities(draw: st.DrawFn, stages: list[Stage]) -> Opportunity:
    currencies = st.sampled_from(["CNY", "USD", "HKD"])  # other than CNY: in `mc_currency`
    amount = draw(
        optional(st.builds(lambda a, c: {"amount": a, "currency": c}, money_2dp, currencies))
    )
    return Opportunity.model_validate(
        {
            "name": draw(text),
            "stage": draw(st.sampled_from(stages)),
            "amount": amount,
            "close_date": draw(days),
            "probability": draw(optional(st.integers(0, 100))),
            "customer": {"remote_id": draw(fx_ids)},
            "owner": draw(optional(st.builds(lambda i: {"remote_id": i}, fx_owners))),
            "custom": draw(passthrough),
            "created_at": draw(optional(seconds)),
            "modified_at": draw(optional(seconds)),
        }
    )


@pytest.fixture(scope="module")
def fx_values(fxiaoke: Mapper) -> dict[str, list[Any]]:
    return representable_values(
        fxiaoke,
        {"name": "A"},
        {"name": "D", "account_id": "a1", "close_date": 1690214400000, "sales_stage": "1"},
    )


def test_fxiaoke_represents_every_stage_but_prospecting(fx_values: dict[str, list[Any]]) -> None:
    assert set(fx_values["stages"]) == set(Stage) - {Stage.PROSPECTING}


@EXAMPLES
@given(data=st.data())
def test_fxiaoke_customer_roundtrip(
    fxiaoke: Mapper, fx_values: dict[str, list[Any]], data: st.DataObject
) -> None:
    roundtrip(fxiaoke, "customer", data.draw(fx_customers(fx_values["industries"])))


@EXAMPLES
@given(record=fx_contacts())
def test_fxiaoke_contact_roundtrip(fxiaoke: Mapper, record: Contact) -> None:
    assert split_person_name(record.full_name or "") == (record.first_name, record.last_name)
    roundtrip(fxiaoke, "contact", record)


@EXAMPLES
@given(data=st.data())
def test_fxiaoke_opportunity_roundtrip(
    fxiaoke: Mapper, fx_values: dict[str, list[Any]], data: st.DataObject
) -> None:
    roundtrip(fxiaoke, "opportunity", data.draw(fx_opportunities(fx_values["stages"])))
