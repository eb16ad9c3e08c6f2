"""Schemas of the section files (matching, assignment, policies).

Matching lives in `core.config.matching`; assignment and policies are a first cut that later
work grows; each is a plain pydantic model
validated with file:line errors by `core.config.load`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from core.config.matching import MatchingConfig
from core.config.schema import Strict
from mapping.model import EntityKind

__all__ = ["SECTIONS", "AssignmentConfig", "MatchingConfig", "PoliciesConfig"]


class AssignmentRule(Strict):
    id: str
    # criteria expression; None makes this the fallback rule
    when: dict[str, object] | None = None
    strategy: Literal["fixed", "round_robin", "weighted", "least_loaded", "expertise", "pool"]
    owners: list[str] = Field(default_factory=list)


class AssignmentConfig(Strict):
    rules: list[AssignmentRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _fallback_last(self) -> AssignmentConfig:
        if self.rules[-1].when is not None:
            raise PydanticCustomError(
                "fallback",
                "the last rule must be a fallback (a rule without `when`)",
                {"fix": "add a last rule such as `{id: pool, strategy: pool}`"},
            )
        return self


FieldPolicyName = Literal["source_priority", "newest", "never_blank", "manual"]


class FieldPolicy(Strict):
    policy: FieldPolicyName
    sources: list[str] = Field(default_factory=list)


class PoliciesConfig(Strict):
    default: FieldPolicy = Field(default_factory=lambda: FieldPolicy(policy="newest"))
    fields: dict[str, FieldPolicy] = Field(default_factory=dict)
    deletes: dict[EntityKind, Literal["propagate", "unlink", "ask"]] = Field(default_factory=dict)


SECTIONS: dict[str, type[BaseModel]] = {
    "matching": MatchingConfig,
    "assignment": AssignmentConfig,
    "policies": PoliciesConfig,
}
