"""Matching again what is already an entity: after its golden record changed, or after the
customers its contacts name were merged (two records of one person, kept apart while they
named two customers, may now name one)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind
from core.config.matching import MatchingConfig
from core.matching.engine import Matcher
from core.matching.match import joinable_candidate, review_summary
from core.matching.outcome import Decision, MatchOutcome
from core.matching.scoring import resolve_customer, score_candidates
from core.matching.store_index import find_candidates
from core.merging.keep_apart import kept_apart_from
from core.merging.keys import keys_of
from core.merging.merge import merge_entities
from core.reviews import (
    ReviewKind,
    ReviewStatus,
    close_review,
    match_review_names,
    match_review_open_between,
    open_review,
)
from core.store import Entity, Link, ReviewItem

__all__ = ["rematch_contacts_of", "rematch_entity"]


def rematch_entity(
    session: Session,
    entity_id: uuid.UUID,
    *,
    config: MatchingConfig,
    actor: str = "sync",
    actor_kind: ActorKind = ActorKind.SYNC,
) -> MatchOutcome:
    """Look for duplicates of an existing entity (after its golden record changed): merge it
    into a candidate at auto_merge, open a review in the grey zone; pairs kept apart and
    pairs already under review are not proposed again."""
    entity = session.get(Entity, entity_id)
    if entity is None or entity.status != "active":
        raise ValueError(f"entity {entity_id} is not an active entity")
    spec = config.for_kind(entity.kind)
    matcher = Matcher(entity.kind, spec)
    data = resolve_customer(session, entity.data, None) if entity.kind == "contact" else entity.data
    prepared = matcher.prepare(data)
    found = find_candidates(
        session,
        entity.kind,
        set(prepared.keys) | set(keys_of(session, entity.id)),
        max_block_size=spec.max_block_size,
        max_candidates=spec.max_candidates,
        exclude=[entity.id],
    )
    apart = kept_apart_from(session, entity.id, found.entity_ids)
    ids = [i for i in found.entity_ids if i not in apart]
    held_in = session.scalars(
        sa.select(Link.connection).where(Link.entity_id == entity.id, Link.status == "active")
    ).all()
    scored = score_candidates(session, matcher, prepared, ids, held_in=set(held_in))
    joinable = joinable_candidate(scored, spec.thresholds.auto_merge)
    if joinable is not None:
        merge_entities(
            session,
            survivor_id=joinable.entity_id,
            merged_id=entity.id,
            survivorship=config.survivorship,
            actor_kind=actor_kind,
            actor=actor,
            score=joinable.score,
            evidence=joinable.evidence,
            reason=matcher.reason(joinable.evidence),
        )
        return MatchOutcome(
            Decision.AUTO_MERGE, joinable.entity_id, joinable.score, joinable.evidence
        )
    best = scored[0] if scored else None
    if best is None or best.score < spec.thresholds.review:
        return MatchOutcome(Decision.NONE, entity.id, best.score if best else None)
    if match_review_open_between(session, entity.id, best.entity_id):
        return MatchOutcome(Decision.NONE, entity.id, best.score, best.evidence)
    item = open_review(
        session,
        ReviewKind.MATCH,
        review_summary(entity.kind, entity.data, best),
        {
            "entity_id": str(entity.id),
            "record": entity.data,
            "candidates": [c.as_json() for c in scored[:5]],
        },
        entity_id=entity.id,
        entity_kind=entity.kind,
    )
    return MatchOutcome(
        Decision.REVIEW, entity.id, best.score, best.evidence, tuple(scored), item.id
    )


def rematch_contacts_of(
    session: Session,
    customer_id: uuid.UUID,
    *,
    config: MatchingConfig,
    actor: str = "sync",
    actor_kind: ActorKind = ActorKind.SYNC,
) -> list[MatchOutcome]:
    """`rematch_entity` for each active contact of a customer and of every customer merged
    into it (after a merge: two records of one person, apart while they named two customers,
    may now name one); the outcomes of those that were merged or sent to review."""
    customers = {customer_id}
    while True:  # what was merged into the customer, and into those, ...
        more = set(
            session.scalars(
                sa.select(Entity.id).where(
                    Entity.merged_into.in_(customers), Entity.id.not_in(customers)
                )
            )
        )
        if not more:
            break
        customers |= more
    contacts = session.scalars(
        sa.select(Entity.id)
        .where(
            Entity.kind == "contact",
            Entity.status == "active",
            Entity.data[("customer", "entity_id")].as_string().in_([str(c) for c in customers]),
        )
        .order_by(Entity.created_at, Entity.id)
    ).all()
    outcomes = []
    for contact_id in contacts:
        contact = session.get(Entity, contact_id)
        if contact is None or contact.status != "active":  # merged into an earlier one here
            continue
        outcome = rematch_entity(
            session, contact_id, config=config, actor=actor, actor_kind=actor_kind
        )
        if outcome.decision == Decision.AUTO_MERGE:
            _close_reviews_between(session, contact_id, outcome.entity_id, actor, actor_kind)
        if outcome.decision != Decision.NONE:
            outcomes.append(outcome)
    return outcomes


def _close_reviews_between(
    session: Session, merged: uuid.UUID, survivor: uuid.UUID, actor: str, kind: ActorKind
) -> None:
    """Open match reviews naming both: decided by the merge just made."""
    items = session.scalars(
        sa.select(ReviewItem).where(
            ReviewItem.kind == ReviewKind.MATCH.value,
            ReviewItem.status == ReviewStatus.OPEN.value,
            ReviewItem.entity_id.in_([merged, survivor]),
        )
    ).all()
    for item in items:
        if {str(merged), str(survivor)} <= match_review_names(item.payload):
            close_review(
                session, item, status=ReviewStatus.RESOLVED, actor=actor, actor_kind=kind,
                resolution={"action": "merge", "into": str(survivor)},
                reason="merged once their customers were one",
            )  # fmt: skip
