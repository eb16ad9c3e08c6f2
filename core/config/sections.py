"""Schemas of the section files (matching, assignment, policies), first cut.

Later work (matching, assignment, sync engine) grows these; each is a plain pydantic model
validated with file:line errors by `core.config.load`. Assignment's schema lives with it in
`core.assignment.config`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from core.assignment.config import AssignmentConfig
from core.config.schema import Strict
from mapping.model import EntityKind

__all__ = ["SECTIONS", "MatchingConfig", "PoliciesConfig"]

Score = Annotated[float, Field(ge=0.0, le=1.0)]


class Thresholds(Strict):
    auto_merge: Score = 0.9
    review: Score = 0.6

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review >= self.auto_merge:
            raise PydanticCustomError(
                "thresholds",
                "review threshold {review} must be below auto_merge {auto}",
                {
                    "review": self.review,
                    "auto": self.auto_merge,
                    "fix": "e.g. auto_merge: 0.9, review: 0.6",
                },
            )
        return self


class MatchingConfig(Strict):
    thresholds: dict[EntityKind, Thresholds] = Field(
        default_factory=lambda: {kind: Thresholds() for kind in EntityKind}
    )


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
