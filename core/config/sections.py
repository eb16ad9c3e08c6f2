"""Schemas of the section files (matching, assignment, policies).

Matching lives in `core.config.matching` and assignment in `core.assignment.config`; policies
are a first cut that the sync engine grows. Each is a plain pydantic model validated with
file:line errors by `core.config.load`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.assignment.config import AssignmentConfig
from core.config.matching import MatchingConfig
from core.config.schema import Strict
from core.config.workers import WorkersConfig
from mapping.model import EntityKind

__all__ = ["SECTIONS", "MatchingConfig", "PoliciesConfig", "WorkersConfig"]


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
    "workers": WorkersConfig,
}
