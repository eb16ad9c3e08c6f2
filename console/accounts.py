"""Operator accounts: add, list, check a password (argon2id via argon2-cffi).

The hasher is passed in (tests use cheap parameters); `PasswordHasher()` gives the library's
current recommended parameters, and a stored hash made with older ones is upgraded on login.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from core.audit import ActorKind, record_audit
from core.store import Operator, OperatorSession
from core.store.base import utcnow

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AccountError",
    "LoginThrottle",
    "OperatorAccount",
    "add_operator",
    "authenticate",
    "list_operators",
    "set_operator_active",
]

MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 100
# argon2 hashes whatever it is given; an unbounded password would be a cheap way to burn CPU
MAX_PASSWORD_LENGTH = 1024


class AccountError(ValueError):
    """An account cannot be created as asked (name taken, password too short...)."""


@dataclass(frozen=True, slots=True)
class OperatorAccount:
    id: int
    name: str
    active: bool


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise AccountError("an operator needs a name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise AccountError(f"operator names are at most {MAX_NAME_LENGTH} characters")
    if any(ch.isspace() and ch != " " for ch in cleaned) or not cleaned.isprintable():
        raise AccountError("an operator name cannot hold tabs, line breaks or control characters")
    return cleaned


def add_operator(
    session: Session, name: str, password: str, *, hasher: PasswordHasher, actor: str
) -> OperatorAccount:
    """Create an active operator; the password is stored only as an argon2id hash."""
    name = _check_name(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    if session.scalar(sa.select(Operator.id).where(Operator.name == name)) is not None:
        raise AccountError(f"there is already an operator named {name!r}")
    row = Operator(name=name, password_hash=hasher.hash(password), active=True)
    session.add(row)
    session.flush()
    record_audit(
        session,
        actor_kind=ActorKind.SYSTEM,
        actor=actor,
        action="operator.added",
        after={"operator": name},
    )
    return OperatorAccount(row.id, row.name, row.active)


def list_operators(session: Session) -> Sequence[Operator]:
    return session.scalars(sa.select(Operator).order_by(Operator.name)).all()


def authenticate(
    session: Session, name: str, password: str, *, hasher: PasswordHasher
) -> OperatorAccount | None:
    """The active operator with this name and password, or None (never says which was wrong)."""
    row = session.scalar(sa.select(Operator).where(Operator.name == name.strip()))
    if row is None or not row.active or len(password) > MAX_PASSWORD_LENGTH:
        _burn(hasher, password[:MAX_PASSWORD_LENGTH])
        return None
    try:
        hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(row.password_hash):
        row.password_hash = hasher.hash(password)
    row.last_login_at = utcnow()
    return OperatorAccount(row.id, row.name, row.active)


def _burn(hasher: PasswordHasher, password: str) -> None:
    # as slow as a real check, so the time taken does not tell which names exist
    hasher.hash(password)


def set_operator_active(session: Session, name: str, active: bool, *, actor: str, why: str) -> None:
    """Let an operator sign in again, or stop them: a deactivated operator's open sessions end
    at once (their next click lands on the login page); both audited with who and why."""
    row = session.scalar(sa.select(Operator).where(Operator.name == name.strip()))
    if row is None:
        raise AccountError(f"there is no operator named {name!r}")
    if row.active == active:
        raise AccountError(f"operator {row.name!r} is already {'active' if active else 'inactive'}")
    row.active = active
    if not active:
        session.execute(sa.delete(OperatorSession).where(OperatorSession.operator_id == row.id))
    record_audit(
        session,
        actor_kind=ActorKind.SYSTEM,
        actor=actor,
        action="operator.activated" if active else "operator.deactivated",
        after={"operator": row.name},
        reason=why,
    )


@dataclass
class LoginThrottle:
    """Failed sign-ins per name and per client address in a sliding window: past the limit,
    further attempts are refused without checking the password until the window moves on, so
    guessing a password costs hours, not seconds. Kept in the console process (one console
    serves one team); a restart forgets it."""

    limit: int = 5
    window_s: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _keys(self, name: str, address: str) -> tuple[str, str]:
        return f"name:{name.strip().casefold()}", f"addr:{address}"

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self._failures.setdefault(key, deque())
        while seen and seen[0] <= now - self.window_s:
            seen.popleft()
        return seen

    def retry_after(self, name: str, address: str) -> float:
        """Seconds until an attempt is allowed again (0: allowed now)."""
        now = self.clock()
        with self._lock:
            waits = [
                seen[0] + self.window_s - now
                for key in self._keys(name, address)
                if len(seen := self._recent(key, now)) >= self.limit
            ]
        return max(waits, default=0.0)

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(name, address):
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget idle keys rather than grow without end
                for key in [k for k, v in self._failures.items() if not self._recent(k, now)]:
                    del self._failures[key]

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(name, address)[0], None)
