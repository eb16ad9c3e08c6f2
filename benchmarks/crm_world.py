"""A CRM-like data set with truth: the emulators' generated world, as canonical records.

`connectors.emulator.world` generates real companies and people and how each CRM holds them
(names with or without city prefix and legal suffix, hanzi or pinyin, phone formats, free-mail
addresses, subsidiaries on their group's domain, namesakes such as 张伟). This adapter turns
every variant into a canonical record with the mapping transforms, as a connector's mapping
would, and keeps its truth id apart for scoring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.emulator.world import ContactVariant, CustomerVariant, World
from mapping.transforms import (
    TransformError,
    clean_company_name,
    normalize_email,
    normalize_phone,
    registrable_domain,
    to_country_code,
    to_region_code,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    crm: str
    remote_id: str
    truth_id: str
    record: dict[str, Any]


def _try(fn: Callable[..., T], *args: Any) -> T | None:
    try:
        return fn(*args)
    except TransformError:
        return None


def customer_record(v: CustomerVariant) -> dict[str, Any]:
    country = _try(to_country_code, v.country) if v.country else None
    region = country or "CN"
    phones = [p for p in (_try(normalize_phone, raw, region) for raw in v.phones) if p]
    address = {
        "street": v.street,
        "city": v.city,
        "region": _try(to_region_code, v.region, country) if v.region and country else None,
        "postal_code": v.postal_code,
        "country": country,
    }
    return {
        "name": clean_company_name(v.name),
        "website": v.website,
        "domain": _try(registrable_domain, v.website) if v.website else None,
        "email": _try(normalize_email, v.email) if v.email else None,
        "phones": phones,
        "industry": v.industry,
        "tier": v.tier,
        "address": address if any(address.values()) else None,
        "custom": {"credit_code": v.credit_code} if v.credit_code else {},
    }


def contact_record(v: ContactVariant, region: str, customer_entity: str | None) -> dict[str, Any]:
    email = _try(normalize_email, v.email) if v.email else None
    return {
        "first_name": v.first_name,
        "last_name": v.last_name,
        "emails": [email] if email else [],
        "mobile": _try(normalize_phone, v.mobile, region) if v.mobile else None,
        "phone": _try(normalize_phone, v.phone, region) if v.phone else None,
        "title": v.title,
        "customer": {"entity_id": customer_entity} if customer_entity else None,
    }


def customer_rows(world: World) -> list[Row]:
    rows = []
    for crm, view in world.views.items():
        for index, variant in enumerate(view.customers):
            rows.append(Row(crm, f"{crm}-a{index}", variant.truth_id, customer_record(variant)))
    return rows


def contact_rows(world: World, customer_entity: dict[tuple[str, str], str]) -> list[Row]:
    """Contacts with their customer resolved to its (predicted) customer entity, as the sync
    engine does through the links: `customer_entity[(crm, customer truth id)]`."""
    truth = {c.truth_id: c for c in world.truth.companies}
    rows = []
    for crm, view in world.views.items():
        for index, variant in enumerate(view.contacts):
            company = truth[variant.customer_truth_id]
            entity = customer_entity.get((crm, variant.customer_truth_id))
            record = contact_record(variant, company.country, entity)
            rows.append(Row(crm, f"{crm}-c{index}", variant.truth_id, record))
    return rows
