"""Tables assignment keeps beside the owner directory: where each team's rotation stands."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base, JsonType, UtcDateTime, utcnow

__all__ = ["AssignmentTurn"]


class AssignmentTurn(Base):
    """The rotation state of one team (round robin, weighted), shared by every worker.

    Workers lock this row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises writers)
    before they pick an owner from the team, so the rotation stays fair across restarts and
    across several workers at once.
    """

    __tablename__ = "assignment_turns"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    # the owner who got the last customer (round robin continues after them)
    last_owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # customers given to each owner by this rotation, owner id -> count (weighted shares)
    counts: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)
    turns: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
