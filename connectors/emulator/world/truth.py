"""The real companies, people, deals and managers behind generated CRM data (ground truth)."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from connectors.emulator.world import pools

__all__ = ["Company", "Deal", "OwnerTruth", "Person", "Truth", "make_truth"]

# Generated data lives in a fixed past so that the same seed gives the same world on any day.
WORLD_NOW = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class OwnerTruth:
    email: str
    name: str
    region: str  # ISO 3166-2 of the region the manager covers
    industries: tuple[str, ...]
    senior: bool
    crms: tuple[str, ...]  # the CRMs this person has a user in


@dataclass(frozen=True, slots=True)
class Company:
    truth_id: str
    chinese: bool
    brand: str  # 华腾 (or the English brand of a foreign company)
    brand_en: str  # huateng
    name_cn: str | None  # full legal name with city prefix and suffix, e.g. 深圳市华腾科技有限公司
    name_en: str
    city: str  # Chinese city name, or an English US city
    city_en: str
    region: str  # ISO 3166-2
    country: str  # ISO 3166-1
    industry: str
    domain: str
    phone: str  # E.164 switchboard
    street: str
    postal_code: str
    credit_code: str | None
    annual_revenue: Decimal
    currency: str
    employees: int
    tier: str
    group_of: str | None = None  # a subsidiary sharing the group's domain (a hard negative)


@dataclass(frozen=True, slots=True)
class Person:
    truth_id: str
    company_id: str
    chinese: bool
    surname: str
    given: str
    surname_en: str
    given_en: str
    email: str
    mobile: str  # E.164
    title: str
    title_en: str


@dataclass(frozen=True, slots=True)
class Deal:
    truth_id: str
    company_id: str
    contact_id: str | None
    name: str
    stage: str
    amount: Decimal
    currency: str
    close_date: date
    probability: int


@dataclass
class Truth:
    owners: list[OwnerTruth] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)


def _cn_mobile(rng: random.Random) -> str:
    prefix = rng.choice(["138", "139", "135", "136", "150", "158", "186", "187", "189"])
    return f"+86{prefix}{rng.randrange(10**8):08d}"


def _credit_code(rng: random.Random) -> str:
    alphabet = string.digits + "ABCDEFGHJKLMNPQRTUWXY"  # the code's own alphabet: no I, O, S, V, Z
    return "91" + f"{rng.randrange(110000, 660000)}" + "".join(rng.choices(alphabet, k=10))


def _owners(rng: random.Random, count: int, crms: tuple[str, ...]) -> list[OwnerTruth]:
    owners = []
    for index in range(count):
        surname, surname_en = rng.choice(pools.CN_SURNAMES)
        given, given_en = rng.choice(pools.CN_GIVEN)
        city = pools.CITIES[index % len(pools.CITIES)]
        present = crms if rng.random() < 0.8 or len(crms) == 1 else (crms[index % len(crms)],)
        owners.append(
            OwnerTruth(
                email=f"{given_en.lower()}.{surname_en.lower()}{index}@sales.example.com",
                name=surname + given,
                region=city[3],
                industries=tuple(code for code, _, _ in rng.sample(pools.INDUSTRIES, 3)),
                senior=index % 4 == 0,
                crms=present,
            )
        )
    return owners


class _Names:
    """Company names and domains that stay unique, except deliberate subsidiaries."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[tuple[str, str, str]] = set()
        self.domains: set[str] = set()

    def brand(self) -> tuple[str, str]:
        chars = self.rng.sample(pools.CN_BRAND_CHARS, 2 if self.rng.random() < 0.6 else 3)
        return "".join(c for c, _ in chars), "".join(p for _, p in chars)

    def english_brand(self) -> str:
        return "".join(self.rng.sample(pools.BRAND_SYLLABLES, self.rng.choice([2, 3]))).capitalize()

    def domain(self, base: str, chinese: bool) -> str:
        tld = self.rng.choice(
            [".com", ".com.cn", ".cn", ".net"] if chinese else [".com", ".net", ".io"]
        )
        candidate, n = base + tld, 1
        while candidate in self.domains:
            n += 1
            candidate = f"{base}{n}{tld}"
        self.domains.add(candidate)
        return candidate


