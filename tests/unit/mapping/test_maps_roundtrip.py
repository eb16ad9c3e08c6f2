"""canonical → remote → canonical gives the same record, for each connector and entity.

Records are generated within what each map can represent: Zoho keeps two e-mails and one
account phone, Fxiaoke no postal codes, references travel by remote id
(the name of a lookup is not written), picklist values that a CRM folds together (prospecting)
are left out by asking the map itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping.maps import Mapper, RecordMappingError
from mapping.model import Contact, Customer, Opportunity, Stage, Tier
from mapping.transforms import split_person_name

EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

SURNAMES = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "欧阳", "司马", "诸葛"]
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "志强", "晓明"]
FIRST = ["James", "Mary", "John", "Mary Ann", "Robert", "Jennifer", "Li", "Wei", "Ana"]
LAST = ["Smith", "Johnson", "Brown", "Garcia", "Miller", "Zhang", "Nguyen", "O'Brien"]
COMPANIES = [
    "深圳市腾讯计算机系统有限公司",
    "华为技术有限公司",
    "Zylker Inc.",
    "Acme Corp",
    "阿里巴巴(中国)有限公司",
    "Globex GmbH",
    "比亚迪股份有限公司",
]
COUNTRIES = ["CN", "US", "DE", "JP", "GB", "FR"]
INDUSTRY_CANDIDATES = [
    "technology",
    "manufacturing",
    "financial_services",
    "retail",
    "media",
    "Mining",
    "Shipbuilding",
    "telecommunications",
    "government",
]

text = (
    st.text(
        st.characters(categories=("L", "N")) | st.sampled_from(" -.&,"), min_size=1, max_size=30
    )
    .map(str.strip)
    .filter(bool)
)
# hypothesis takes naive bounds and attaches the zone itself
seconds = st.datetimes(
    datetime(2000, 1, 1),  # noqa: DTZ001
    datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=0))
days = st.dates(date(2000, 1, 1), date(2035, 12, 31))
cn_mobile = st.from_regex(r"\+861[3-9][0-9]{9}", fullmatch=True)
cn_landline = st.from_regex(r"\+86(10|21|755)[2-8][0-9]{7}", fullmatch=True)
us_phone = st.from_regex(r"\+1[2-9][0-8][0-9][2-9][0-9]{6}", fullmatch=True)
phones = st.one_of(cn_mobile, cn_landline, us_phone)
emails = st.builds(
    lambda local, host: f"{local}@{host}",
    st.from_regex(r"[a-z][a-z0-9._]{0,15}[a-z0-9]", fullmatch=True).filter(lambda s: ".." not in s),
    st.sampled_from(["qq.com", "163.com", "zylker.com", "tencent.com", "example.org"]),
)
zoho_ids = st.integers(5725767000000000000, 5725767999999999999).map(str)
fx_ids = st.integers(0, 2**96 - 1).map(lambda n: f"{n:024x}")
fx_owners = st.integers(0, 2**128 - 1).map(lambda n: f"FSUID_{n:032X}")
money_2dp = st.integers(0, 10**13).map(lambda cents: Decimal(cents).scaleb(-2))
custom_text = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=20)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def addresses(draw: st.DrawFn, postal: bool) -> dict[str, Any] | None:
    country = draw(optional(st.sampled_from(COUNTRIES)))
    region = None
    if country is not None:
        codes = sorted(s.code for s in pycountry.subdivisions.get(country_code=country))
        region = draw(optional(st.sampled_from(codes)))
    parts = {
        "street": draw(optional(text)),
        "city": draw(optional(text)),
        "region": region,
        "country": country,
        "postal_code": draw(optional(st.from_regex(r"[0-9]{5,6}", fullmatch=True)))
        if postal
        else None,
    }
    return parts if any(parts.values()) else None


@st.composite
def websites(draw: st.DrawFn) -> tuple[str | None, str | None]:
    if draw(st.booleans()):
        return None, None
    label = draw(st.from_regex(r"[a-z][a-z0-9]{2,10}", fullmatch=True))
    suffix = draw(st.sampled_from(["com", "cn", "com.cn", "co.uk", "de"]))
    scheme = draw(st.sampled_from(["https://www.", "http://", "www.", ""]))
    return f"{scheme}{label}.{suffix}", f"{label}.{suffix}"


@st.composite
def person(draw: st.DrawFn) -> tuple[str | None, str]:
    """(first, last) of one culture, written so the full name splits back into them."""
    if draw(st.booleans()):
        first, last = draw(optional(st.sampled_from(GIVEN))), draw(st.sampled_from(SURNAMES))
    else:
        first, last = draw(optional(st.sampled_from(FIRST))), draw(st.sampled_from(LAST))
    return first, last


def representable(
    mapper: Mapper,
    kind: str,
    field: str,
    candidates: list[Any],
    record: Callable[[Any], Any],
    base: dict[str, Any],
) -> list[Any]:
    """Candidate values the map writes and reads back unchanged (asks the map, not a list)."""
    kept = []
    for value in candidates:
        try:
            payload = {**base, **mapper.push(kind, record(value), fields={field})}
            back = mapper.pull(kind, payload)
        except RecordMappingError:
            continue
        if getattr(back, field) == getattr(record(value), field):
            kept.append(value)
    return kept


def roundtrip(mapper: Mapper, kind: str, record: Customer | Contact | Opportunity) -> None:
    payload = mapper.push(kind, record, include_read_only=True)
    json.dumps(payload)  # what goes to a CRM is plain JSON
    # a connector reads the CRM's JSON with parse_float=Decimal
    remote = json.loads(json.dumps(payload), parse_float=Decimal)
    back = mapper.pull(kind, remote)
    assert back.model_dump(mode="json") == record.model_dump(mode="json"), payload


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
    account = {"Account_Name": "A"}
    deal = {"Deal_Name": "D", "Stage": "Qualification"}
    return {
        "industries": representable(
            zoho,
            "customer",
            "industry",
            INDUSTRY_CANDIDATES,
            lambda v: Customer(name="A", industry=v),
            account,
        ),
        "stages": representable(
            zoho,
            "opportunity",
            "stage",
            list(Stage),
            lambda v: Opportunity(name="D", stage=v),
            deal,
        ),
    }


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
    account = {"name": "A"}
    deal = {"name": "D", "account_id": "a1", "close_date": 1690214400000, "sales_stage": "1"}
    return {
        "industries": representable(
            fxiaoke,
            "customer",
            "industry",
            INDUSTRY_CANDIDATES,
            lambda v: Customer(name="A", industry=v),
            account,
        ),
        "stages": representable(
            fxiaoke,
            "opportunity",
            "stage",
            list(Stage),
            lambda v: Opportunity(name="D", stage=v),
            deal,
        ),
    }


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
