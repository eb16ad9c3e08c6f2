"""Ordered assignment rules as value objects, compiled from the config; they round-trip to YAML.

`AssignmentPolicy` is everything the engine needs from `config/assignment.yaml`, validated: the
rules (first match wins, the last one a fallback), teams, tiering, currency rates, the dispute
policy and when owned customers may be reassigned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.assignment.config import (
    AssignmentConfig,
    DisputeSettings,
    OwnerSettings,
    ReassignSettings,
    RuleSettings,
    TeamMember,
)
from core.assignment.criteria import Always, Criteria
from core.assignment.criteria_parse import parse_criteria
from core.assignment.currency import Rates
from core.assignment.names import StrategyName
from core.assignment.tiering import Tiering

__all__ = ["SERIAL_KEY", "AssignmentPolicy", "Rule", "StrategySpec"]

# Every assignment batch locks this turn row first: batches run one at a time across workers,
# which is what makes rotations and capacity counts exact under concurrency.
SERIAL_KEY = "*"
ROTATIONS = (StrategyName.ROUND_ROBIN, StrategyName.WEIGHTED)


@dataclass(frozen=True)
class StrategySpec:
    name: StrategyName
    team: str | None = None
    owners: tuple[str, ...] = ()  # e-mails, for `fixed`
    match: tuple[str, ...] = ()  # for `expertise`

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"strategy": self.name.value}
        if self.team is not None:
            data["team"] = self.team
        if len(self.owners) == 1:
            data["owner"] = self.owners[0]
        elif self.owners:
            data["owners"] = list(self.owners)
        if self.name is StrategyName.EXPERTISE:
            data["match"] = list(self.match)
        return data


@dataclass(frozen=True)
class Rule:
    id: str
    criteria: Criteria
    strategy: StrategySpec
    reassign: bool = False
    description: str | None = None

    @property
    def fallback(self) -> bool:
        return isinstance(self.criteria, Always)

    @property
    def turn_key(self) -> str | None:
        """The rotation row this rule advances (one per team and rotation kind)."""
        if self.strategy.name in ROTATIONS and self.strategy.team is not None:
            return f"{self.strategy.name.value}:{self.strategy.team}"
        return None

    @classmethod
    def from_settings(cls, settings: RuleSettings) -> Rule:
        owners = ([settings.owner] if settings.owner else []) + list(settings.owners)
        spec = StrategySpec(
            name=settings.strategy,
            team=settings.team,
            owners=tuple(owners),
            match=tuple(settings.match) if settings.strategy is StrategyName.EXPERTISE else (),
        )
        criteria = Always() if settings.when is None else parse_criteria(settings.when)
        return cls(settings.id, criteria, spec, settings.reassign, settings.description)

    def to_data(self) -> dict[str, Any]:
        """The rule as YAML data (`RuleSettings` reads it back to an equal rule)."""
        data: dict[str, Any] = {"id": self.id}
        if self.description:
            data["description"] = self.description
        if not self.fallback:
            data["when"] = self.criteria.to_data()
        data.update(self.strategy.to_data())
        if self.reassign:
            data["reassign"] = True
        return data


@dataclass(frozen=True)
class AssignmentPolicy:
    rules: tuple[Rule, ...]
    teams: Mapping[str, tuple[TeamMember, ...]] = field(default_factory=dict)
    rates: Rates = field(default_factory=Rates)
    tiering: Tiering | None = None
    disputes: DisputeSettings = field(default_factory=DisputeSettings)
    reassign: ReassignSettings = field(default_factory=ReassignSettings)
    adopt_source_owner: bool = True
    unowned_users: frozenset[str] = frozenset()
    owners: tuple[OwnerSettings, ...] = ()

    @classmethod
    def from_config(cls, config: AssignmentConfig) -> AssignmentPolicy:
        """The policy of a validated config (AssignmentConfig.model_validate checked it)."""
        currency = config.currency
        rates = Rates(currency.base, dict(currency.rates)) if currency else Rates()
        return cls(
            rules=tuple(Rule.from_settings(r) for r in config.rules),
            teams={name: tuple(t.member_list()) for name, t in config.teams.items()},
            rates=rates,
            tiering=Tiering.from_settings(config.tiers) if config.tiers else None,
            disputes=config.disputes,
            reassign=config.reassign,
            adopt_source_owner=config.adopt_source_owner,
            unowned_users=frozenset(config.unowned_users),
            owners=tuple(config.owners),
        )

    def turn_keys(self) -> list[str]:
        """Rows to lock before assigning, in one global order (no deadlocks between workers)."""
        keys = {SERIAL_KEY} | {r.turn_key for r in self.rules if r.turn_key is not None}
        return sorted(keys)

    def rules_data(self) -> list[dict[str, Any]]:
        return [rule.to_data() for rule in self.rules]
