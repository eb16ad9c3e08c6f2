"""Before a create in CRM X: does X already hold this customer or contact under another entity?

Matching keeps two records apart when their evidence is weak (an English and a Chinese name
and no shared phone; a contact known there only by family name), and that is right for a
merge. But creating each in the other CRM makes a duplicate there that people work with, and a
duplicate costs more than a question. So before the planner creates a customer or contact in
X, the guard looks for an entity already linked to X that shares a strong key with it: any
blocking key of the kind's matching config except bare names (customers: e-mail, E.164 phone,
domain, company key, trade name, credit code; contacts: e-mail, phone, same customer and
family name). It reads the store's blocking keys joined to X's links in one indexed statement
per create; no API call. A candidate the records contradict is no hit: a matching veto
(another credit code, another city), another industry, another person's name, two trades
in one script behind a shared brand or domain (a group's companies); nor a pair an operator
kept apart, nor one a CRM already holds as two records side by side. Of the candidates
sharing most keys (and all tied with them at the cut) the best-scoring hit is held against.
First of all, though: an entity an open match review names beside one linked to X is held
whatever the keys and vetoes say (a grey-zone match vetoed on place is undecided, not
different).

On a hit the create is held (`Plan.held`, `Plan.waiting`) and, when the plan is committed,
`hold_creates` opens a match review naming both entities with the evidence (audited). The
operator merges (the entity joins the one X holds: nothing is created) or keeps them apart
(the next plan creates it). A pair already in an open match review is held without a second.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.config.matching import MatchingConfig
from core.matching import Matcher
from core.matching.features import person_name
from core.matching.model import Gamma
from core.merging.keep_apart import kept_apart_from
from core.reviews import (
    ReviewKind,
    ReviewStatus,
    match_review_names,
    match_review_open_between,
    open_review,
)
from core.store import BlockingKey, Entity, Link, ReviewItem
from core.sync.links import LinkStatus, active_entity
from mapping.transforms import contains_cjk

__all__ = ["CreateGuard", "HeldCreate", "hold_creates"]

GUARDED_KINDS = ("customer", "contact")
# keys that say too little alone: a common name is no reason to hold a create
WEAK_KEYS = frozenset({"person_name", "family_name"})
# comparisons whose plain disagreement means two different things (beside matching's vetoes)
CONTRADICTING = {"customer": frozenset({"industry"}), "contact": frozenset({"person_name"})}
ROWS = 200  # key rows read per create (a key shared by a whole group is cut here)
CANDIDATES = 5  # candidates checked per create, those sharing most keys first
TIED = 20  # ... and those sharing as many keys as the last of them, up to this many in all
# keys a group's companies share (one brand, one domain, info@ that domain)
GROUP_KEYS = frozenset({"brand", "domain", "email"})


@dataclass(frozen=True)
class HeldCreate:
    """A create into `connection` held because `candidate_id` (record `remote_id` there) is
    probably the same customer or contact."""

    connection: str
    kind: str
    entity_id: uuid.UUID
    candidate_id: uuid.UUID
    remote_id: str
    score: float
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        return {
            "connection": self.connection,
            "kind": self.kind,
            "entity_id": str(self.entity_id),
            "candidate_id": str(self.candidate_id),
            "remote_id": self.remote_id,
            "score": self.score,
        }


class CreateGuard:
    """Checks the creates of one planning pass (see the module docstring)."""

    def __init__(self, session: Session, matching: MatchingConfig) -> None:
        self.session = session
        self.matchers = {kind: Matcher(kind, matching.for_kind(kind)) for kind in GUARDED_KINDS}
        self._customers: dict[str, str] = {}  # customer entity id -> the active one it is now
        self._reviews: dict[uuid.UUID, set[uuid.UUID]] | None = None  # see _open_reviews
        # built once: building the statement costs more than running it
        self._lookup = (
            sa.select(
                BlockingKey.entity_id, BlockingKey.key_type, BlockingKey.key_value, Link.remote_id
            )
            .join(Link, Link.entity_id == BlockingKey.entity_id)
            .where(
                BlockingKey.kind == sa.bindparam("kind"),
                BlockingKey.key_type.in_(sa.bindparam("types", expanding=True)),
                BlockingKey.key_value.in_(sa.bindparam("values", expanding=True)),
                BlockingKey.entity_id != sa.bindparam("me", type_=BlockingKey.entity_id.type),
                Link.connection == sa.bindparam("connection"),
                Link.kind == sa.bindparam("kind"),
                Link.status == LinkStatus.ACTIVE.value,
            )
            .limit(ROWS)
        )

    def check(self, entity: Entity, connection: str) -> HeldCreate | None:
        """The likely existing record in `connection` of `entity`, or None (create away)."""
        matcher = self.matchers.get(entity.kind)
        if matcher is None:
            return None
        reviewed = self._reviewed_with(entity, connection)
        if reviewed is not None:
            return reviewed
        data = self._resolved(entity.kind, entity.data)
        keys = {key for key in matcher.keys(data) if key[0] not in WEAK_KEYS}
        shared = self._shared(entity, connection, keys)
        if not shared:
            return None
        apart = kept_apart_from(self.session, entity.id, shared) | self._side_by_side(
            entity.id, shared
        )
        ids = _most_shared([c for c in shared if c not in apart], shared)
        others = {
            e.id: e
            for e in self.session.scalars(
                sa.select(Entity).where(Entity.id.in_(ids), Entity.status == "active")
            )
        }
        best: HeldCreate | None = None
        for candidate_id in ids:
            other = others.get(candidate_id)
            if other is None:
                continue
            theirs = self._resolved(entity.kind, other.data)
            found = _judge(matcher, data, theirs, shared[candidate_id])
            if found is not None and (best is None or found[0] > best.score):
                score, evidence = found
                remote_id = shared[candidate_id][0][2]
                best = HeldCreate(connection, entity.kind, entity.id, candidate_id, remote_id,
                                  score, evidence)  # fmt: skip
        return best

    def _reviewed_with(self, entity: Entity, connection: str) -> HeldCreate | None:
        """An entity linked to `connection` that an open match review names beside `entity`
        (as the record or a candidate): the operator has not said yet whether they are one, so
        creating it there now could make the duplicate the review is about. The keys and
        vetoes below do not decide this: a grey-zone match vetoed on place is still open."""
        counterparts = self._open_reviews().get(entity.id)
        if not counterparts:
            return None
        row = self.session.execute(
            sa.select(Link.entity_id, Link.remote_id)
            .where(
                Link.entity_id.in_(sorted(counterparts, key=str)),
                Link.connection == connection,
                Link.kind == entity.kind,
                Link.status == LinkStatus.ACTIVE.value,
            )
            .order_by(Link.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        candidate_id, remote_id = row
        evidence = [
            {
                "comparison": "create_guard",
                "level": "open_match_review",
                "weight": 0.0,
                "detail": f"an open match review names both (record {remote_id} there)",
            }
        ]
        return HeldCreate(connection, entity.kind, entity.id, candidate_id, remote_id, 0.0,
                          evidence)  # fmt: skip

    def _open_reviews(self) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Entity -> the entities an open match review names beside it; read once a pass, on
        the first create checked (a few hundred open reviews at 10k customers)."""
        if self._reviews is None:
            self._reviews = {}
            rows = self.session.execute(
                sa.select(ReviewItem.entity_id, ReviewItem.payload).where(
                    ReviewItem.kind == ReviewKind.MATCH.value,
                    ReviewItem.status == ReviewStatus.OPEN.value,
                )
            )
            for entity_id, payload in rows:
                named = {entity_id} | {uuid.UUID(e) for e in match_review_names(payload)}
                for one in named:
                    self._reviews.setdefault(one, set()).update(named - {one})
        return self._reviews

    def _resolved(self, kind: str, data: Mapping[str, Any]) -> Mapping[str, Any]:
        """A contact with its customer as the active entity it is now (merges followed)."""
        ref = data.get("customer") if kind == "contact" else None
        if not isinstance(ref, Mapping) or not ref.get("entity_id"):
            return data
        key = str(ref["entity_id"])
        if key not in self._customers:
            self._customers[key] = str(active_entity(self.session, uuid.UUID(key)))
        return {**data, "customer": {**ref, "entity_id": self._customers[key]}}

    def _side_by_side(self, entity_id: uuid.UUID, others: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Candidates held as a separate record in a CRM that also holds the entity: that CRM
        keeps them apart already, and mirroring it makes no new duplicate."""
        rows = self.session.execute(
            sa.select(Link.entity_id, Link.connection).where(
                Link.entity_id.in_([entity_id, *others]),
                Link.status == LinkStatus.ACTIVE.value,
            )
        ).all()
        mine = {connection for owner, connection in rows if owner == entity_id}
        return {owner for owner, connection in rows if owner != entity_id and connection in mine}

    def _shared(
        self, entity: Entity, connection: str, keys: set[tuple[str, str]]
    ) -> dict[uuid.UUID, list[tuple[str, str, str]]]:
        """Entities linked to `connection` sharing any of `keys`: id -> [(type, value, remote)].
        One statement: the key index (IN on type and value), then each hit's links."""
        if not keys:
            return {}
        params = {
            "kind": entity.kind,
            "types": sorted({t for t, _ in keys}),
            "values": sorted({v for _, v in keys}),
            "me": entity.id,
            "connection": connection,
        }
        rows = self.session.execute(self._lookup, params).all()
        shared: dict[uuid.UUID, list[tuple[str, str, str]]] = {}
        for entity_id, key_type, key_value, remote_id in rows:
            if (key_type, key_value) in keys:  # IN on both columns also pairs them crosswise
                shared.setdefault(entity_id, []).append((key_type, key_value, remote_id))
        return shared


def _most_shared(
    candidates: list[uuid.UUID], shared: Mapping[uuid.UUID, list[tuple[str, str, str]]]
) -> list[uuid.UUID]:
    """The `CANDIDATES` sharing most keys, and those tied with the last of them (up to `TIED`):
    which of several tied at the cut comes first is row order, which says nothing (a brand
    that a whole group carries ties every company of it)."""
    ranked = sorted(candidates, key=lambda c: -len(shared[c]))  # stable: ties in row order
    if len(ranked) <= CANDIDATES:
        return ranked
    cut = len(shared[ranked[CANDIDATES - 1]])
    tied = [c for c in ranked[CANDIDATES:TIED] if len(shared[c]) == cut]
    return ranked[:CANDIDATES] + tied


def _judge(
    matcher: Matcher,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    keys: Iterable[tuple[str, str, str]],
) -> tuple[float, list[dict[str, Any]]] | None:
    """(score, evidence) when nothing in the two records contradicts the shared keys."""
    a, b = matcher.prepare(mine, keys=False), matcher.prepare(theirs, keys=False)
    gamma = matcher.gamma(a, b)
    if matcher.vetoes(gamma):
        return None
    contradicting = CONTRADICTING.get(matcher.kind, frozenset())
    for comparison, level in zip(matcher.comparisons, gamma, strict=True):
        if comparison.label in contradicting and level == len(comparison.levels) - 1:
            return None
    types = {key_type for key_type, _, _ in keys}
    if types == {"customer_family"} and not _same_person_possible(mine, theirs):
        return None
    if types <= GROUP_KEYS and _two_trades(matcher, gamma, mine, theirs):
        return None
    evidence = [
        {
            "comparison": "create_guard",
            "level": f"same_{key_type}",
            "weight": 0.0,
            "detail": f"{key_value} (record {remote_id} there)",
        }
        for key_type, key_value, remote_id in keys
    ]
    return matcher.score(gamma), evidence + matcher.evidence(gamma, a, b)


def _two_trades(
    matcher: Matcher, gamma: Gamma, mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> bool:
    """Two names in one script with different company keys (创智物流 / 创智生物科技): a group's
    companies, which share brand, domain and info@ mail. Across scripts (达丰软件 / Dafeng
    Software) the trade words cannot be compared, so that is no contradiction."""
    names = [str(r.get("name") or "") for r in (mine, theirs)]
    if not all(names) or contains_cjk(names[0]) != contains_cjk(names[1]):
        return False
    for comparison, level in zip(matcher.comparisons, gamma, strict=True):
        if comparison.type_name == "company_name":
            return level is not None and level > 0
    return False


def _same_person_possible(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> bool:
    """Same customer and family name: one person unless both give different given names."""
    a, b = person_name(mine), person_name(theirs)
    if a is None or b is None:
        return False
    return bool(a.forms & b.forms) or not a.given or not b.given


def hold_creates(session: Session, held: Iterable[HeldCreate], *, run_id: int | None = None) -> int:
    """Open a match review for each held pair not already under review (audited); returns how
    many were opened. The creates stay held while the review is open."""
    opened = 0
    seen: set[frozenset[uuid.UUID]] = set()
    for item in held:
        pair = frozenset({item.entity_id, item.candidate_id})
        if pair in seen or match_review_open_between(session, item.entity_id, item.candidate_id):
            continue
        seen.add(pair)
        entity = session.get(Entity, item.entity_id)
        if entity is None:
            continue
        name = entity.data.get("name") or entity.data.get("full_name") or entity.id
        summary = (
            f"{item.kind} {name}: not created in {item.connection}, which probably holds it "
            f"already as record {item.remote_id} ({item.candidate_id}, score {item.score:.2f})"
        )
        review = open_review(
            session,
            ReviewKind.MATCH,
            summary,
            {
                "connection": item.connection,
                "remote_id": item.remote_id,
                "entity_id": str(item.entity_id),
                "record": entity.data,
                "held_create": item.to_data(),
                "candidates": [
                    {
                        "entity_id": str(item.candidate_id),
                        "score": item.score,
                        "evidence": item.evidence,
                    }
                ],
            },
            entity_id=item.entity_id,
            entity_kind=item.kind,
        )
        record_audit(
            session,
            actor_kind=ActorKind.SYNC,
            actor="sync",
            action="create.held",
            entity_id=item.entity_id,
            entity_kind=item.kind,
            after={**item.to_data(), "review": review.id},
            source=item.connection,
            reason=f"{item.connection} probably holds it already: review {review.id}",
            run_id=run_id,
        )
        opened += 1
    return opened
