"""Tables the workers share across processes: leases (who runs what now) and API usage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.store.base import Base, UtcDateTime, utcnow

__all__ = ["ApiUsage", "Lease"]


class Lease(Base):
    """A named lease (`sync:zoho`, `partition:3`, `relay`): one holder at a time until it expires.

    A holder renews before `expires_at`; a crashed holder's lease simply runs out, so nothing
    has to clean up after a SIGKILL."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiUsage(Base):
    """API calls a connection spent in one hour (writers and syncs add theirs): the budget's
    rolling 24-hour window is the sum of the last 24 rows, shared by every worker process."""

    __tablename__ = "api_usage"

    connection: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    calls: Mapped[int] = mapped_column(sa.BigInteger, default=0)
