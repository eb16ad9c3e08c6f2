"""Seeding the store for assignment tests: owners from CRM users, customers with links."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import yaml

from connectors.protocol import RemoteUser
from core.assignment import (
    AssignmentConfig,
    AssignmentPolicy,
    OwnerDirectory,
    apply_owner_settings,
    sync_crm_users,
)
from core.store import AssignmentDecision, AuditEntry, Entity, Link, SourceRecord, Store
from mapping.model import Contact, Customer, Opportunity, validate_record

USERS = {
    "zoho": [
        RemoteUser("4150868000000225013", "王芳", "Wang.Fang@example.com"),
        RemoteUser("4150868000000225014", "李娜", "li.na@example.com"),
        RemoteUser("4150868000000225015", "张伟", "zhang.wei@example.com"),
    ],
    "fxiaoke": [
        RemoteUser("FSUID_" + "A" * 32, "王芳", "wang.fang@example.com"),
        RemoteUser("FSUID_" + "B" * 32, "李娜", "li.na@example.com"),
    ],
}
POLICY = """\
owners:
  - {email: wang.fang@example.com, regions: [CN-GD], capacity: {A: 2}}
  - {email: li.na@example.com, regions: [CN-GD, CN-SH]}
  - {email: zhang.wei@example.com, regions: [CN-SH]}
teams:
  all: {members: [wang.fang@example.com, li.na@example.com, zhang.wei@example.com]}
rules:
  - {id: cn, when: {country: CN}, strategy: round_robin, team: all}
  - {id: pool, strategy: pool}
"""


def policy_of(text: str) -> AssignmentPolicy:
    return AssignmentPolicy.from_config(AssignmentConfig.model_validate(yaml.safe_load(text)))


class Seed:
    def __init__(self, store: Store) -> None:
        self.store = store

    def directory(self, policy: AssignmentPolicy) -> OwnerDirectory:
        with self.store.transaction() as session:
            for connection, users in USERS.items():
                sync_crm_users(session, connection, users, settings=policy.owners)
            apply_owner_settings(session, policy.owners)
            return OwnerDirectory.load(session)

    def owner_id(self, email: str) -> uuid.UUID:
        with self.store.transaction() as session:
            directory = OwnerDirectory.load(session)
        found = directory.by_email(email)
        assert found is not None, email
        return found.id

    def customer(
        self,
        name: str,
        *,
        links: Sequence[tuple[str, str, str | None]] = (),
        owner: uuid.UUID | None = None,
        created: datetime | None = None,
        **fields: Any,
    ) -> uuid.UUID:
        """A golden customer; `links` are (connection, remote id, owner user id in that CRM)."""
        data = validate_record(Customer, {"name": name, **fields}).model_dump(
            mode="json", exclude_none=True, exclude_defaults=True
        )
        with self.store.transaction() as session:
            entity = Entity(kind="customer", data=data, owner_id=owner)
            session.add(entity)
            session.flush()
            for connection, remote_id, user in links:
                self.link(session, entity.id, connection, remote_id, user, created)
            return entity.id

    @staticmethod
    def link(
        session: Any,
        entity_id: uuid.UUID,
        connection: str,
        remote_id: str,
        user: str | None,
        created: datetime | None = None,
    ) -> None:
        session.add(
            Link(entity_id=entity_id, connection=connection, kind="customer", remote_id=remote_id)
        )
        mapped: dict[str, Any] = {"name": remote_id}
        if user is not None:
            mapped["owner"] = {"remote_id": user}
        if created is not None:
            mapped["created_at"] = created.isoformat()
        session.add(
            SourceRecord(
                connection=connection, kind="customer", remote_id=remote_id, raw={}, mapped=mapped
            )
        )

    def set_claim(self, connection: str, remote_id: str, user: str) -> None:
        with self.store.transaction() as session:
            record = session.scalars(
                sa.select(SourceRecord).where(
                    SourceRecord.connection == connection, SourceRecord.remote_id == remote_id
                )
            ).one()
            record.mapped = {**record.mapped, "owner": {"remote_id": user}}

    def follower(self, kind: str, customer: uuid.UUID, **fields: Any) -> uuid.UUID:
        model = Contact if kind == "contact" else Opportunity
        data = validate_record(model, {"customer": {"entity_id": str(customer)}, **fields})
        with self.store.transaction() as session:
            entity = Entity(kind=kind, data=data.model_dump(mode="json", exclude_none=True))
            session.add(entity)
            session.flush()
            return entity.id

    def entity(self, entity_id: uuid.UUID) -> Entity:
        with self.store.transaction() as session:
            found = session.get(Entity, entity_id)
            assert found is not None
            session.expunge(found)
            return found

    def decisions(self, entity_id: uuid.UUID | None = None) -> list[AssignmentDecision]:
        with self.store.transaction() as session:
            query = sa.select(AssignmentDecision).order_by(AssignmentDecision.id)
            if entity_id is not None:
                query = query.where(AssignmentDecision.entity_id == entity_id)
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows

    def audits(self, entity_id: uuid.UUID, action_prefix: str = "") -> list[AuditEntry]:
        with self.store.transaction() as session:
            rows = list(
                session.scalars(
                    sa.select(AuditEntry)
                    .where(
                        AuditEntry.entity_id == entity_id,
                        AuditEntry.action.startswith(action_prefix),
                    )
                    .order_by(AuditEntry.id)
                )
            )
            session.expunge_all()
            return rows

    def owners_of(self, ids: Iterable[uuid.UUID]) -> list[uuid.UUID | None]:
        return [self.entity(i).owner_id for i in ids]


def at(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)
