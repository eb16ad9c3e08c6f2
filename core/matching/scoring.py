"""Scoring a prepared record against stored entities: their golden record and kept sources."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.matching.engine import Matcher, Prepared
from core.matching.outcome import CandidateScore
from core.matching.store_index import active_ids
from core.store import Entity, Link, SourceRecord

__all__ = ["resolve_customer", "score_candidates"]


def _profiles(
    session: Session, ids: Sequence[uuid.UUID], kind: str
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Golden record, then each kept source record, of every active entity among `ids`."""
    found: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return found
    golden = sa.select(
        Entity.id, Entity.data, sa.null().label("connection"), sa.literal_column("0").label("part")
    ).where(Entity.id.in_(ids), Entity.status == "active")
    kept = (
        sa.select(Link.entity_id, SourceRecord.mapped, Link.connection, sa.literal_column("1"))
        .join(
            SourceRecord,
            sa.and_(
                SourceRecord.connection == Link.connection,
                SourceRecord.kind == Link.kind,
                SourceRecord.remote_id == Link.remote_id,
            ),
        )
        .join(Entity, Entity.id == Link.entity_id)
        .where(Link.entity_id.in_(ids), Entity.status == "active", SourceRecord.mapped.is_not(None))
    )
    # one round trip for both (matching runs once per new record: statements count)
    rows = session.execute(sa.union_all(golden, kept)).all()
    for entity_id, data, _connection, part in rows:
        if part == 0:
            found[entity_id].append(data)
    for entity_id, mapped, connection, part in rows:
        if part == 1:
            if kind == "contact":  # a CRM's contact names its customer by that CRM's id
                mapped = resolve_customer(session, mapped, connection)
            found[entity_id].append(mapped)
    return found


def resolve_customer(
    session: Session, record: Mapping[str, Any], connection: str | None
) -> dict[str, Any]:
    """A contact with its customer reference resolved to the active customer entity id."""
    ref = record.get("customer")
    if not isinstance(ref, Mapping):
        return dict(record)
    entity_id = ref.get("entity_id")
    if entity_id is None and ref.get("remote_id") and connection:
        entity_id = session.scalar(
            sa.select(Link.entity_id).where(
                Link.connection == connection,
                Link.kind == "customer",
                Link.remote_id == ref["remote_id"],
            )
        )
    if entity_id is None:
        return dict(record)
    key = uuid.UUID(str(entity_id))
    active = active_ids(session, [key]).get(key, key)
    return {**record, "customer": {**ref, "entity_id": str(active)}}


def _resolve_candidates(session: Session, data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    refs = [
        uuid.UUID(str(d["customer"]["entity_id"]))
        for d in data
        if isinstance(d.get("customer"), Mapping) and d["customer"].get("entity_id")
    ]
    if not refs:
        return data
    active = active_ids(session, refs)
    resolved = []
    for d in data:
        ref = d.get("customer")
        if isinstance(ref, Mapping) and ref.get("entity_id"):
            now = active.get(uuid.UUID(str(ref["entity_id"])))
            if now is not None:
                d = {**d, "customer": {**ref, "entity_id": str(now)}}
        resolved.append(d)
    return resolved


def score_candidates(
    session: Session, matcher: Matcher, record: Prepared, ids: Sequence[uuid.UUID]
) -> list[CandidateScore]:
    """Each candidate's best score over its golden record and kept sources, best first; a
    conflict (veto) with any of them stands for the candidate."""
    scored: list[CandidateScore] = []
    for entity_id, data in _profiles(session, ids, matcher.kind).items():
        if matcher.kind == "contact":
            data = _resolve_candidates(session, data)
        best: CandidateScore | None = None
        vetoes: dict[str, None] = {}
        for values in data:
            other = matcher.prepare(values)
            gamma = matcher.gamma(record, other)
            vetoes.update(dict.fromkeys(matcher.vetoes(gamma)))
            score = matcher.score(gamma)
            if best is None or score > best.score:
                best = CandidateScore(entity_id, score, matcher.evidence(gamma, record, other))
        if best is not None:
            scored.append(replace(best, vetoes=tuple(vetoes)))
    scored.sort(key=lambda c: -c.score)
    return scored
