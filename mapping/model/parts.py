"""Parts shared by the canonical records: base config, address, money, references."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mapping.model.values import (
    Amount,
    CountryCode,
    CurrencyCode,
    CustomFieldName,
    CustomValue,
    RegionCode,
    UtcDatetime,
)

__all__ = ["Address", "CanonicalModel", "Money", "OwnerRef", "Record", "Ref", "Text"]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class CanonicalModel(BaseModel):
    """Strict base: unknown keys are errors, assignment is validated, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=True,
    )


class Address(CanonicalModel):
    street: Text | None = None
    city: Text | None = None
    region: RegionCode | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = (
        None
    )
    country: CountryCode | None = None

    @model_validator(mode="after")
    def _region_in_country(self) -> Address:
        if self.region and self.country and not self.region.startswith(self.country + "-"):
            raise ValueError(f"region {self.region} is not in country {self.country}")
        return self


class Money(CanonicalModel):
    """An amount in one currency: Decimal, never float."""

    amount: Amount
    currency: CurrencyCode


class Ref(CanonicalModel):
    """A reference to another record: its canonical entity id, its id in the source CRM, or both.

    A mapped remote record knows only the remote id (Zoho `{name, id}`, Fxiaoke `account_id`);
    core resolves it through the links to the entity id before anything is planned.
    """

    entity_id: UUID | None = None
    remote_id: Text | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _points_somewhere(self) -> Ref:
        if self.entity_id is None and self.remote_id is None:
            raise ValueError("a reference needs an entity_id or a remote_id")
        return self


class OwnerRef(CanonicalModel):
    """The account manager (负责人) of a record: canonical owner id and/or the CRM's user id."""

    owner_id: UUID | None = None
    remote_id: Text | None = None
    name: Text | None = None
    email: Text | None = None

    @model_validator(mode="after")
    def _points_somewhere(self) -> OwnerRef:
        if self.owner_id is None and self.remote_id is None:
            raise ValueError("an owner reference needs an owner_id or a remote_id")
        return self


class Record(CanonicalModel):
    """What every customer, contact and opportunity carries."""

    owner: OwnerRef | None = None
    custom: dict[CustomFieldName, CustomValue] = Field(default_factory=dict)
    created_at: UtcDatetime | None = None
    modified_at: UtcDatetime | None = None
