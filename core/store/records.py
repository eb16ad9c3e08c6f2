"""Tables of what crmhub knows about records: golden entities, source records, links, snapshots."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base, BigId, JsonType, UtcDateTime, new_id, utcnow

__all__ = [
    "BaseSnapshot",
    "BlockingKey",
    "Cursor",
    "Entity",
    "Link",
    "Quarantined",
    "SourceRecord",
]

Kind = sa.String(20)
Connection = sa.String(100)
RemoteId = sa.String(100)


UNPLANNED = "planned_version IS NULL OR planned_version != version"


class Entity(Base):
    """A canonical customer, contact or opportunity: the golden record. Its id never changes."""

    __tablename__ = "entities"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(Kind)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # active | merged (see merged_into) | deleted
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    merged_into: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("entities.id"))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("owners.id"))
    version: Mapped[int] = mapped_column(default=1)
    # the version the sync planner last planned writes for; NULL or behind `version` means the
    # entity needs planning (every writer of a golden record bumps `version`, so nobody has to
    # tell the planner; the sync sets NULL when a link or base snapshot changed instead)
    planned_version: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.Index("ix_entities_kind_status", "kind", "status"),
        sa.Index("ix_entities_owner_id", "owner_id"),
        # what the planner looks for every cycle (see migration 0007)
        sa.Index(
            "ix_entities_unplanned",
            "kind",
            sqlite_where=sa.text(UNPLANNED),
            postgresql_where=sa.text(UNPLANNED),
        ),
    )


class BlockingKey(Base):
    """A normalised match key of an entity; candidate search is an index lookup on these."""

    __tablename__ = "blocking_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(Kind)
    key_type: Mapped[str] = mapped_column(sa.String(30))
    key_value: Mapped[str] = mapped_column(sa.String(255))

    __table_args__ = (
        sa.Index("ix_blocking_keys_lookup", "kind", "key_type", "key_value"),
        sa.Index("ix_blocking_keys_entity_id", "entity_id"),
    )


class SourceRecord(Base):
    """The latest version of a record as one CRM holds it: raw payload and its canonical mapping."""

    __tablename__ = "source_records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    connection: Mapped[str] = mapped_column(Connection)
    kind: Mapped[str] = mapped_column(Kind)
    remote_id: Mapped[str] = mapped_column(RemoteId)
    remote_modified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    raw: Mapped[dict[str, Any]] = mapped_column(JsonType)
    mapped: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # ok | quarantined | deleted
    status: Mapped[str] = mapped_column(sa.String(20), default="ok")
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("connection", "kind", "remote_id"),)


class Quarantined(Base):
    """A remote record that could not be mapped, with field and reason; the batch went on."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    connection: Mapped[str] = mapped_column(Connection)
    kind: Mapped[str] = mapped_column(Kind)
    remote_id: Mapped[str | None] = mapped_column(RemoteId)
    field: Mapped[str | None] = mapped_column(sa.String(200))
    value: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    raw: Mapped[Any] = mapped_column(JsonType)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("runs.id"))
    # open | released | discarded
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_quarantine_lookup", "connection", "kind", "status"),)


class Link(Base):
    """The crosswalk: (connection, kind, remote id) -> the one entity it belongs to."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entities.id"))
    connection: Mapped[str] = mapped_column(Connection)
    kind: Mapped[str] = mapped_column(Kind)
    remote_id: Mapped[str] = mapped_column(RemoteId)
    # active | deleted (the remote record is gone: kept as a tombstone, so the planner neither
    # writes to it nor creates the entity there again)
    status: Mapped[str] = mapped_column(
        sa.String(20), default="active", server_default=sa.text("'active'")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("connection", "kind", "remote_id"),
        sa.Index("ix_links_entity_id", "entity_id"),
    )


class BaseSnapshot(Base):
    """Values last synced with one CRM for one link: the base of the three-way merge."""

    __tablename__ = "base_snapshots"

    link_id: Mapped[int] = mapped_column(
        sa.ForeignKey("links.id", ondelete="CASCADE"), primary_key=True
    )
    values: Mapped[dict[str, Any]] = mapped_column(JsonType)
    remote_modified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # hash of the values crmhub last wrote there: a pull that matches it is our own echo
    write_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Cursor(Base):
    """Incremental checkpoint per connection, entity kind and stream (changes or deletions)."""

    __tablename__ = "cursors"

    connection: Mapped[str] = mapped_column(Connection, primary_key=True)
    kind: Mapped[str] = mapped_column(Kind, primary_key=True)
    stream: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JsonType)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
