"""Generated CRM data with ground truth: one world, held differently by each CRM."""

from __future__ import annotations

from connectors.emulator.world.truth import Company, Deal, OwnerTruth, Person, Truth
from connectors.emulator.world.variants import (
    ContactVariant,
    CustomerVariant,
    OpportunityVariant,
    phone_as_typed,
)
from connectors.emulator.world.world import CrmView, World, WorldSpec, generate_world

__all__ = [
    "Company",
    "ContactVariant",
    "CrmView",
    "CustomerVariant",
    "Deal",
    "OpportunityVariant",
    "OwnerTruth",
    "Person",
    "Truth",
    "World",
    "WorldSpec",
    "generate_world",
    "phone_as_typed",
]
