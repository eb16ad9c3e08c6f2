"""Records each CRM map can represent, for the canonical → remote → canonical round trips
(test_maps_roundtrip_zoho.py, test_maps_roundtrip_fxiaoke.py): names in both cultures,
companies, addresses, websites, and the round trip itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pycountry
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from mapping.maps import Mapper, RecordMappingError
from mapping.model import Contact, Customer, Opportunity, Stage

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


def representable_values(
    mapper: Mapper, account: dict[str, Any], deal: dict[str, Any]
) -> dict[str, list[Any]]:
    """The industries and stages `mapper` round-trips (`account`, `deal`: the least payloads
    its customers and opportunities need besides the field asked about)."""
    return {
        "industries": representable(
            mapper,
            "customer",
            "industry",
            INDUSTRY_CANDIDATES,
            lambda v: Customer(name="A", industry=v),
            account,
        ),
        "stages": representable(
            mapper,
            "opportunity",
            "stage",
            list(Stage),
            lambda v: Opportunity(name="D", stage=v),
            deal,
        ),
    }


def roundtrip(mapper: Mapper, kind: str, record: Customer | Contact | Opportunity) -> None:
    payload = mapper.push(kind, record, include_read_only=True)
    json.dumps(payload)  # what goes to a CRM is plain JSON
    # a connector reads the CRM's JSON with parse_float=Decimal
    remote = json.loads(json.dumps(payload), parse_float=Decimal)
    back = mapper.pull(kind, remote)
    assert back.model_dump(mode="json") == record.model_dump(mode="json"), payload
