"""Keeping the owner directory: users pulled from each CRM, enriched from config, both audited.

Owners match across CRMs by normalised e-mail. An owner is active when config does not say
otherwise and no CRM has their user disabled; every flip of that flag is in the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.protocol import RemoteUser
from core.assignment.config import OwnerSettings
from core.assignment.directory import email_key
from core.audit import ActorKind, record_audit
from core.store import OwnerAccount, OwnerRow
from mapping.model import OwnerRef

__all__ = [
    "DirectoryChanges",
    "apply_owner_settings",
    "owner_ref_for",
    "resolve_owner_ref",
    "sync_crm_users",
]

OWNER = "owner"


@dataclass
class DirectoryChanges:
    created: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.created, self.linked, self.updated, self.deactivated, self.reactivated))


def _label(owner: OwnerRow) -> str:
    return f"{owner.name} <{owner.email}>" if owner.email else owner.name


def sync_crm_users(
    session: Session,
    connection: str,
    users: Sequence[RemoteUser],
    *,
    settings: Sequence[OwnerSettings],
) -> DirectoryChanges:
    """Upsert `connection`'s users as owners and owner accounts (matched by e-mail).

    `settings` are the owners of the assignment config: an owner config marks inactive stays
    inactive whatever the CRM says. A user missing from `users` is left alone (a partial list
    must not deactivate anyone); a user the CRM reports disabled makes the owner inactive.
    """
    changes = DirectoryChanges()
    by_settings = {s.email: s for s in settings}
    accounts = {
        a.remote_user_id: a
        for a in session.scalars(
            sa.select(OwnerAccount).where(OwnerAccount.connection == connection)
        )
    }
    touched: dict[uuid.UUID, OwnerRow] = {}
    for user in users:
        email = email_key(user.email)
        account = accounts.get(user.remote_id)
        if account is None:
            owner = _owner_for(session, email, user, by_settings.get(email or ""), changes)
            account = OwnerAccount(
                owner_id=owner.id, connection=connection, remote_user_id=user.remote_id
            )
            session.add(account)
            accounts[user.remote_id] = account
            changes.linked.append(f"{_label(owner)} = {connection}:{user.remote_id}")
            record_audit(
                session,
                actor_kind=ActorKind.SYNC,
                actor=connection,
                action="owner.link",
                entity_id=owner.id,
                entity_kind=OWNER,
                field="accounts",
                after={"connection": connection, "remote_user_id": user.remote_id},
                source=connection,
                reason="matched by e-mail" if email else "new user without e-mail",
            )
        else:
            found = session.get(OwnerRow, account.owner_id)
            assert found is not None
            owner = found
        account.remote_name = user.name
        account.remote_email = user.email
        account.active = user.active
        touched[owner.id] = owner
    session.flush()
    for owner in touched.values():
        _refresh_active(session, owner, by_settings.get(owner.email or ""), changes, connection)
    return changes


def _owner_for(
    session: Session,
    email: str | None,
    user: RemoteUser,
    settings: OwnerSettings | None,
    changes: DirectoryChanges,
) -> OwnerRow:
    if email is not None:
        found = session.scalars(
            sa.select(OwnerRow).where(OwnerRow.email == email).order_by(OwnerRow.created_at)
        ).first()
        if found is not None:
            return found
    owner = OwnerRow(
        name=user.name, email=email, active=True, regions=[], industries=[], capacity={}
    )
    if settings is not None:
        _enrich(owner, settings)
    session.add(owner)
    session.flush()
    changes.created.append(_label(owner))
    record_audit(
        session,
        actor_kind=ActorKind.SYNC,
        actor="directory",
        action="owner.create",
        entity_id=owner.id,
        entity_kind=OWNER,
        after={"name": owner.name, "email": owner.email},
        reason=f"user {user.remote_id} appeared in a CRM",
    )
    return owner


def _enrich(owner: OwnerRow, settings: OwnerSettings) -> dict[str, Any]:
    """Apply config to `owner`; returns the changed fields' values before the change."""
    wanted: dict[str, Any] = {
        "regions": list(settings.regions),
        "industries": list(settings.industries),
        "capacity": {tier.value: n for tier, n in settings.capacity.items()},
    }
    if settings.name:
        wanted["name"] = settings.name
    before = {k: getattr(owner, k) for k, v in wanted.items() if getattr(owner, k) != v}
    for key in before:
        setattr(owner, key, wanted[key])
    return before


