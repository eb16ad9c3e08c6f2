"""What a sync needs to know, built once from the loaded config: connections with their field
maps and write settings, the field and delete policies, matching and assignment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from connectors.connect import owner_for_creates
from core.assignment import AssignmentConfig, AssignmentPolicy
from core.config import LoadedConfig
from core.config.matching import MatchingConfig
from core.config.policies import PoliciesConfig, TargetSettings
from core.sync.fields import FieldSpace, field_space
from mapping.maps import Mapper
from mapping.model import EntityKind

__all__ = ["KINDS", "ConnectionSync", "SyncContext"]

# lookups resolve when customers come first, then contacts, then opportunities
KINDS = (EntityKind.CUSTOMER, EntityKind.CONTACT, EntityKind.OPPORTUNITY)


@dataclass(frozen=True)
class ConnectionSync:
    """One connection as the sync sees it."""

    name: str
    mapper: Mapper | None
    target: TargetSettings = field(default_factory=TargetSettings)
    # the CRM user id owning what crmhub creates there when the record's owner has no user in
    # that CRM and policies name none (the connection's `default_owner`, else its acting user)
    create_owner: str | None = None

    @cached_property
    def spaces(self) -> dict[EntityKind, FieldSpace]:
        if self.mapper is None:
            return {}
        found = {kind: field_space(self.mapper, kind) for kind in KINDS}
        return {kind: space for kind, space in found.items() if space is not None}

    def space(self, kind: EntityKind | str) -> FieldSpace | None:
        return self.spaces.get(EntityKind(kind))


@dataclass(frozen=True)
class SyncContext:
    connections: Mapping[str, ConnectionSync]
    policies: PoliciesConfig = field(default_factory=PoliciesConfig)
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    # None: no assignment config; owners are then left as each CRM has them
    assignment: AssignmentPolicy | None = None

    @classmethod
    def from_config(cls, loaded: LoadedConfig, *, only: Sequence[str] | None = None) -> SyncContext:
        """The enabled connections (or `only` these) in config order, with their maps."""
        policies = loaded.sections.get("policies")
        matching = loaded.sections.get("matching")
        assignment = loaded.sections.get("assignment")
        policies = policies if isinstance(policies, PoliciesConfig) else PoliciesConfig()
        connections: dict[str, ConnectionSync] = {}
        for name, conn in loaded.hub.connections.items():
            if (only is not None and name not in only) or (only is None and not conn.enabled):
                continue
            mapper = loaded.mapper(name) if name in loaded.mappings else None
            connections[name] = ConnectionSync(
                name, mapper, policies.target(name), create_owner=owner_for_creates(conn)
            )
        return cls(
            connections=connections,
            policies=policies,
            matching=matching if isinstance(matching, MatchingConfig) else MatchingConfig(),
            assignment=(
                AssignmentPolicy.from_config(assignment)
                if isinstance(assignment, AssignmentConfig)
                else None
            ),
        )
