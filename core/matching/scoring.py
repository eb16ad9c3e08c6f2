"""Scoring a prepared record against stored entities: their golden record and kept sources."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.matching.engine import Matcher, Prepared
from core.matching.outcome import CandidateScore
from core.matching.store_index import active_ids
from core.store import Entity, Link, SourceRecord

__all__ = ["SAME_CRM", "resolve_customer", "resolve_customers", "score_candidates"]

# the veto of a candidate holding another record of the record's CRM (`same_crm_needs`)
SAME_CRM = "same_crm"


@dataclass
class _Profile:
    """A candidate's golden record and kept source records, and the CRMs holding it now."""

    records: list[dict[str, Any]] = field(default_factory=list)
    connections: set[str] = field(default_factory=set)


def _profiles(session: Session, ids: Sequence[uuid.UUID], kind: str) -> dict[uuid.UUID, _Profile]:
    """Golden record, then each kept source record, of every active entity among `ids`, and
    the connections with an active link to it; a contact's customer reference resolved to the
    active customer entity (for all candidates at once: a few statements however many
    candidates and sources)."""
    found: dict[uuid.UUID, _Profile] = defaultdict(_Profile)
    if not ids:
        return found
    golden = sa.select(
        Entity.id,
        Entity.data,
        sa.null().label("connection"),
        sa.null().label("status"),
        sa.literal_column("0").label("part"),
    ).where(Entity.id.in_(ids), Entity.status == "active")
    kept = (
        sa.select(
            Link.entity_id,
            SourceRecord.mapped,
            Link.connection,
            Link.status,
            sa.literal_column("1"),
        )
        .outerjoin(
            SourceRecord,
            sa.and_(
                SourceRecord.connection == Link.connection,
                SourceRecord.kind == Link.kind,
                SourceRecord.remote_id == Link.remote_id,
            ),
        )
        .join(Entity, Entity.id == Link.entity_id)
        .where(Link.entity_id.in_(ids), Entity.status == "active")
    )
    # one round trip for both (matching runs once per new record: statements count)
    rows = session.execute(sa.union_all(golden, kept)).all()
    for entity_id, _, connection, status, _ in rows:
        if status == "active":  # a deleted link is a tombstone: that CRM holds it no more
            found[entity_id].connections.add(connection)
    # golden records first, as read; a link without a kept record only says who holds it
    ordered = sorted((row for row in rows if row[1] is not None), key=lambda row: row[4])
    records = [(row[1], row[2]) for row in ordered]
    if kind == "contact":  # a CRM's contact names its customer by that CRM's id
        resolved = resolve_customers(session, records)
    else:
        resolved = [dict(record) for record, _ in records]
    for row, record in zip(ordered, resolved, strict=True):
        found[row[0]].records.append(record)
    return found


def resolve_customer(
    session: Session, record: Mapping[str, Any], connection: str | None
) -> dict[str, Any]:
    """A contact with its customer reference resolved to the active customer entity id."""
    return resolve_customers(session, [(record, connection)])[0]


def _customer_ref(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    ref = record.get("customer")
    return ref if isinstance(ref, Mapping) else None


def resolve_customers(
    session: Session, records: Sequence[tuple[Mapping[str, Any], str | None]]
) -> list[dict[str, Any]]:
    """Each (contact, the connection whose ids its references use, or None) with its customer
    reference resolved to the active customer entity id: by the reference's entity id, else
    by the connection's link of its remote id; unresolved references stay as they are. Two
    statements for any number of records (links, then the merges followed)."""
    by_remote: dict[str, set[str]] = defaultdict(set)
    for record, connection in records:
        ref = _customer_ref(record)
        if ref is not None and ref.get("entity_id") is None and ref.get("remote_id") and connection:
            by_remote[connection].add(str(ref["remote_id"]))
    linked: dict[tuple[str, str], uuid.UUID] = {}
    if by_remote:
        rows = session.execute(
            sa.select(Link.connection, Link.remote_id, Link.entity_id)
            .where(
                Link.kind == "customer",
                sa.or_(
                    *(
                        sa.and_(Link.connection == c, Link.remote_id.in_(sorted(remote_ids)))
                        for c, remote_ids in sorted(by_remote.items())
                    )
                ),
            )
            .order_by(Link.id)
        ).all()
        for connection, remote_id, link_entity in rows:
            linked.setdefault((connection, remote_id), link_entity)
    wanted: list[uuid.UUID | None] = []
    for record, connection in records:
        ref = _customer_ref(record)
        named: Any = ref.get("entity_id") if ref is not None else None
        if ref is not None and named is None and ref.get("remote_id") and connection:
            named = linked.get((connection, str(ref["remote_id"])))
        wanted.append(uuid.UUID(str(named)) if named is not None else None)
    active = active_ids(session, sorted({w for w in wanted if w is not None}, key=str))
    resolved = []
    for (record, _), customer in zip(records, wanted, strict=True):
        ref = _customer_ref(record)
        if ref is None or customer is None:
            resolved.append(dict(record))
            continue
        now = active.get(customer, customer)
        resolved.append({**record, "customer": {**ref, "entity_id": str(now)}})
    return resolved


def score_candidates(
    session: Session,
    matcher: Matcher,
    record: Prepared,
    ids: Sequence[uuid.UUID],
    *,
    held_in: Collection[str] = (),
) -> list[CandidateScore]:
    """Each candidate's best score over its golden record and kept sources, best first; a
    conflict (veto) with any of them stands for the candidate. `held_in`: the CRMs holding
    the record (a new record's own CRM; an existing entity's linked CRMs): a candidate already
    holding another record of one of them is vetoed (`same_crm`) unless a comparison of
    `same_crm_needs` agrees with one of its records."""
    scored: list[CandidateScore] = []
    for entity_id, profile in _profiles(session, ids, matcher.kind).items():
        best: CandidateScore | None = None
        vetoes: dict[str, None] = {}
        identified = False
        for values in profile.records:
            other = matcher.prepare(values, keys=False)
            gamma = matcher.gamma(record, other)
            vetoes.update(dict.fromkeys(matcher.vetoes(gamma)))
            identified = identified or matcher.identifies(gamma)
            score = matcher.score(gamma)
            if best is None or score > best.score:
                best = CandidateScore(entity_id, score, matcher.evidence(gamma, record, other))
        if best is None:
            continue
        held_there = not profile.connections.isdisjoint(held_in)
        if held_there and matcher.identifying and not identified:
            vetoes[SAME_CRM] = None
        scored.append(replace(best, vetoes=tuple(vetoes)))
    scored.sort(key=lambda c: -c.score)
    return scored
