"""Login sessions kept server-side: the browser holds a random token, the store its hash.

Server-side rows (not a signed cookie) so that signing out, deactivating an operator or a
stolen-laptop report ends a session at once, and so the console needs no signing secret.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.store import Operator, OperatorSession
from core.store.base import utcnow

__all__ = ["SignedIn", "end_session", "load_session", "start_session"]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The operator behind a request, and the CSRF token their forms must carry."""

    session_id: int
    operator_id: int
    name: str
    csrf_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, operator_id: int, *, ttl: timedelta) -> str:
    """A new session for the operator; returns the token for the cookie (shown only once)."""
    now = utcnow()
    # sessions that ran out are swept here rather than by a separate job
    session.execute(sa.delete(OperatorSession).where(OperatorSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        OperatorSession(
            token_hash=_hash(token),
            operator_id=operator_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


def load_session(session: Session, token: str | None) -> SignedIn | None:
    """The signed-in operator for a cookie token, or None if unknown, expired or inactive."""
    if not token or len(token) > 200:
        return None
    row = session.execute(
        sa.select(OperatorSession, Operator.name)
        .join(Operator, Operator.id == OperatorSession.operator_id)
        .where(
            OperatorSession.token_hash == _hash(token),
            OperatorSession.expires_at > utcnow(),
            Operator.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    found, name = row
    return SignedIn(found.id, found.operator_id, name, found.csrf_token)


def end_session(session: Session, token: str | None) -> None:
    if token:
        gone = sa.delete(OperatorSession).where(OperatorSession.token_hash == _hash(token))
        session.execute(gone)
