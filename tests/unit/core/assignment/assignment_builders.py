"""Builders for assignment unit tests: owners, policies and customers in memory, no database."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import yaml

from core.assignment import (
    Assigner,
    AssignmentConfig,
    AssignmentPolicy,
    AssignmentState,
    CustomerCase,
    Decision,
    Loads,
    OwnerDirectory,
    OwnerInfo,
    SourceOwner,
)


class Build:
    """Small factories; owners get ids derived from their e-mail so tests can name them."""

    @staticmethod
    def oid(email: str) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_DNS, email)

    def owner(self, email: str, *, active: bool = True, **fields: Any) -> OwnerInfo:
        fields.setdefault("capacity", {})
        return OwnerInfo(self.oid(email), email.split("@")[0], email, active=active, **fields)

    @staticmethod
    def policy(text: str) -> AssignmentPolicy:
        return AssignmentPolicy.from_config(AssignmentConfig.model_validate(yaml.safe_load(text)))

    def assigner(self, text: str, owners: Iterable[OwnerInfo]) -> Assigner:
        return Assigner(self.policy(text), OwnerDirectory(owners))

    @staticmethod
    def case(
        owner: uuid.UUID | None = None,
        *,
        sides: Iterable[SourceOwner] = (),
        last_sides: dict[str, str | None] | None = None,
        connections: Iterable[str] = (),
        **data: Any,
    ) -> CustomerCase:
        data.setdefault("name", "Zylker")
        sides = tuple(sides)
        linked = tuple(sorted({*connections, *(s.connection for s in sides)}))
        return CustomerCase(
            uuid.uuid4(), data, owner, connections=linked, sides=sides, last_sides=last_sides
        )

    @staticmethod
    def state(loads: dict[uuid.UUID, dict[str, int]] | None = None) -> AssignmentState:
        return AssignmentState(Loads(loads or {}))

    def run(
        self,
        assigner: Assigner,
        cases: Iterable[CustomerCase],
        state: AssignmentState | None = None,
    ) -> list[Decision]:
        state = state or self.state()
        return [assigner.decide(case, state) for case in cases]

    def emails(self, decisions: Iterable[Decision], assigner: Assigner) -> list[str | None]:
        out = []
        for decision in decisions:
            owner = assigner.directory.get(decision.owner_id)
            out.append(owner.email if owner else None)
        return out
