"""Canonical records: Customer (客户), Contact (联系人), Opportunity (商机), Owner (客户经理)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator, model_validator

from mapping.model.parts import Address, CanonicalModel, Money, Record, Ref, Text
from mapping.model.values import Domain, Email, EntityKind, Phone, Stage, Tier
from mapping.transforms.names import join_person_name

__all__ = ["Contact", "Customer", "Opportunity", "Owner"]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _unique(values: list[str]) -> list[str]:
    # Order matters (the first phone is the main one); duplicates are noise from several slots.
    return list(dict.fromkeys(values))


class Customer(Record):
    """A company that buys from us: Zoho Account, Fxiaoke AccountObj."""

    kind: ClassVar[EntityKind] = EntityKind.CUSTOMER

    name: Name
    website: Text | None = None
    domain: Domain | None = None
    email: Email | None = None
    phones: list[Phone] = Field(default_factory=list)
    industry: Text | None = None
    tier: Tier | None = None
    annual_revenue: Money | None = None
    employee_count: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    address: Address | None = None
    tags: list[Tag] = Field(default_factory=list)

    _dedupe_phones = field_validator("phones", "tags")(_unique)


class Contact(Record):
    """A person at a customer: Zoho Contact, Fxiaoke ContactObj.

    Chinese names put the surname first with no space (张伟); `full_name` is derived from the
    parts in the name's own culture when the CRM does not give it.
    """

    kind: ClassVar[EntityKind] = EntityKind.CONTACT

    first_name: Name | None = None
    last_name: Name | None = None
    full_name: Name | None = None
    emails: list[Email] = Field(default_factory=list)
    phone: Phone | None = None
    mobile: Phone | None = None
    title: Text | None = None
    customer: Ref | None = None
    address: Address | None = None

    _dedupe_emails = field_validator("emails")(_unique)

    @model_validator(mode="before")
    @classmethod
    def _derive_full_name(cls, data: object) -> object:
        if isinstance(data, dict) and not data.get("full_name"):
            joined = join_person_name(data.get("first_name"), data.get("last_name"))
            if joined:
                data = {**data, "full_name": joined}
        return data

    @model_validator(mode="after")
    def _has_a_name(self) -> Contact:
        if not (self.last_name or self.full_name):
            raise ValueError("a contact needs a last_name or a full_name")
        return self


class Opportunity(Record):
    """A deal in the pipeline: Zoho Deal, Fxiaoke NewOpportunityObj."""

    kind: ClassVar[EntityKind] = EntityKind.OPPORTUNITY

    name: Name
    customer: Ref | None = None
    contact: Ref | None = None
    stage: Stage
    amount: Money | None = None
    close_date: date | None = None
    probability: Annotated[int, Field(ge=0, le=100)] | None = None
    pipeline: Text | None = None


class Owner(CanonicalModel):
    """An account manager (客户经理): one person, with a user id in each connection."""

    id: UUID | None = None
    name: Name
    email: Email | None = None
    # connection name -> that CRM's user id (Zoho numeric id, Fxiaoke FSUID_…)
    user_ids: dict[Text, Text] = Field(default_factory=dict)
    regions: list[Text] = Field(default_factory=list)
    industries: list[Text] = Field(default_factory=list)
    # how many customers of each tier this manager can carry; a missing tier means no limit
    capacity: dict[Tier, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    active: bool = True