def _refresh_active(
    session: Session,
    owner: OwnerRow,
    settings: OwnerSettings | None,
    changes: DirectoryChanges,
    source: str | None = None,
) -> None:
    disabled = sorted(
        session.scalars(
            sa.select(OwnerAccount.connection).where(
                OwnerAccount.owner_id == owner.id, OwnerAccount.active.is_(False)
            )
        )
    )
    configured = settings.active if settings is not None else True
    active = configured and not disabled
    if active == owner.active:
        return
    if active:
        reason = "enabled again in every CRM and in config"
    elif disabled:
        reason = f"user disabled in {', '.join(disabled)}"
    else:
        reason = "marked inactive in config"
    owner.active = active
    (changes.reactivated if active else changes.deactivated).append(_label(owner))
    record_audit(
        session,
        actor_kind=ActorKind.SYNC if source else ActorKind.SYSTEM,
        actor=source or "config",
        action="owner.activate" if active else "owner.deactivate",
        entity_id=owner.id,
        entity_kind=OWNER,
        field="active",
        before=not active,
        after=active,
        source=source,
        reason=reason,
    )


def apply_owner_settings(session: Session, settings: Sequence[OwnerSettings]) -> DirectoryChanges:
    """Store config's regions, industries, capacity and active flag on each owner (by e-mail).

    An owner declared in config but not yet seen in any CRM is created, so rules can name it.
    """
    changes = DirectoryChanges()
    emails = [s.email for s in settings]
    existing: dict[str, OwnerRow] = {}
    for row in session.scalars(
        sa.select(OwnerRow).where(OwnerRow.email.in_(emails)).order_by(OwnerRow.created_at)
    ):
        existing.setdefault(row.email or "", row)
    for item in settings:
        owner = existing.get(item.email)
        if owner is None:
            name = item.name or item.email.partition("@")[0]
            owner = OwnerRow(name=name, email=item.email, active=True, regions=[], industries=[])
            owner.capacity = {}
            session.add(owner)
            session.flush()
            changes.created.append(_label(owner))
        before = _enrich(owner, item)
        if before:
            changes.updated.append(_label(owner))
            record_audit(
                session,
                actor_kind=ActorKind.SYSTEM,
                actor="config",
                action="owner.update",
                entity_id=owner.id,
                entity_kind=OWNER,
                before=before,
                after={k: getattr(owner, k) for k in before},
                reason="assignment config",
            )
        _refresh_active(session, owner, item, changes)
    session.flush()
    return changes


def resolve_owner_ref(
    session: Session, connection: str, ref: OwnerRef | Mapping[str, Any] | None
) -> uuid.UUID | None:
    """The canonical owner a record's owner reference in `connection` means (one lookup).

    For many records load an `OwnerDirectory` once and call its `resolve`.
    """
    if ref is None:
        return None
    data = ref.model_dump() if isinstance(ref, OwnerRef) else ref
    if data.get("owner_id"):
        found = session.get(OwnerRow, uuid.UUID(str(data["owner_id"])))
        return found.id if found else None
    if data.get("remote_id"):
        owner_id = session.scalar(
            sa.select(OwnerAccount.owner_id).where(
                OwnerAccount.connection == connection,
                OwnerAccount.remote_user_id == str(data["remote_id"]),
            )
        )
        if owner_id is not None:
            return owner_id
    email = email_key(data.get("email"))
    if email is None:
        return None
    return session.scalar(
        sa.select(OwnerRow.id).where(OwnerRow.email == email).order_by(OwnerRow.created_at)
    )


def owner_ref_for(session: Session, owner_id: uuid.UUID, connection: str) -> OwnerRef | None:
    """The owner reference to write to `connection` (None: the owner has no user there)."""
    row = session.execute(
        sa.select(OwnerRow, OwnerAccount.remote_user_id)
        .join(OwnerAccount, OwnerAccount.owner_id == OwnerRow.id)
        .where(OwnerRow.id == owner_id, OwnerAccount.connection == connection)
    ).first()
    if row is None:
        return None
    owner, remote = row
    return OwnerRef(owner_id=owner.id, remote_id=remote, name=owner.name, email=owner.email)
