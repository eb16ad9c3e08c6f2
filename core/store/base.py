"""Declarative base and the column types every table shares (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

__all__ = [
    "IN_LIST",
    "Base",
    "BigId",
    "JsonType",
    "StorableJson",
    "UtcDateTime",
    "chunked",
    "new_id",
    "storable",
    "utcnow",
]

T = TypeVar("T")

# values bound to one IN list: a store-sized list would pass what one statement may bind
# (SQLite 32,766; PostgreSQL's protocol 65,535) — a 100k first sync has 400,000 entities
IN_LIST = 500


def chunked(items: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size` (one IN list each)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# What PostgreSQL's jsonb refuses in text (NUL, and lone surrogates: what undecodable bytes
# from a CRM become): kept as readable escapes so the raw payload is stored, never lost.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def storable(value: Any) -> Any:
    """`value` with every text (keys too) made storable on every backend; unchanged text is
    returned as is."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(_escape, value) if _UNSTORABLE.search(value) else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


class StorableJson(sa.TypeDecorator[Any]):
    """JSON (jsonb on PostgreSQL) that stores whatever text a CRM sent (see `storable`)."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else sa.JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return storable(value)


JsonType = StorableJson()
# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite forgets the zone otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; give it a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
