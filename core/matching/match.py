"""Matching one record against the store: the sync engine's entry point.

`match_record` links a new record to the one entity it belongs to, or creates that entity, and
keeps the decision with its evidence (`match_decisions`); grey-zone decisions open a review
item. Every record gets an entity of its own first (its id is stable forever); joining a
candidate is a merge of that entity into the candidate, so every join can be undone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, AuditRecord, record_audits
from core.config.matching import MatchingConfig
from core.matching.engine import Matcher, matcher_for
from core.matching.outcome import CandidateScore, Decision, MatchOutcome
from core.matching.scoring import resolve_customer, score_candidates
from core.matching.store_index import active_ids, as_json, find_candidates
from core.matching.writes import NewEntity, insert_new_entity, join_new_entity, table
from core.merging.keys import Key, replace_keys
from core.reviews import (
    ReviewKind,
    open_review,
)
from core.store import Link, MatchDecision
from mapping.model import MODEL_BY_KIND, CanonicalValidationError, EntityKind, validate_record

__all__ = [
    "entity_keys",
    "index_entity",
    "joinable_candidate",
    "match_record",
    "review_summary",
]


def _matcher(kind: str, config: MatchingConfig) -> Matcher:
    return matcher_for(kind, config.for_kind(kind))


def entity_keys(
    kind: str, golden: Mapping[str, Any], config: MatchingConfig, variants: Iterable[Any] = ()
) -> set[Key]:
    """The blocking keys of a golden record and of the variants it is also known by."""
    matcher = _matcher(kind, config)
    keys: set[Key] = set()
    for record in (golden, *variants):
        keys.update(matcher.keys(as_json(record)))
    return keys


def index_entity(
    session: Session,
    entity_id: uuid.UUID,
    kind: str,
    golden: Any,
    *,
    config: MatchingConfig,
    variants: Iterable[Any] = (),
) -> None:
    """Make the entity's blocking keys those of `golden` (and `variants`, e.g. its kept
    source records): call it whenever a golden record changes."""
    replace_keys(session, entity_id, kind, entity_keys(kind, as_json(golden), config, variants))


def _decision_row(
    kind: str,
    connection: str,
    remote_id: str,
    decision: Decision,
    entity_id: uuid.UUID,
    best: CandidateScore | None,
    candidates: Sequence[CandidateScore],
    skipped: Sequence[str],
    actor: str,
) -> dict[str, Any]:
    evidence = {
        "best": best.evidence if best else [],
        "candidates": [c.as_json() for c in candidates[:10]],
        "skipped_keys": list(skipped),
    }
    return {
        "kind": kind, "connection": connection, "remote_id": remote_id, "entity_id": entity_id,
        "candidate_id": best.entity_id if best else None, "score": best.score if best else None,
        "decision": decision.value, "evidence": evidence, "actor": actor,
    }  # fmt: skip


def review_summary(kind: str, data: Mapping[str, Any], best: CandidateScore) -> str:
    name = data.get("name") or data.get("full_name") or data.get("last_name") or "?"
    said = f"{kind} {name!s}: maybe the same as {best.entity_id} (score {best.score:.2f})"
    return f"{said}; conflicting {', '.join(best.vetoes)}" if best.vetoes else said


def joinable_candidate(
    scored: Sequence[CandidateScore], auto_merge: float
) -> CandidateScore | None:
    """The best candidate to join automatically: at or above auto_merge and no conflict
    (veto) with it; a vetoed candidate, however high its score, is for an operator."""
    return next((c for c in scored if c.score >= auto_merge and not c.vetoes), None)


def match_record(
    session: Session,
    kind: str,
    record: Any,
    *,
    connection: str,
    remote_id: str,
    config: MatchingConfig,
    actor: str = "sync",
    actor_kind: ActorKind = ActorKind.SYNC,
    unlinked: bool = False,
    resolved: bool = False,
) -> MatchOutcome:
    """Link the record (connection, remote_id) to its entity; see the module docstring.

    `record` is a canonical Customer/Contact or its JSON form. A contact's `customer` reference
    is resolved through the links of `connection` to the customer entity (strong evidence).
    Already linked: `Decision.LINKED`, nothing written (`unlinked=True`: the caller has just
    read that the record has no link, e.g. for its whole page, and it is not looked up again).
    `resolved=True`: a contact's customer reference already names the active customer entity
    (or nothing linked: the caller resolved it through the links, e.g. for its whole page) and
    is not resolved again.
    Else: ≥ auto_merge joins the best candidate; ≥ review keeps the new entity and opens a
    review item with the candidates and their evidence; else a new entity. The outcome names
    the record's link. Raises CanonicalValidationError for a bad record.
    """
    # The caller's pending rows count (a source record, a link just made); after that our
    # reads never need a flush, and one flush at the end (instead of one before every query)
    # keeps a match to a few round trips.
    session.flush()
    with session.no_autoflush:
        outcome = _match_new(
            session,
            kind,
            record,
            connection,
            remote_id,
            config,
            actor,
            actor_kind,
            unlinked,
            resolved,
        )
    session.flush()
    return outcome


def _linked(session: Session, entity_id: uuid.UUID) -> MatchOutcome:
    return MatchOutcome(Decision.LINKED, active_ids(session, [entity_id]).get(entity_id, entity_id))


def _link_of(session: Session, kind: str, connection: str, remote_id: str) -> uuid.UUID | None:
    return session.scalar(
        sa.select(Link.entity_id).where(
            Link.connection == connection, Link.kind == kind, Link.remote_id == remote_id
        )
    )


def _match_new(
    session: Session,
    kind: str,
    record: Any,
    connection: str,
    remote_id: str,
    config: MatchingConfig,
    actor: str,
    actor_kind: ActorKind,
    unlinked: bool,
    resolved: bool,
) -> MatchOutcome:
    spec = config.for_kind(kind)
    model_type = MODEL_BY_KIND[EntityKind(kind)]
    try:
        # a canonical model is valid by construction: only its JSON form is validated
        model = (
            record
            if isinstance(record, model_type)
            else validate_record(model_type, as_json(record))
        )
    except CanonicalValidationError:
        # a linked record is not matched again, whatever it holds now
        if not unlinked and (linked := _link_of(session, kind, connection, remote_id)):
            return _linked(session, linked)
        raise
    data = model.model_dump(mode="json")
    matcher = matcher_for(kind, spec)
    resolving = kind == "contact" and not resolved
    probe = resolve_customer(session, data, connection) if resolving else data
    prepared = matcher.prepare(probe)
    found = find_candidates(
        session,
        kind,
        prepared.keys,
        max_block_size=spec.max_block_size,
        max_candidates=spec.max_candidates,
        # is the record linked already? (same statement)
        linked_as=None if unlinked else (connection, remote_id),
    )
    if found.linked is not None:
        return _linked(session, found.linked)
    scored = score_candidates(session, matcher, prepared, found.entity_ids, held_in=(connection,))
    joinable = joinable_candidate(scored, spec.thresholds.auto_merge)
    best = joinable or (scored[0] if scored else None)
    # a contact's golden record refers to its customer entity (the remote id stays beside it)
    new = NewEntity(
        uuid.uuid4(), kind, dict(probe), tuple(sorted(set(prepared.keys))), connection, remote_id
    )
    audits = [
        AuditRecord(
            actor_kind, actor, "entity.created", new.id, kind,
            after={"connection": connection, "remote_id": remote_id}, source=connection,
        )
    ]  # fmt: skip
    review_id = None
    if joinable is not None:
        decision, entity_id = Decision.AUTO_MERGE, joinable.entity_id
        joined, link_id, entity = join_new_entity(
            session,
            new,
            survivor_id=joinable.entity_id,
            survivorship=config.survivorship,
            decision=decision.value,
            actor_kind=actor_kind,
            actor=actor,
            score=joinable.score,
            evidence=joinable.evidence,
            reason=f"{connection} {remote_id}: {matcher.reason(joinable.evidence)}",
        )
        audits += joined
    else:
        entity, link_id = insert_new_entity(session, new)
        decision, entity_id = Decision.NEW, new.id
        if best is not None and best.score >= spec.thresholds.review:
            decision = Decision.REVIEW
            item = open_review(
                session,
                ReviewKind.MATCH,
                review_summary(kind, data, best),
                {
                    "connection": connection,
                    "remote_id": remote_id,
                    "entity_id": str(new.id),
                    "record": data,
                    "candidates": [c.as_json() for c in scored[:5]],
                },
                entity_id=new.id,
                entity_kind=kind,
            )
            review_id = item.id
    record_audits(session, audits)
    session.execute(
        sa.insert(table(MatchDecision)),
        _decision_row(
            kind, connection, remote_id, decision, entity_id, best, scored, found.skipped, actor
        ),
    )
    return MatchOutcome(
        decision,
        entity_id,
        best.score if best else None,
        best.evidence if best else [],
        tuple(scored),
        review_id,
        found.skipped,
        link_id,
        entity,
    )
