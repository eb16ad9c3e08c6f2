"""Ownership disputes against the store: detect one for a customer; settle one an operator chose.

`resolve_dispute` is what the console and `crmhub assign resolve` call.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from core.assignment.batch import CustomerRow, load_cases, load_sides, serialise_assignment
from core.assignment.decision import Decision
from core.assignment.directory import OwnerDirectory
from core.assignment.disputes import Dispute, find_dispute, sides_data
from core.assignment.inherit import follow_customers
from core.assignment.names import DecisionKind
from core.assignment.rules import SERIAL_KEY
from core.assignment.writer import golden_data, record_decisions
from core.audit import ActorKind
from core.reviews import ReviewKind, ReviewStatus, close_review
from core.store import Entity, ReviewItem

__all__ = ["DisputeResolutionError", "detect_dispute", "resolve_dispute"]


def detect_dispute(
    session: Session,
    entity_id: uuid.UUID,
    directory: OwnerDirectory,
    *,
    unowned: frozenset[str] = frozenset(),
) -> Dispute | None:
    """The dispute between the CRMs' owners of customer `entity_id` now, if there is one.

    Reads its linked source records' owners and the claims recorded with its last decision
    (see `disputes.find_dispute`); `unowned` are the e-mails of placeholder users.
    """
    entity = session.get(Entity, entity_id)
    if entity is None:
        return None
    row = CustomerRow(entity.id, entity.data, entity.owner_id, entity.version)
    (case,) = load_cases(session, [row], directory, unowned=unowned)
    return find_dispute(case.sides, case.last_sides, case.owner_id, directory)


class DisputeResolutionError(ValueError):
    """The review is not an open dispute, or the chosen owner cannot own customers."""


def resolve_dispute(
    session: Session,
    review_id: int,
    owner_id: uuid.UUID | None,
    *,
    actor: str,
    reason: str | None = None,
) -> Decision:
    """Make `owner_id` (None: the pool) the customer's owner and close the dispute review.

    The decision is recorded with the CRMs' claims as they are now, so the same disagreement is
    not raised again while crmhub writes the chosen owner back to every CRM.
    """
    serialise_assignment(session, [SERIAL_KEY])  # one assignment writer at a time
    item = session.get(ReviewItem, review_id, with_for_update=True)
    if item is None or item.kind != ReviewKind.DISPUTE.value:
        raise DisputeResolutionError(f"review {review_id} is not an ownership dispute")
    if item.status != ReviewStatus.OPEN.value:
        raise DisputeResolutionError(f"review {review_id} is already {item.status}")
    entity = session.get(Entity, item.entity_id, with_for_update=True) if item.entity_id else None
    if entity is None:
        raise DisputeResolutionError(f"review {review_id} names no customer")
    directory = OwnerDirectory.load(session)
    owner = directory.get(owner_id)
    if owner_id is not None and (owner is None or not owner.active):
        state = "inactive" if owner is not None else "not in the owner directory"
        raise DisputeResolutionError(f"owner {owner_id} is {state}")
    sides = load_sides(session, [entity.id], directory, frozenset()).get(entity.id, [])
    chosen = directory.label(owner_id)
    decision = Decision(
        entity_id=entity.id,
        kind=DecisionKind.DISPUTE_OPERATOR,
        previous_owner_id=entity.owner_id,
        owner_id=owner_id,
        rule_id="dispute",
        strategy="operator",
        reason=f"operator {actor} chose {chosen}" + (f": {reason}" if reason else ""),
        details={"sides": sides_data(sides), "review_id": review_id},
        actor_kind=ActorKind.OPERATOR,
        actor=actor,
    )
    if decision.owner_changed:
        entity.data = golden_data(entity.data, decision)
        entity.owner_id = owner_id
        entity.version += 1
    record_decisions(session, [decision], directory)
    resolution = {"owner_id": str(owner_id) if owner_id else None, "owner": chosen}
    close_review(
        session,
        item,
        status=ReviewStatus.RESOLVED,
        actor=actor,
        resolution=resolution,
        reason=reason,
    )
    if decision.owner_changed:
        session.flush()
        follow_customers(session, {entity.id: owner_id}, directory)
    return decision
