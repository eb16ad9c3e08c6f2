"""Opportunities are not scored like customers and contacts: the same deal held in two CRMs is
the one at the same customer with the same name. A new record still gets its own entity first
and joins the other by a merge, so the join can be undone like any other."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.config.matching import MatchingConfig
from core.matching import Decision, MatchOutcome
from core.matching.writes import NewEntity, insert_new_entity
from core.merging import merge_entities
from core.store import Entity, Link
from core.sync.links import LinkStatus
from core.sync.snapshots import customer_ref

__all__ = ["OpportunityTwins", "link_opportunity"]

KIND = "opportunity"


def _key(name: Any) -> str:
    return " ".join(str(name or "").casefold().split())


class OpportunityTwins:
    """Where a new opportunity record looks for its twin: the active opportunities of its
    customer entity by name key, read in one statement along the customer reference's index
    the first time a record of the pull names that customer. Not every opportunity of the
    store: an incremental sync reads what its changes touch (reading them all, once per pull,
    grew with the store). It only proposes: each proposal is checked against the store when a
    record asks (`_twin`). Opportunities made later in the same pull are not in it; they are
    held by the pulling connection, and a record only ever joins an opportunity of another
    CRM."""

    def __init__(self) -> None:
        self._by_customer: dict[str, dict[str, list[uuid.UUID]]] = {}

    def proposed(self, session: Session, customer: str, name: Any) -> list[uuid.UUID]:
        named = self._by_customer.get(customer)
        if named is None:
            named = self._by_customer[customer] = defaultdict(list)
            rows = session.execute(
                sa.select(Entity.id, Entity.data["name"].as_string()).where(
                    customer_ref(session) == customer,
                    Entity.kind == KIND,
                    Entity.status == "active",
                )
            )
            for entity_id, called in rows:
                if _key(called):
                    named[_key(called)].append(entity_id)
        return list(named.get(_key(name), ()))


def _twin(
    session: Session,
    data: Mapping[str, Any],
    connection: str,
    exclude: uuid.UUID,
    twins: OpportunityTwins | None,
) -> uuid.UUID | None:
    ref = data.get("customer")
    customer = ref.get("entity_id") if isinstance(ref, Mapping) else None
    if not customer or not _key(data.get("name")):
        return None
    wanted = [
        Entity.kind == KIND,
        Entity.status == "active",
        Entity.id != exclude,
        customer_ref(session) == str(customer),
    ]
    if twins is not None:
        proposed = [i for i in twins.proposed(session, str(customer), data["name"]) if i != exclude]
        if not proposed:
            return None
        wanted.append(Entity.id.in_(proposed))
    rows = session.execute(sa.select(Entity.id, Entity.data).where(*wanted)).all()
    same_name = [row[0] for row in rows if _key(row[1].get("name")) == _key(data.get("name"))]
    if not same_name:
        return None
    # two deals of one name in the same CRM are two deals: only a record from another CRM joins
    held_here = set(
        session.scalars(
            sa.select(Link.entity_id).where(
                Link.entity_id.in_(same_name),
                Link.connection == connection,
                Link.status == LinkStatus.ACTIVE.value,
            )
        )
    )
    free = [entity_id for entity_id in same_name if entity_id not in held_here]
    if len(free) > 1:  # one customer's deals may share a name: its amount and date tell them apart
        facts = {row[0]: _facts(row[1]) for row in rows}
        free = [entity_id for entity_id in free if facts[entity_id] == _facts(data)]
    return min(free, key=str) if len(free) == 1 else None


def _facts(data: Mapping[str, Any]) -> tuple[Any, Any]:
    """What tells apart two deals of one name at one customer: amount and close date."""
    amount = data.get("amount")
    value = amount.get("amount") if isinstance(amount, Mapping) else amount
    number = Decimal(str(value)).normalize() if value is not None else None
    return (number, data.get("close_date"))


def link_opportunity(
    session: Session,
    data: Mapping[str, Any],
    *,
    connection: str,
    remote_id: str,
    matching: MatchingConfig,
    actor: str = "sync",
    twins: OpportunityTwins | None = None,
) -> MatchOutcome:
    """Give the record (`data`: golden form, its customer as an entity id) its entity and link;
    join the one other-CRM opportunity of the same customer and name, if there is exactly one.
    `twins`: where the records of one pull look for that opportunity (without: the store's
    opportunities of the customer are read for this record)."""
    session.flush()  # the caller's pending rows first: the lookups below read the store
    new = NewEntity(uuid.uuid4(), KIND, dict(data), (), connection, remote_id)
    entity, link_id = insert_new_entity(session, new)
    record_audit(
        session,
        actor_kind=ActorKind.SYNC,
        actor=actor,
        action="entity.created",
        entity_id=entity.id,
        entity_kind=KIND,
        after={"connection": connection, "remote_id": remote_id},
        source=connection,
    )
    twin = _twin(session, data, connection, entity.id, twins)
    if twin is None:
        return MatchOutcome(Decision.NEW, entity.id, link_id=link_id, entity=entity)
    merge_entities(
        session,
        survivor_id=twin,
        merged_id=entity.id,
        survivorship=matching.survivorship,
        actor=actor,
        score=1.0,
        reason=f"{connection} {remote_id}: same customer and name",
    )
    return MatchOutcome(Decision.AUTO_MERGE, twin, 1.0, link_id=link_id)
