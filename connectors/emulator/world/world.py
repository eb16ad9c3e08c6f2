"""A generated world: real companies, people, deals and managers, and how each CRM holds them.

The same seed gives the same world. Customers present in several CRMs are the overlap a sync
must deduplicate; their variants differ the way real multi-CRM data differs (name forms, phone
formats, missing fields, a few local edits, sometimes another owner).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from connectors.emulator.world.truth import OwnerTruth, Truth, make_truth
from connectors.emulator.world.variants import (
    ContactVariant,
    CustomerVariant,
    OpportunityVariant,
    contact_variant,
    customer_variant,
    opportunity_variant,
)

__all__ = ["CrmView", "World", "WorldSpec", "generate_world"]

ENGLISH_SIDE = "zoho"  # the international CRM: English names and countries appear there


@dataclass(frozen=True, slots=True)
class WorldSpec:
    customers: int = 200
    contacts: int = 400
    opportunities: int = 200
    overlap: float = 0.3  # share of customers present in every CRM
    conflict_rate: float = 0.05  # share of overlapping customers edited on both sides
    seed: int = 7
    crms: tuple[str, ...] = ("zoho", "fxiaoke")

    @classmethod
    def parse(cls, counts: str, **options: object) -> WorldSpec:
        """From the CLI form `customers=N,contacts=N,opportunities=N`."""
        values: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in counts.split(","))):
            match = re.fullmatch(r"(customers|contacts|opportunities)=(\d+)", part)
            if match is None:
                raise ValueError(
                    f"cannot read {part!r}: write customers=N,contacts=N,opportunities=N"
                )
            values[match[1]] = int(match[2])
        return cls(**values, **options)  # type: ignore[arg-type]


@dataclass
class CrmView:
    """What one CRM holds."""

    owners: list[OwnerTruth] = field(default_factory=list)
    customers: list[CustomerVariant] = field(default_factory=list)
    contacts: list[ContactVariant] = field(default_factory=list)
    opportunities: list[OpportunityVariant] = field(default_factory=list)


@dataclass
class World:
    spec: WorldSpec
    truth: Truth
    views: dict[str, CrmView]

    def view(self, crm: str) -> CrmView:
        return self.views[crm]


def _presence(rng: random.Random, spec: WorldSpec, chinese: bool) -> tuple[str, ...]:
    if len(spec.crms) == 1 or rng.random() < spec.overlap:
        return spec.crms
    if not chinese and ENGLISH_SIDE in spec.crms:
        return (ENGLISH_SIDE,)
    others = [c for c in spec.crms if c != ENGLISH_SIDE] or list(spec.crms)
    return (rng.choice(others),) if rng.random() < 0.65 else (rng.choice(spec.crms),)


def _owner_in(
    rng: random.Random, preferred: OwnerTruth, crm: str, views: dict[str, CrmView]
) -> str:
    if crm in preferred.crms:
        return preferred.email
    return rng.choice(views[crm].owners).email


def generate_world(spec: WorldSpec) -> World:
    rng = random.Random(spec.seed)
    truth = make_truth(rng, spec.customers, spec.contacts, spec.opportunities, spec.crms)
    views = {crm: CrmView(owners=[o for o in truth.owners if crm in o.crms]) for crm in spec.crms}
    presence: dict[str, tuple[str, ...]] = {}
    owner_of: dict[str, OwnerTruth] = {}
    by_region: dict[str, list[OwnerTruth]] = {}
    for owner in truth.owners:
        by_region.setdefault(owner.region, []).append(owner)
    for company in truth.companies:
        crms = _presence(rng, spec, company.chinese)
        presence[company.truth_id] = crms
        owner = rng.choice(by_region.get(company.region) or truth.owners)
        owner_of[company.truth_id] = owner
        for position, crm in enumerate(crms):
            # a second copy sometimes has another owner (a dispute) or a local edit (a conflict)
            holder = owner if position == 0 or rng.random() < 0.85 else rng.choice(truth.owners)
            edited = position > 0 and rng.random() < spec.conflict_rate
            views[crm].customers.append(
                customer_variant(
                    rng,
                    company,
                    _owner_in(rng, holder, crm, views),
                    english_side=crm == ENGLISH_SIDE,
                    edited=edited,
                )
            )
    for person in truth.people:
        crms = presence[person.company_id]
        if len(crms) > 1 and rng.random() >= 0.8:
            crms = (rng.choice(crms),)
        for crm in crms:
            owner_email = _owner_in(rng, owner_of[person.company_id], crm, views)
            views[crm].contacts.append(
                contact_variant(rng, person, owner_email, english_side=crm == ENGLISH_SIDE)
            )
    for deal in truth.deals:
        crms = presence[deal.company_id]
        if len(crms) > 1 and rng.random() >= 0.2:
            crms = (crms[0],)
        for crm in crms:
            owner_email = _owner_in(rng, owner_of[deal.company_id], crm, views)
            views[crm].opportunities.append(opportunity_variant(rng, deal, owner_email))
    return World(spec=spec, truth=truth, views=views)