def _company(rng: random.Random, names: _Names, index: int, parent: Company | None) -> Company:
    chinese = parent.chinese if parent else rng.random() < 0.8
    industry, cn_word, en_word = rng.choice(pools.INDUSTRIES)
    revenue = (
        Decimal(rng.choice([5, 20, 80, 300, 1200, 5000])) * Decimal(rng.randrange(10, 100)) * 10000
    )
    tier = "A" if revenue >= Decimal(30_000_000) else "B" if revenue >= Decimal(3_000_000) else "C"
    if chinese:
        city, city_en, _province, region, area, postal = rng.choice(pools.CITIES)
        while True:
            brand_cn, brand_py = (parent.brand, parent.brand_en) if parent else names.brand()
            key = (brand_cn, industry, city)
            if key not in names.used:
                break
            parent = None  # the group already has this industry here: make an independent company
        names.used.add(key)
        suffix = rng.choice(pools.CN_LEGAL_SUFFIXES)
        name_cn = f"{city}市{brand_cn}{cn_word}{suffix}"
        name_en = f"{city_en} {brand_py.capitalize()} {en_word} Co., Ltd."
        phone = f"+86{area}{rng.randrange(2 * 10**7, 10**8)}"
        street = f"{rng.choice(pools.STREETS_CN)}{rng.randrange(1, 999)}号"
        postal_code = f"{postal}{rng.randrange(1000):03d}"
        domain = parent.domain if parent else names.domain(brand_py, chinese=True)
        credit = _credit_code(rng)
        currency, country = "CNY", "CN"
    else:
        city, region, area, postal = rng.choice(pools.US_CITIES)
        city_en = city
        brand_cn = brand_py = names.english_brand()
        name_cn, name_en = None, f"{brand_cn} {en_word} {rng.choice(pools.EN_LEGAL_SUFFIXES)}"
        phone = f"+1{area}{rng.randrange(200, 1000)}{rng.randrange(10**4):04d}"
        street = f"{rng.randrange(1, 9999)} {rng.choice(pools.STREETS_EN)}"
        postal_code = f"{postal}{rng.randrange(100):02d}"
        domain = names.domain(brand_py.lower(), chinese=False)
        credit, currency, country = None, "USD", "US"
        revenue = (revenue / 7).quantize(Decimal("1"))
    return Company(
        truth_id=f"C{index:07d}",
        chinese=chinese,
        brand=brand_cn,
        brand_en=brand_py,
        name_cn=name_cn,
        name_en=name_en,
        city=city,
        city_en=city_en,
        region=region,
        country=country,
        industry=industry,
        domain=domain,
        phone=phone,
        street=street,
        postal_code=postal_code,
        credit_code=credit,
        annual_revenue=revenue,
        currency=currency,
        employees=rng.choice([8, 25, 60, 150, 400, 1200, 5000]) + rng.randrange(20),
        tier=tier,
        group_of=parent.truth_id if parent else None,
    )


def _person(rng: random.Random, index: int, company: Company, emails: set[str]) -> Person:
    chinese = company.chinese and rng.random() < 0.95
    if chinese:
        surname, surname_en = rng.choice(pools.CN_SURNAMES)
        given, given_en = rng.choice(pools.CN_GIVEN)
    else:
        surname = surname_en = rng.choice(pools.EN_LAST)
        given = given_en = rng.choice(pools.EN_FIRST)
    title, title_en = rng.choice(pools.TITLES)
    local = f"{given_en.lower()}.{surname_en.lower()}"
    email = (
        f"{local}@{company.domain}"
        if rng.random() < 0.75
        else f"{local}{index}@{rng.choice(pools.FREE_MAIL)}"
    )
    # a mailbox is one person's: a namesake at the same company gets yong.zhuge2@ (as a mail
    # administrator would do), never the first one's address
    name, domain = email.split("@")
    number = 1
    while email in emails:
        number += 1
        email = f"{name}{number}@{domain}"
    emails.add(email)
    mobile = (
        _cn_mobile(rng)
        if company.chinese
        else f"+1{company.phone[2:5]}{rng.randrange(200, 1000)}{rng.randrange(10**4):04d}"
    )
    return Person(
        f"P{index:07d}",
        company.truth_id,
        chinese,
        surname,
        given,
        surname_en,
        given_en,
        email,
        mobile,
        title,
        title_en,
    )


_STAGES = [
    "qualification",
    "needs_analysis",
    "proposal",
    "negotiation",
    "closed_won",
    "closed_lost",
]
_PROBABILITY = {
    "qualification": 10,
    "needs_analysis": 20,
    "proposal": 50,
    "negotiation": 75,
    "closed_won": 100,
    "closed_lost": 0,
}


def _deal(rng: random.Random, index: int, company: Company, contact: Person | None) -> Deal:
    stage = rng.choice(_STAGES)
    product = (
        rng.choice(["年度框架合同", "设备采购", "软件许可", "实施服务", "续约"])
        if company.chinese
        else rng.choice(
            ["Annual renewal", "Hardware order", "License expansion", "Implementation", "Pilot"]
        )
    )
    label = company.brand
    return Deal(
        truth_id=f"D{index:07d}",
        company_id=company.truth_id,
        contact_id=contact.truth_id if contact else None,
        name=f"{label} {product} {2025 + index % 2}",
        stage=stage,
        amount=(Decimal(rng.randrange(5_000, 2_000_000)) + Decimal(rng.randrange(100)) / 100),
        currency=company.currency,
        close_date=(WORLD_NOW + timedelta(days=rng.randrange(-300, 300))).date(),
        probability=_PROBABILITY[stage],
    )


def make_truth(
    rng: random.Random, customers: int, contacts: int, opportunities: int, crms: tuple[str, ...]
) -> Truth:
    truth = Truth(owners=_owners(rng, max(6, customers // 150), crms))
    names = _Names(rng)
    for index in range(customers):
        parent = None
        if truth.companies and rng.random() < 0.03:
            candidate = rng.choice(truth.companies)
            parent = candidate if candidate.chinese and candidate.group_of is None else None
        truth.companies.append(_company(rng, names, index, parent))
    by_company: dict[str, list[Person]] = {}
    emails: set[str] = set()
    for index in range(contacts):
        company = (
            truth.companies[index % customers] if index < customers else rng.choice(truth.companies)
        )
        person = _person(rng, index, company, emails)
        truth.people.append(person)
        by_company.setdefault(company.truth_id, []).append(person)
    for index in range(opportunities):
        company = rng.choice(truth.companies)
        people = by_company.get(company.truth_id)
        truth.deals.append(_deal(rng, index, company, rng.choice(people) if people else None))
    return truth
