"""Contacts and opportunities follow their customer's owner (`data["customer"]["entity_id"]`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.assignment.decision import Decision
from core.assignment.directory import OwnerDirectory
from core.assignment.names import DecisionKind
from core.assignment.writer import golden_data, record_decisions, update_entities
from core.store import Entity
from mapping.model import EntityKind

__all__ = ["FOLLOWERS", "customer_of", "follow_customers", "inherit_owner"]

FOLLOWERS = (EntityKind.CONTACT.value, EntityKind.OPPORTUNITY.value)
CHUNK = 900


def _decision(
    entity_id: uuid.UUID,
    kind: str,
    previous: uuid.UUID | None,
    owner: uuid.UUID | None,
    customer_id: uuid.UUID,
    directory: OwnerDirectory,
) -> Decision:
    return Decision(
        entity_id=entity_id,
        kind=DecisionKind.INHERIT,
        previous_owner_id=previous,
        owner_id=owner,
        rule_id="inherit",
        strategy="inherit",
        reason=f"follows its customer {customer_id}: {directory.label(owner)}",
        details={"customer_id": str(customer_id)},
        actor="inherit",
        entity_kind=kind,
    )


def customer_of(data: Mapping[str, Any]) -> uuid.UUID | None:
    """The customer entity a contact or opportunity names (None if none or not an id)."""
    ref = data.get("customer")
    raw = ref.get("entity_id") if isinstance(ref, Mapping) else None
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def inherit_owner(
    session: Session, entity: Entity, directory: OwnerDirectory | None = None
) -> Decision | None:
    """Give a contact or opportunity its customer's owner; None when nothing changes.

    Follows a merged customer to the entity it was merged into. The decision is recorded and
    audited in `session`; the caller commits.
    """
    if entity.kind not in FOLLOWERS:
        raise ValueError(f"{entity.kind} {entity.id} does not follow a customer's owner")
    customer_id = customer_of(entity.data)
    customer = session.get(Entity, customer_id) if customer_id else None
    seen = set()
    while customer is not None and customer.merged_into is not None and customer.id not in seen:
        seen.add(customer.id)
        customer = session.get(Entity, customer.merged_into)
    if customer is None or customer.owner_id == entity.owner_id:
        return None
    directory = directory or OwnerDirectory.load(session)
    decision = _decision(
        entity.id, entity.kind, entity.owner_id, customer.owner_id, customer.id, directory
    )
    entity.data = golden_data(entity.data, decision)
    entity.owner_id = customer.owner_id
    entity.version += 1
    record_decisions(session, [decision], directory)
    return decision


def follow_customers(
    session: Session,
    owners: Mapping[uuid.UUID, uuid.UUID | None],
    directory: OwnerDirectory,
    run_id: int | None = None,
) -> list[Decision]:
    """Every contact and opportunity of the customers in `owners` takes the new owner."""
    if not owners:
        return []
    customer = Entity.data[("customer", "entity_id")].as_string()
    ids: Sequence[uuid.UUID] = list(owners)
    decisions, updates = [], []
    for start in range(0, len(ids), CHUNK):
        chunk = [str(i) for i in ids[start : start + CHUNK]]
        query = sa.select(
            Entity.id, Entity.kind, Entity.data, Entity.owner_id, Entity.version, customer
        ).where(Entity.kind.in_(FOLLOWERS), Entity.status == "active", customer.in_(chunk))
        for entity_id, kind, data, current, version, customer_id in session.execute(query):
            owner = owners[uuid.UUID(customer_id)]
            if owner == current:
                continue
            decision = _decision(entity_id, kind, current, owner, uuid.UUID(customer_id), directory)
            decisions.append(decision)
            updates.append(
                {
                    "entity_id": entity_id,
                    "data": golden_data(data, decision),
                    "owner_id": owner,
                    "version": version + 1,
                }
            )
    update_entities(session, updates)
    record_decisions(session, decisions, directory, run_id)
    return decisions
