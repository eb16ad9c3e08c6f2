"""Keep-apart memory: two entities an operator said are different are not proposed again."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.store import KeepApart

__all__ = ["forget_keep_apart", "kept_apart_from", "remember_keep_apart"]


def _ordered(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (a, b) if str(a) < str(b) else (b, a)


def remember_keep_apart(
    session: Session,
    kind: str,
    a: uuid.UUID,
    b: uuid.UUID,
    *,
    actor: str,
    actor_kind: ActorKind = ActorKind.OPERATOR,
    reason: str | None = None,
) -> None:
    """Remember that `a` and `b` are different (once; audited)."""
    first, second = _ordered(a, b)
    exists = session.scalar(
        sa.select(KeepApart.id).where(KeepApart.entity_a == first, KeepApart.entity_b == second)
    )
    if exists is not None:
        return
    session.add(KeepApart(kind=kind, entity_a=first, entity_b=second, actor=actor, reason=reason))
    for entity_id, other in ((a, b), (b, a)):
        record_audit(
            session,
            actor_kind=actor_kind,
            actor=actor,
            action="match.keep_apart",
            entity_id=entity_id,
            entity_kind=kind,
            after={"kept_apart_from": str(other)},
            reason=reason,
        )
    session.flush()


def forget_keep_apart(session: Session, a: uuid.UUID, b: uuid.UUID) -> bool:
    """Drop the pair (an operator merged them after all); True if it was remembered."""
    first, second = _ordered(a, b)
    result = session.execute(
        sa.delete(KeepApart).where(KeepApart.entity_a == first, KeepApart.entity_b == second)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def kept_apart_from(
    session: Session, entity_id: uuid.UUID, others: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of `others` were kept apart from `entity_id`."""
    wanted = set(others)
    if not wanted:
        return set()
    rows = session.execute(
        sa.select(KeepApart.entity_a, KeepApart.entity_b).where(
            sa.or_(
                sa.and_(KeepApart.entity_a == entity_id, KeepApart.entity_b.in_(wanted)),
                sa.and_(KeepApart.entity_b == entity_id, KeepApart.entity_a.in_(wanted)),
            )
        )
    ).all()
    return {b if a == entity_id else a for a, b in rows}
