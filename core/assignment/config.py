"""The schema of `config/assignment.yaml`: owners, teams, tiers, currency, disputes, ordered rules.

Validation runs in two passes so every error names its line: pydantic checks the shape, then
`config_checks` checks the meaning (criteria, team and owner references, the fallback rule),
and both report as one `ValidationError` whose locations point into the YAML file.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from core.assignment.config_checks import semantic_errors
from core.assignment.names import DisputePolicy, StrategyName, TierBasis
from core.config.errors import did_you_mean
from core.config.schema import Strict
from mapping.model import Tier
from mapping.transforms import TransformError, normalize_email, to_currency

__all__ = [
    "AssignmentConfig",
    "CurrencySettings",
    "DisputeSettings",
    "OwnerSettings",
    "ReassignSettings",
    "RuleSettings",
    "TeamMember",
    "TeamSettings",
    "TierSettings",
]

_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")


def _email(value: str) -> str:
    try:
        return normalize_email(value)
    except TransformError as exc:
        raise PydanticCustomError(
            "email", "is not an e-mail address: {reason}", {"reason": exc.reason, "fix": None}
        ) from None


def _currency(value: str) -> str:
    try:
        return to_currency(value)
    except TransformError as exc:
        raise PydanticCustomError(
            "currency", "{reason}", {"reason": exc.reason, "fix": "e.g. CNY, USD, EUR"}
        ) from None


ExpertiseOn = Literal["industry", "region"]


def _both() -> list[ExpertiseOn]:
    return ["industry", "region"]


Email = Annotated[str, Field(min_length=3, max_length=255)]
Capacity = dict[Tier, Annotated[int, Field(ge=0)]]


class OwnerSettings(Strict):
    """What config adds to an owner found in the CRMs (or declares before they are): by e-mail."""

    email: Email
    name: str | None = None
    # ISO 3166-1 countries (SG) or 3166-2 regions (CN-GD) the owner covers
    regions: list[str] = Field(default_factory=list)
    # industries the owner knows (expertise); compared case-blind with the customer's industry
    industries: list[str] = Field(default_factory=list)
    # customers of each tier the owner can carry; a missing tier means no limit
    capacity: Capacity = Field(default_factory=dict)
    active: bool = True

    _email = field_validator("email")(_email)


class TeamMember(Strict):
    email: Email
    weight: Annotated[int, Field(ge=1, le=1000)] = 1

    _email = field_validator("email")(_email)


class TeamSettings(Strict):
    description: str | None = None
    # e-mails of owners (declared under `owners:`), or {email, weight} for weighted rules
    members: list[Email | TeamMember] = Field(min_length=1)

    def member_list(self) -> list[TeamMember]:
        return [m if isinstance(m, TeamMember) else TeamMember(email=m) for m in self.members]


class RuleSettings(Strict):
    id: str
    description: str | None = None
    # criteria over canonical customer fields (see core.assignment.criteria); none = fallback
    when: dict[str, Any] | None = None
    strategy: StrategyName
    team: str | None = None
    # `fixed`: the owner (or owners, the first available one wins)
    owner: Email | None = None
    owners: list[Email] = Field(default_factory=list)
    # `expertise`: what must match between customer and owner
    match: list[ExpertiseOn] = Field(default_factory=_both)
    # reassign customers this rule matches whose owner is not one the rule would pick
    reassign: bool = False

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _RULE_ID.match(value):
            raise PydanticCustomError(
                "rule_id",
                "is not a rule id",
                {"fix": "use lower-case letters, digits, _ . - (e.g. south-china-a-tier)"},
            )
        return value

    @field_validator("strategy", mode="before")
    @classmethod
    def _known_strategy(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in StrategyName.__members__.values():
            guess = did_you_mean(value, [s.value for s in StrategyName])
            known = ", ".join(s.value for s in StrategyName)
            raise PydanticCustomError(
                "strategy",
                "is not a strategy (known: {known})",
                {"known": known, "fix": f"did you mean `{guess}`?" if guess else f"use {known}"},
            )
        return value

    @field_validator("owner")
    @classmethod
    def _owner_email(cls, value: str | None) -> str | None:
        return None if value is None else _email(value)

    @field_validator("owners")
    @classmethod
    def _owners_emails(cls, value: list[str]) -> list[str]:
        return [_email(v) for v in value]


class TierSettings(Strict):
    """Customers get a tier from thresholds: the first tier whose threshold the value reaches."""

    by: TierBasis
    # `by: field`: the criteria field holding the value (employee_count, custom.level…)
    field: str | None = None
    # money (`100000000 CNY`) for annual_revenue / open_pipeline, numbers for a numeric field
    thresholds: dict[Tier, str | int | dict[str, Any]] = Field(default_factory=dict)
    # `by: field` on a text field: the values meaning each tier
    values: dict[Tier, list[str]] = Field(default_factory=dict)
    # below every threshold
    default: Tier = Tier.C


class CurrencySettings(Strict):
    """Rates turn amounts in other currencies into `base` (1 unit = rate × base)."""

    base: str
    rates: dict[str, Annotated[Decimal, Field(gt=0)]] = Field(default_factory=dict)

    _base = field_validator("base")(_currency)

    @field_validator("rates", mode="before")
    @classmethod
    def _rate_codes(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for rate in value.values():
                if isinstance(rate, float):
                    raise PydanticCustomError(
                        "rate", "write rates as text", {"fix": "quote the rate: `USD: '7.10'`"}
                    )
            return {_currency(str(k)): v for k, v in value.items()}
        return value


class DisputeSettings(Strict):
    """One customer owned by different managers in different CRMs: who decides."""

    policy: DisputePolicy = DisputePolicy.MANUAL
    # `source_priority`: connections in order of authority
    sources: list[str] = Field(default_factory=list)

    def connection_refs(self) -> list[tuple[tuple[int | str, ...], str]]:
        """The connections `sources` names, with where (checked against the main config)."""
        return [(("disputes", "sources", i), name) for i, name in enumerate(self.sources)]


class ReassignSettings(Strict):
    """When an owned customer leaves its owner (otherwise owners are sticky)."""

    owner_inactive: bool = True
    over_capacity: bool = False


class AssignmentConfig(Strict):
    """`config/assignment.yaml`."""

    currency: CurrencySettings | None = None
    tiers: TierSettings | None = None
    owners: list[OwnerSettings] = Field(default_factory=list)
    teams: dict[str, TeamSettings] = Field(default_factory=dict)
    # CRM users whose records count as unowned (an integration user, a 公海 placeholder)
    unowned_users: list[Email] = Field(default_factory=list)
    # an unowned golden customer whose CRMs agree on an owner keeps that owner
    adopt_source_owner: bool = True
    reassign: ReassignSettings = Field(default_factory=ReassignSettings)
    disputes: DisputeSettings = Field(default_factory=DisputeSettings)
    rules: list[RuleSettings] = Field(min_length=1)

    @field_validator("unowned_users")
    @classmethod
    def _unowned_emails(cls, value: list[str]) -> list[str]:
        return [_email(v) for v in value]

    def connection_refs(self) -> list[tuple[tuple[int | str, ...], str]]:
        """Every connection this file names, with where (checked against the main config)."""
        return self.disputes.connection_refs()

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> AssignmentConfig:
        """Shape first (pydantic), then meaning (`config_checks`), each error at its path."""
        config = super().model_validate(obj, **kwargs)
        errors = semantic_errors(config, obj)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return config
