"""Schemas of the section files (matching, assignment, policies).

Matching lives in `core.config.matching`, assignment in `core.assignment.config` and policies
in `core.sync.config`. Each is a plain pydantic model validated with file:line errors by
`core.config.load`.
"""

from __future__ import annotations

from pydantic import BaseModel

from core.assignment.config import AssignmentConfig
from core.config.matching import MatchingConfig
from core.config.workers import WorkersConfig
from core.sync.config import PoliciesConfig

__all__ = ["SECTIONS", "MatchingConfig", "PoliciesConfig", "WorkersConfig"]


SECTIONS: dict[str, type[BaseModel]] = {
    "matching": MatchingConfig,
    "assignment": AssignmentConfig,
    "policies": PoliciesConfig,
    "workers": WorkersConfig,
}
