"""How one CRM holds a real company, person or deal: as somebody typed it there.

Values use canonical field names but stay raw (phones as typed, names with or without the city
prefix, countries as words): each emulator renders them in its own API's formats, and the
mapping layer has real work to do on the way in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from connectors.emulator.world.truth import WORLD_NOW, Company, Deal, Person

__all__ = [
    "ContactVariant",
    "CustomerVariant",
    "OpportunityVariant",
    "contact_variant",
    "customer_variant",
    "opportunity_variant",
]


@dataclass(slots=True)
class CustomerVariant:
    truth_id: str
    name: str
    website: str | None
    email: str | None
    phones: list[str]
    industry: str | None
    tier: str | None
    annual_revenue: Decimal | None
    currency: str
    employees: int | None
    street: str | None
    city: str | None
    region: str | None  # as typed: 广东 / 广东省 / CA
    postal_code: str | None
    country: str | None  # as typed: 中国 / China / CN / USA
    credit_code: str | None
    owner_email: str
    created_at: datetime
    modified_at: datetime
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ContactVariant:
    truth_id: str
    customer_truth_id: str
    first_name: str | None
    last_name: str
    email: str | None
    secondary_email: str | None
    phone: str | None
    mobile: str | None
    title: str | None
    department: str | None
    city: str | None
    country: str | None
    owner_email: str
    created_at: datetime
    modified_at: datetime


@dataclass(slots=True)
class OpportunityVariant:
    truth_id: str
    customer_truth_id: str
    contact_truth_id: str | None
    name: str
    stage: str  # canonical stage; each emulator renders its own picklist
    amount: Decimal
    currency: str
    close_date: date
    probability: int
    owner_email: str
    created_at: datetime
    modified_at: datetime


def _times(rng: random.Random) -> tuple[datetime, datetime]:
    created = WORLD_NOW - timedelta(days=rng.randrange(30, 1000), seconds=rng.randrange(86400))
    modified = created + timedelta(days=rng.randrange(0, 29), seconds=rng.randrange(86400))
    return created, modified


def _cn_phone_as_typed(rng: random.Random, e164: str) -> str:
    national = e164[3:]
    if national.startswith("1") and len(national) == 11:  # mobile
        forms = [
            national,
            f"{national[:3]} {national[3:7]} {national[7:]}",
            f"+86 {national[:3]}-{national[3:7]}-{national[7:]}",
            f"0086{national}",
            f"{national[:3]}-{national[3:7]}-{national[7:]}",
            e164,
        ]
    else:
        area = (
            national[:2]
            if national[:2] in ("10", "20", "21", "22", "23", "25", "27", "28", "29")
            else national[:3]
        )
        local = national[len(area) :]
        forms = [
            f"0{area}-{local}",
            f"(0{area}) {local[:4]} {local[4:]}",
            f"+86 {area} {local[:4]} {local[4:]}",
            f"0{area}{local}",
            e164,
        ]
    return rng.choice(forms)


def _us_phone_as_typed(rng: random.Random, e164: str) -> str:
    n = e164[2:]
    return rng.choice(
        [
            f"({n[:3]}) {n[3:6]}-{n[6:]}",
            f"{n[:3]}-{n[3:6]}-{n[6:]}",
            f"+1 {n[:3]} {n[3:6]} {n[6:]}",
            e164,
        ]
    )


def phone_as_typed(rng: random.Random, e164: str) -> str:
    return (
        _cn_phone_as_typed(rng, e164) if e164.startswith("+86") else _us_phone_as_typed(rng, e164)
    )


def _company_name_as_typed(rng: random.Random, company: Company, english_side: bool) -> str:
    if company.name_cn is None:
        name = company.name_en
        roll = rng.random()
        if roll < 0.1:
            return name.upper()
        if roll < 0.2:
            return (
                name.replace("Inc.", "Inc")
                .replace("Co., Ltd.", "Co. Ltd")
                .replace("Ltd.", "Limited")
            )
        return name
    if english_side and rng.random() < 0.3:
        return company.name_en
    without_city = company.name_cn.removeprefix(company.city + "市")
    roll = rng.random()
    if roll < 0.35:
        return company.name_cn
    if roll < 0.6:
        return without_city
    if roll < 0.75:
        stem, suffix = _split_suffix(without_city)
        return f"{stem}({company.city}){suffix}"
    if roll < 0.85:
        stem, suffix = _split_suffix(without_city)
        return f"{stem}（{company.city}）{suffix}"
    return f"{company.city}{without_city}"


def _split_suffix(name: str) -> tuple[str, str]:
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def _maybe(rng: random.Random, value: str | None, keep: float) -> str | None:
    return value if rng.random() < keep else None


def customer_variant(
    rng: random.Random, company: Company, owner_email: str, *, english_side: bool, edited: bool
) -> CustomerVariant:
    """How one CRM holds `company`; `edited` adds a later local edit (new phone, staff count)."""
    created, modified = _times(rng)
    phones = [phone_as_typed(rng, company.phone)]
    employees: int | None = company.employees if rng.random() < 0.6 else None
    if edited:
        phones = [phone_as_typed(rng, company.phone[:-4] + f"{rng.randrange(10**4):04d}")]
        employees = company.employees + rng.randrange(1, 50)
        modified = WORLD_NOW - timedelta(hours=rng.randrange(1, 240))
    if company.chinese:
        region_typed = rng.choice([company.region, None]) if english_side else None
        country = (
            rng.choice(["China", "CN", "中国"])
            if english_side
            else rng.choice(["中国", "中国", "CN"])
        )
        city = company.city_en if english_side and rng.random() < 0.5 else company.city
    else:
        region_typed = company.region.split("-")[1]
        country = rng.choice(["USA", "United States", "US"])
        city = company.city
    website = _maybe(
        rng,
        rng.choice([f"www.{company.domain}", f"https://www.{company.domain}", company.domain]),
        0.8,
    )
    email = _maybe(
        rng, rng.choice([f"info@{company.domain}", f"Info@{company.domain.upper()}"]), 0.7
    )
    return CustomerVariant(
        truth_id=company.truth_id,
        name=_company_name_as_typed(rng, company, english_side),
        website=website,
        email=email,
        phones=phones,
        industry=_maybe(rng, company.industry, 0.85),
        tier=_maybe(rng, company.tier, 0.7),
        annual_revenue=company.annual_revenue if rng.random() < 0.6 else None,
        currency=company.currency,
        employees=employees,
        street=_maybe(rng, company.street, 0.7),
        city=_maybe(rng, city, 0.9),
        region=region_typed,
        postal_code=_maybe(rng, company.postal_code, 0.5),
        country=_maybe(rng, country, 0.9),
        credit_code=_maybe(rng, company.credit_code, 0.3 if english_side else 0.7),
        owner_email=owner_email,
        created_at=created,
        modified_at=modified,
        tags=["重点客户"] if company.tier == "A" and rng.random() < 0.5 else [],
    )


def contact_variant(
    rng: random.Random, person: Person, owner_email: str, *, english_side: bool
) -> ContactVariant:
    created, modified = _times(rng)
    first: str | None
    if person.chinese and english_side and rng.random() < 0.25:
        first, last = person.given_en, person.surname_en  # written in pinyin on the English side
    elif person.chinese:
        first, last = person.given, person.surname
    else:
        first, last = person.given, person.surname
    if rng.random() < 0.05:
        first = None
    email = person.email if rng.random() < 0.9 else None
    if email and rng.random() < 0.1:
        email = email.capitalize()
    mobile = phone_as_typed(rng, person.mobile) if rng.random() < 0.8 else None
    return ContactVariant(
        truth_id=person.truth_id,
        customer_truth_id=person.company_id,
        first_name=first,
        last_name=last,
        email=email,
        secondary_email=None,
        phone=None,
        mobile=mobile,
        title=person.title_en if english_side else person.title,
        department=None,
        city=None,
        country=None,
        owner_email=owner_email,
        created_at=created,
        modified_at=modified,
    )


def opportunity_variant(rng: random.Random, deal: Deal, owner_email: str) -> OpportunityVariant:
    created, modified = _times(rng)
    return OpportunityVariant(
        truth_id=deal.truth_id,
        customer_truth_id=deal.company_id,
        contact_truth_id=deal.contact_id,
        name=deal.name,
        stage=deal.stage,
        amount=deal.amount,
        currency=deal.currency,
        close_date=deal.close_date,
        probability=deal.probability,
        owner_email=owner_email,
        created_at=created,
        modified_at=modified,
    )
