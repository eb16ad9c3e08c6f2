"""Entities the planner looked at and could not plan yet, and when to look at them again.

An entity waits in a connection for one of four things (`WaitReason`): the last pull of its
kind there to complete (a create could duplicate a record not read yet), a customer or
contact it refers to to get a record there, an open match review on it or its customer to
close, or the review its held create opened (the create guard) to close. Planning it again
before that changes nothing, and an incremental sync would pay for every waiting entity in
every cycle. So a waiting entity counts as planned (`planned_version`), its reasons are kept
(`plan_waits`), and each planning pass asks, in a few statements over the waits alone, which
reasons are over:

- pass: the kind's last pull in that connection completed;
- reference: the referenced entity has an active link there, or it changed (its version moved:
  a merge or unmerge resolves the reference to another entity), or it is merged or gone;
- review: no open match review names the subject as its entity any more;
- held: no open match review names both the entity and the candidate, or the candidate
  changed, is no longer active or has no active record there any more.

Those entities are planned again in that pass, and their waits are replaced by what the new
plan finds. The conditions are checked, not signalled, so no event can be missed; and a wait
older than `RECHECK` is taken up again whatever it is, so that whatever nobody foresaw here (a
configuration change, a concurrent merge read half-way) delays an entity by at most that long.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from core.reviews import ReviewKind, ReviewStatus, match_review_names
from core.store import Entity, Link, PlanWait, ReviewItem
from core.store.base import utcnow
from core.sync.links import LinkStatus

__all__ = ["RECHECK", "Wait", "WaitReason", "count_waits", "record_waits", "woken_entities"]

RECHECK = timedelta(hours=1)
CHUNK = 500


class WaitReason(StrEnum):
    PASS = "pass"  # noqa: S105 (a reason, not a secret)
    REFERENCE = "reference"
    REVIEW = "review"
    HELD = "held"


@dataclass(frozen=True)
class Wait:
    """Why an entity cannot be planned in `connection` yet (`subject_id`: see `PlanWait`)."""

    connection: str
    reason: WaitReason
    subject_id: uuid.UUID | None = None


def _chunks(ids: Collection[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    wanted = sorted(ids, key=str)
    for start in range(0, len(wanted), CHUNK):
        yield wanted[start : start + CHUNK]


def woken_entities(
    session: Session,
    readable: Collection[tuple[str, str]],
    *,
    now: datetime | None = None,
    recheck: timedelta = RECHECK,
) -> set[uuid.UUID]:
    """Entities with a wait that is over (see the module docstring); `readable`: the
    (connection, kind) whose last pull completed (`core.sync.cursors.complete_passes`)."""
    w, subject = PlanWait, aliased(Entity)
    horizon = (now or utcnow()) - recheck
    found = set(session.scalars(sa.select(w.entity_id).where(w.created_at < horizon)))
    for entity_id, connection, kind in session.execute(
        sa.select(w.entity_id, w.connection, Entity.kind)
        .join(Entity, Entity.id == w.entity_id)
        .where(w.reason == WaitReason.PASS.value)
    ):
        if (connection, kind) in readable:
            found.add(entity_id)
    linked = (
        sa.select(Link.id)
        .where(
            Link.entity_id == w.subject_id,
            Link.connection == w.connection,
            Link.status == LinkStatus.ACTIVE.value,
        )
        .exists()
    )
    changed = sa.or_(
        subject.id.is_(None), subject.status != "active", subject.version != w.subject_version
    )
    found.update(
        session.scalars(
            sa.select(w.entity_id)
            .outerjoin(subject, subject.id == w.subject_id)
            .where(w.reason == WaitReason.REFERENCE.value, sa.or_(changed, linked))
        )
    )
    under_review = (
        sa.select(ReviewItem.id)
        .where(
            ReviewItem.entity_id == w.subject_id,
            ReviewItem.kind == ReviewKind.MATCH.value,
            ReviewItem.status == ReviewStatus.OPEN.value,
        )
        .exists()
    )
    found.update(
        session.scalars(
            sa.select(w.entity_id).where(w.reason == WaitReason.REVIEW.value, ~under_review)
        )
    )
    held = session.execute(
        sa.select(w.entity_id, w.subject_id, sa.or_(changed, ~linked))
        .outerjoin(subject, subject.id == w.subject_id)
        .where(w.reason == WaitReason.HELD.value)
    ).all()
    pairs = {(entity_id, candidate) for entity_id, candidate, gone in held if not gone}
    found.update(entity_id for entity_id, _, gone in held if gone)
    found.update(entity_id for entity_id, candidate in pairs - _pairs_in_review(session, pairs))
    return found


def _pairs_in_review(
    session: Session, pairs: set[tuple[uuid.UUID, uuid.UUID | None]]
) -> set[tuple[uuid.UUID, uuid.UUID | None]]:
    """The (entity, candidate) pairs an open match review names both of (as its record or a
    candidate: `core.reviews.match_review_open_between`), in one query per chunk."""
    ids = {e for pair in pairs for e in pair if e is not None}
    named: dict[uuid.UUID, list[set[str]]] = {}
    for chunk in _chunks(ids):
        for entity_id, payload in session.execute(
            sa.select(ReviewItem.entity_id, ReviewItem.payload).where(
                ReviewItem.kind == ReviewKind.MATCH.value,
                ReviewItem.status == ReviewStatus.OPEN.value,
                ReviewItem.entity_id.in_(chunk),
            )
        ):
            named.setdefault(entity_id, []).append(match_review_names(payload))
    return {
        (a, b)
        for a, b in pairs
        if b is not None
        and any({str(a), str(b)} <= names for e in (a, b) for names in named.get(e, []))
    }


def record_waits(
    session: Session, looked_at: Collection[uuid.UUID], waits: Mapping[uuid.UUID, list[Wait]]
) -> None:
    """Replace the waits of the entities a plan looked at (or found woken) by `waits`, each
    with its subject's version as it is now."""
    for chunk in _chunks(looked_at):
        session.execute(
            sa.delete(PlanWait).where(PlanWait.entity_id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
    subjects = {w.subject_id for found in waits.values() for w in found if w.subject_id}
    versions: dict[uuid.UUID, int] = {}
    for chunk in _chunks(subjects):
        query = sa.select(Entity.id, Entity.version).where(Entity.id.in_(chunk))
        versions.update((r[0], r[1]) for r in session.execute(query))
    now = utcnow()
    rows = [
        {
            "entity_id": entity_id,
            "connection": wait.connection,
            "reason": wait.reason.value,
            "subject_id": wait.subject_id,
            "subject_version": versions.get(wait.subject_id) if wait.subject_id else None,
            "created_at": now,
        }
        for entity_id, found in waits.items()
        for wait in sorted(set(found), key=lambda x: (x.connection, x.reason, str(x.subject_id)))
    ]
    if rows:
        session.execute(sa.insert(PlanWait), rows)


def count_waits(session: Session) -> int:
    """Entities waiting now (what `crmhub plan` reports beside what it plans)."""
    return session.scalar(sa.select(sa.func.count(sa.distinct(PlanWait.entity_id)))) or 0
