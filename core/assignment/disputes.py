"""Ownership disputes: one customer owned by different managers in different CRMs.

A dispute is never settled silently: the configured policy chooses (source priority, earliest
owner) and says why in the decision, or an operator chooses (`manual`, a dispute review).

What counts: the owners of a customer's linked source records, resolved through the owner
directory, ignoring unknown users, unowned placeholders and inactive owners. A claim is *new*
when it differs from what that record claimed at the customer's last decision and from the
current owner, so a CRM still waiting for crmhub's write-back is not a fresh dispute.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.assignment.config import DisputeSettings
from core.assignment.directory import OwnerDirectory
from core.assignment.names import DisputePolicy

__all__ = ["Dispute", "SourceOwner", "find_dispute", "settle", "sides_data"]


@dataclass(frozen=True, slots=True)
class SourceOwner:
    """What one linked CRM record says about the customer's owner."""

    connection: str
    remote_id: str
    owner_id: uuid.UUID | None
    remote_user_id: str | None = None
    since: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.connection}:{self.remote_id}"

    def to_data(self, directory: OwnerDirectory | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "connection": self.connection,
            "remote_id": self.remote_id,
            "owner_id": str(self.owner_id) if self.owner_id else None,
            "remote_user_id": self.remote_user_id,
            "since": self.since.isoformat() if self.since else None,
        }
        if directory is not None:
            data["owner"] = directory.label(self.owner_id) if self.owner_id else None
        return data


def sides_data(sides: Sequence[SourceOwner]) -> dict[str, str | None]:
    """The claims as stored with a decision: record key -> owner id."""
    return {s.key: str(s.owner_id) if s.owner_id else None for s in sides}


@dataclass(frozen=True)
class Dispute:
    claims: tuple[SourceOwner, ...]

    def describe(self, directory: OwnerDirectory) -> str:
        return ", ".join(f"{c.connection} says {directory.label(c.owner_id)}" for c in self.claims)


def find_dispute(
    sides: Sequence[SourceOwner],
    last_sides: Mapping[str, str | None] | None,
    current: uuid.UUID | None,
    directory: OwnerDirectory,
) -> Dispute | None:
    """The dispute among `sides`, if their active owners differ and one of the claims is new."""
    claims = []
    for side in sides:
        owner = directory.get(side.owner_id)
        if owner is not None and owner.active:
            claims.append(side)
    if len({c.owner_id for c in claims}) < 2:
        return None
    last = last_sides or {}
    new = [c for c in claims if last.get(c.key) != str(c.owner_id) and c.owner_id != current]
    return Dispute(tuple(claims)) if new else None


def settle(
    dispute: Dispute, settings: DisputeSettings, directory: OwnerDirectory
) -> tuple[uuid.UUID, str] | None:
    """The owner the policy chooses and why; None when an operator must choose."""
    if settings.policy is DisputePolicy.SOURCE_PRIORITY:
        for connection in settings.sources:
            for claim in dispute.claims:
                if claim.connection == connection and claim.owner_id is not None:
                    order = " > ".join(settings.sources)
                    return claim.owner_id, f"source priority {order}: {connection} wins"
        return None
    if settings.policy is DisputePolicy.EARLIEST:
        dated = [c for c in dispute.claims if c.since is not None and c.owner_id is not None]
        if not dated:
            return None
        first = min(dated, key=lambda c: (c.since, c.connection))
        assert first.owner_id is not None
        assert first.since is not None
        when = first.since.date().isoformat()
        label = directory.label(first.owner_id)
        return first.owner_id, f"earliest owner: {label} in {first.connection} since {when}"
    return None
