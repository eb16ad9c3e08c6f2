"""Tables of decisions: owners, match decisions, the review queue, conflicts, assignments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base, BigId, JsonType, UtcDateTime, new_id, utcnow

__all__ = [
    "AssignmentDecision",
    "Conflict",
    "MatchDecision",
    "OwnerAccount",
    "OwnerRow",
    "ReviewItem",
]


class OwnerRow(Base):
    """An account manager (客户经理) in the owner directory."""

    __tablename__ = "owners"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    regions: Mapped[list[str]] = mapped_column(JsonType, default=list)
    industries: Mapped[list[str]] = mapped_column(JsonType, default=list)
    capacity: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class OwnerAccount(Base):
    """The user id an owner has in one connection (owners map across CRMs through these)."""

    __tablename__ = "owner_accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("owners.id", ondelete="CASCADE"))
    connection: Mapped[str] = mapped_column(sa.String(100))
    remote_user_id: Mapped[str] = mapped_column(sa.String(100))
    remote_name: Mapped[str | None] = mapped_column(sa.String(255))
    remote_email: Mapped[str | None] = mapped_column(sa.String(255))
    # the user is enabled in that CRM (a user disabled in any CRM makes the owner inactive)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    __table_args__ = (
        sa.UniqueConstraint("connection", "remote_user_id"),
        sa.Index("ix_owner_accounts_owner_id", "owner_id"),
    )


class MatchDecision(Base):
    """Why a source record was linked to an entity, sent to review, or made a new entity."""

    __tablename__ = "match_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    connection: Mapped[str] = mapped_column(sa.String(100))
    remote_id: Mapped[str] = mapped_column(sa.String(100))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("entities.id"))
    candidate_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("entities.id"))
    score: Mapped[float | None]
    # auto_merge | review | new | operator_merge | keep_apart | unmerge
    decision: Mapped[str] = mapped_column(sa.String(20))
    evidence: Mapped[Any] = mapped_column(JsonType, default=list)
    actor: Mapped[str] = mapped_column(sa.String(100), default="sync")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_match_decisions_source", "connection", "kind", "remote_id"),
        sa.Index("ix_match_decisions_entity_id", "entity_id"),
    )


class ReviewItem(Base):
    """One item of the operators' queue: grey-zone match, conflict, dispute, delete, dead letter."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # match | conflict | dispute | delete | dead_letter
    kind: Mapped[str] = mapped_column(sa.String(20))
    # open | resolved | dismissed
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    entity_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("entities.id"))
    entity_kind: Mapped[str | None] = mapped_column(sa.String(20))
    summary: Mapped[str] = mapped_column(sa.Text)
    payload: Mapped[Any] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(sa.String(100))
    resolution: Mapped[Any | None] = mapped_column(JsonType)

    __table_args__ = (
        sa.Index("ix_review_items_kind_status", "kind", "status"),
        # "an open match review on this entity?", asked for every entity waiting on one
        sa.Index("ix_review_items_entity_kind_status", "entity_id", "kind", "status"),
    )


class Conflict(Base):
    """A field changed on several sides to different values, waiting for a policy or an operator."""

    __tablename__ = "conflicts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id"))
    field: Mapped[str] = mapped_column(sa.String(200))
    base: Mapped[Any | None] = mapped_column(JsonType)
    # [{connection, remote_id, value, modified_at}, ...]
    sides: Mapped[Any] = mapped_column(JsonType)
    golden: Mapped[Any | None] = mapped_column(JsonType)
    policy: Mapped[str] = mapped_column(sa.String(40))
    # open | resolved
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    review_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_items.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(sa.String(100))
    resolution: Mapped[Any | None] = mapped_column(JsonType)

    __table_args__ = (
        sa.Index("ix_conflicts_status", "status"),
        sa.Index("ix_conflicts_entity_field", "entity_id", "field", "status"),
    )


class AssignmentDecision(Base):
    """Who got a customer, by which rule, on which criteria values (None owner = the pool 公海)."""

    __tablename__ = "assignment_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id"))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("owners.id"))
    previous_owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("owners.id"))
    rule_id: Mapped[str] = mapped_column(sa.String(100))
    strategy: Mapped[str] = mapped_column(sa.String(40))
    criteria: Mapped[Any] = mapped_column(JsonType, default=dict)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    actor: Mapped[str] = mapped_column(sa.String(100), default="rule")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_assignment_decisions_entity", "entity_id", "created_at"),)
