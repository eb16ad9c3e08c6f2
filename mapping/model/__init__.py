"""The canonical model every CRM is mapped into and out of."""

from __future__ import annotations

from mapping.model.entities import Contact, Customer, Opportunity, Owner
from mapping.model.errors import CanonicalValidationError, FieldError, validate_record
from mapping.model.parts import Address, Money, OwnerRef, Ref
from mapping.model.values import EntityKind, Stage, Tier

__all__ = [
    "MODEL_BY_KIND",
    "Address",
    "CanonicalRecord",
    "CanonicalValidationError",
    "Contact",
    "Customer",
    "EntityKind",
    "FieldError",
    "Money",
    "Opportunity",
    "Owner",
    "OwnerRef",
    "Ref",
    "Stage",
    "Tier",
    "validate_record",
]

CanonicalRecord = Customer | Contact | Opportunity

MODEL_BY_KIND: dict[EntityKind, type[Customer] | type[Contact] | type[Opportunity]] = {
    EntityKind.CUSTOMER: Customer,
    EntityKind.CONTACT: Contact,
    EntityKind.OPPORTUNITY: Opportunity,
}
