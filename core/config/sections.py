"""Schemas of the section files (matching, assignment, policies).

Matching lives in `core.config.matching`, assignment in `core.assignment.config` and the
sync's policies in `core.config.policies`. Each is a plain pydantic model validated with
file:line errors by `core.config.load`.
"""

from __future__ import annotations

from pydantic import BaseModel

from core.assignment.config import AssignmentConfig
from core.config.matching import MatchingConfig
from core.config.policies import PoliciesConfig
from core.config.workers import WorkersConfig

__all__ = ["SECTIONS", "MatchingConfig", "PoliciesConfig", "WorkersConfig"]


SECTIONS: dict[str, type[BaseModel]] = {
    "matching": MatchingConfig,
    "assignment": AssignmentConfig,
    "policies": PoliciesConfig,
    "workers": WorkersConfig,
}
