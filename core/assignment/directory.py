"""The owner directory as the engine reads it: account managers, their ids in each CRM.

A snapshot (`OwnerDirectory.load`) answers both questions the sync engine asks for every record:
which canonical owner a CRM's user id means (`resolve`), and which user id an owner has in a
target CRM (`remote_ref`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.assignment.config import OwnerSettings
from core.store import OwnerAccount, OwnerRow
from mapping.model import OwnerRef
from mapping.transforms import TransformError, normalize_email

__all__ = ["OwnerDirectory", "OwnerInfo", "email_key", "settings_id"]


def email_key(raw: str | None) -> str | None:
    """The e-mail owners are matched by across CRMs (normalised), None if absent or invalid."""
    if not raw:
        return None
    try:
        return normalize_email(raw)
    except TransformError:
        return None


def settings_id(email: str) -> uuid.UUID:
    """A stable id for an owner known only from config (simulations before they are stored)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{email}")


@dataclass(frozen=True)
class OwnerInfo:
    id: uuid.UUID
    name: str
    email: str | None
    active: bool = True
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    capacity: Mapping[str, int] = field(default_factory=dict)
    # connection -> the owner's user id there
    accounts: Mapping[str, str] = field(default_factory=dict)
    # no CRM has this owner's user disabled
    accounts_active: bool = True

    @cached_property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name

    @cached_property
    def industry_keys(self) -> frozenset[str]:
        """Industries compared case-blind (expertise)."""
        return frozenset(i.casefold() for i in self.industries)

    @cached_property
    def region_keys(self) -> frozenset[str]:
        return frozenset(self.regions)

    def with_settings(self, settings: OwnerSettings) -> OwnerInfo:
        return replace(
            self,
            name=settings.name or self.name,
            regions=tuple(settings.regions),
            industries=tuple(settings.industries),
            capacity={tier.value: n for tier, n in settings.capacity.items()},
        )


class OwnerDirectory:
    """Owners by id, by e-mail and by (connection, user id)."""

    def __init__(self, owners: Iterable[OwnerInfo]) -> None:
        self.owners = {o.id: o for o in owners}
        self._by_email = {o.email: o for o in self.owners.values() if o.email}
        self._by_account = {
            (connection, remote): o.id
            for o in self.owners.values()
            for connection, remote in o.accounts.items()
        }

    @classmethod
    def load(cls, session: Session) -> OwnerDirectory:
        accounts: dict[uuid.UUID, dict[str, str]] = {}
        disabled: set[uuid.UUID] = set()
        for owner_id, connection, remote, active in session.execute(
            sa.select(
                OwnerAccount.owner_id,
                OwnerAccount.connection,
                OwnerAccount.remote_user_id,
                OwnerAccount.active,
            )
        ):
            accounts.setdefault(owner_id, {})[connection] = remote
            if not active:
                disabled.add(owner_id)
        rows = session.scalars(sa.select(OwnerRow).order_by(OwnerRow.email, OwnerRow.id))
        return cls(
            OwnerInfo(
                id=row.id,
                name=row.name,
                email=row.email,
                active=row.active,
                regions=tuple(row.regions or ()),
                industries=tuple(row.industries or ()),
                capacity=dict(row.capacity or {}),
                accounts=accounts.get(row.id, {}),
                accounts_active=row.id not in disabled,
            )
            for row in rows
        )

    def get(self, owner_id: uuid.UUID | None) -> OwnerInfo | None:
        return None if owner_id is None else self.owners.get(owner_id)

    def by_email(self, email: str | None) -> OwnerInfo | None:
        key = email_key(email)
        return None if key is None else self._by_email.get(key)

    def label(self, owner_id: uuid.UUID | None) -> str:
        if owner_id is None:
            return "the pool (公海)"
        owner = self.owners.get(owner_id)
        return owner.label if owner else f"unknown owner {owner_id}"

    def resolve(
        self, connection: str, ref: OwnerRef | Mapping[str, Any] | None
    ) -> uuid.UUID | None:
        """The canonical owner a record's owner reference in `connection` means, if known.

        A canonical owner id wins; then the CRM user id through owner_accounts; then the e-mail
        the CRM gave with it (Zoho's Owner carries one).
        """
        if ref is None:
            return None
        data = ref.model_dump() if isinstance(ref, OwnerRef) else ref
        owner_id = data.get("owner_id")
        if owner_id:
            found = uuid.UUID(str(owner_id))
            return found if found in self.owners else None
        remote = data.get("remote_id")
        if remote and (connection, str(remote)) in self._by_account:
            return self._by_account[(connection, str(remote))]
        by_mail = self.by_email(data.get("email"))
        return by_mail.id if by_mail else None

    def remote_ref(self, owner_id: uuid.UUID | None, connection: str) -> OwnerRef | None:
        """The owner reference to write to `connection` for `owner_id` (None: no user there)."""
        owner = self.get(owner_id)
        if owner is None or connection not in owner.accounts:
            return None
        return OwnerRef(
            owner_id=owner.id,
            remote_id=owner.accounts[connection],
            name=owner.name,
            email=owner.email,
        )

    def with_settings(self, settings: Sequence[OwnerSettings]) -> OwnerDirectory:
        """This directory with config applied in memory, as `apply_owner_settings` stores it."""
        owners = dict(self.owners)
        for item in settings:
            found = self._by_email.get(item.email)
            base = found or OwnerInfo(settings_id(item.email), item.name or item.email, item.email)
            merged = base.with_settings(item)
            owners[merged.id] = replace(merged, active=item.active and merged.accounts_active)
        return OwnerDirectory(owners.values())
