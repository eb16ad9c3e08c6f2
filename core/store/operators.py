"""Tables of the operator console: operator accounts and their login sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base, BigId, UtcDateTime, utcnow

__all__ = ["Operator", "OperatorSession"]


class Operator(Base):
    """A person who decides in the console; decisions are audited under `name`."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    # an argon2id hash (parameters and salt inside); the password itself is never stored
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OperatorSession(Base):
    """One signed-in browser. Only a hash of its cookie token is kept, so a copy of the
    database cannot be used to sign in; deleting the row signs the browser out."""

    __tablename__ = "operator_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("operators.id", ondelete="CASCADE"))
    # the synchronizer token every form of this session must carry
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (sa.Index("ix_operator_sessions_operator_id", "operator_id"),)
