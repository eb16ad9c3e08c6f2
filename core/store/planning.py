"""What the sync planner remembers between cycles: the entities it looked at and could not plan
yet, and what each one waits for (`core.sync.waits`)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base, BigId, UtcDateTime, utcnow

__all__ = ["PlanWait"]


class PlanWait(Base):
    """One reason an entity waits in one connection (a pull that did not complete, a reference
    not in that CRM yet, an open match review, a held create). The entity counts as planned
    meanwhile; the planner takes it up again when the reason is gone."""

    __tablename__ = "plan_waits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id", ondelete="CASCADE"))
    connection: Mapped[str] = mapped_column(sa.String(100))
    # pass | reference | review | held (core.sync.waits.WaitReason)
    reason: Mapped[str] = mapped_column(sa.String(20))
    # the entity the reason is about (the referenced customer, the one under review, the
    # candidate a held create resembles) and its version when the wait began
    subject_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    subject_version: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_plan_waits_entity_id", "entity_id"),
        sa.Index("ix_plan_waits_reason", "reason", "subject_id"),
    )
