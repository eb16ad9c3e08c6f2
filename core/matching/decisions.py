"""Operators' decisions on matches: merge, keep apart, unmerge (CLI and console alike)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind
from core.config.matching import MatchingConfig
from core.matching.outcome import Decision
from core.matching.rematch import rematch_contacts_of
from core.merging.keep_apart import remember_keep_apart
from core.merging.merge import merge_entities, unmerge
from core.reviews import ReviewKind, ReviewStatus, close_review
from core.store import EntityMerge, Link, MatchDecision, ReviewItem

__all__ = ["ReviewAction", "decide_match_review", "unmerge_entity"]


class ReviewAction(StrEnum):
    MERGE = "merge"
    KEEP_APART = "keep_apart"


def _source_of(
    session: Session, item_payload: dict[str, Any], entity_id: uuid.UUID
) -> tuple[str, str]:
    if item_payload.get("connection") and item_payload.get("remote_id"):
        return str(item_payload["connection"]), str(item_payload["remote_id"])
    link = session.scalars(
        sa.select(Link).where(Link.entity_id == entity_id).order_by(Link.id).limit(1)
    ).first()
    return (link.connection, link.remote_id) if link else ("crmhub", str(entity_id))


def _decision(
    session: Session,
    kind: str,
    source: tuple[str, str],
    decision: str,
    entity_id: uuid.UUID,
    candidate_id: uuid.UUID | None,
    actor: str,
    evidence: Any,
) -> None:
    session.add(
        MatchDecision(
            kind=kind,
            connection=source[0],
            remote_id=source[1],
            entity_id=entity_id,
            candidate_id=candidate_id,
            decision=decision,
            evidence=evidence,
            actor=actor,
        )
    )


def decide_match_review(
    session: Session,
    review_id: int,
    action: ReviewAction,
    *,
    config: MatchingConfig,
    actor: str,
    reason: str | None = None,
    candidate_id: uuid.UUID | None = None,
) -> ReviewItem:
    """Carry out an operator's decision on an open match review and close it.

    merge: the review's entity is merged into `candidate_id` (default: the best candidate);
    customers merged, their contacts are matched again (`rematch_contacts_of`);
    keep_apart: the entity is remembered as different from every candidate (or only from
    `candidate_id`), so the pair is never proposed again. Raises ValueError / MergeError.
    """
    item = session.get(ReviewItem, review_id, with_for_update=True)
    if item is None or item.kind != ReviewKind.MATCH.value:
        raise ValueError(f"review {review_id} is not a match review")
    if item.status != ReviewStatus.OPEN.value:
        raise ValueError(f"review {review_id} is already {item.status}")
    payload: dict[str, Any] = item.payload
    entity_id = uuid.UUID(payload["entity_id"])
    candidates = [uuid.UUID(c["entity_id"]) for c in payload.get("candidates", [])]
    if candidate_id is not None and candidate_id not in candidates:
        raise ValueError(f"{candidate_id} is not a candidate of review {review_id}")
    kind = item.entity_kind or "customer"
    source = _source_of(session, payload, entity_id)
    if action == ReviewAction.MERGE:
        target = candidate_id or candidates[0]
        scored = next(c for c in payload["candidates"] if c["entity_id"] == str(target))
        merge_entities(
            session,
            survivor_id=target,
            merged_id=entity_id,
            survivorship=config.survivorship,
            decision="operator_merge",
            actor_kind=ActorKind.OPERATOR,
            actor=actor,
            score=scored.get("score"),
            evidence=scored.get("evidence", []),
            reason=reason,
        )
        _decision(session, kind, source, "operator_merge", target, entity_id, actor, scored)
        resolution: dict[str, Any] = {"action": action.value, "into": str(target)}
        if kind == "customer":
            # two records of one person were kept apart while they named two customers
            rematched = rematch_contacts_of(session, target, config=config)
            if rematched:
                resolution["contacts"] = {
                    decision.value: sum(1 for o in rematched if o.decision == decision)
                    for decision in (Decision.AUTO_MERGE, Decision.REVIEW)
                }
    else:
        apart = [candidate_id] if candidate_id else candidates
        for other in apart:
            remember_keep_apart(session, kind, entity_id, other, actor=actor, reason=reason)
            _decision(session, kind, source, "keep_apart", entity_id, other, actor, {})
        resolution = {"action": action.value, "from": [str(a) for a in apart]}
    close_review(
        session,
        item,
        status=ReviewStatus.RESOLVED,
        actor=actor,
        resolution=resolution,
        reason=reason,
    )
    session.flush()
    return item


def unmerge_entity(
    session: Session,
    merged_id: uuid.UUID,
    *,
    config: MatchingConfig,
    actor: str,
    reason: str | None = None,
    keep_apart: bool = True,
) -> EntityMerge:
    """Undo the latest merge of `merged_id` (exactly, see `core.merging.unmerge`); by default
    also remember the pair as kept apart, so it is not merged again."""
    merge = unmerge(
        session,
        merged_id,
        survivorship=config.survivorship,
        actor_kind=ActorKind.OPERATOR,
        actor=actor,
        reason=reason,
    )
    if keep_apart:
        remember_keep_apart(
            session, merge.kind, merge.survivor_id, merged_id, actor=actor, reason=reason
        )
    source = _source_of(session, {}, merged_id)
    _decision(session, merge.kind, source, "unmerge", merged_id, merge.survivor_id, actor, {})
    session.flush()
    return merge
