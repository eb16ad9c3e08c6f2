"""Tables of matching: reversible entity merges and the pairs operators said to keep apart."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base, BigId, JsonType, UtcDateTime, utcnow

__all__ = ["EntityMerge", "KeepApart"]


class EntityMerge(Base):
    """One entity MERGED_INTO another, with what both were before, so unmerge is exact."""

    __tablename__ = "entity_merges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    survivor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id"))
    merged_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id"))
    # {survivor: {data, version, keys}, merged: {data, version, status, keys}, links: [ids]}
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # the survivor's version right after the merge: unchanged since means exact restore
    survivor_version: Mapped[int]
    # auto_merge | operator_merge
    decision: Mapped[str] = mapped_column(sa.String(20))
    score: Mapped[float | None]
    evidence: Mapped[Any] = mapped_column(JsonType, default=list)
    actor: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    undone_by: Mapped[str | None] = mapped_column(sa.String(100))

    __table_args__ = (
        sa.Index("ix_entity_merges_merged_id", "merged_id", "undone_at"),
        sa.Index("ix_entity_merges_survivor_id", "survivor_id"),
    )


class KeepApart(Base):
    """Two entities an operator decided are different: never proposed as a match again."""

    __tablename__ = "keep_apart"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    # the pair in a fixed order (entity_a < entity_b) so it is stored once
    entity_a: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id"))
    entity_b: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id"))
    actor: Mapped[str] = mapped_column(sa.String(100))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("entity_a", "entity_b"),
        sa.Index("ix_keep_apart_entity_b", "entity_b"),
    )
