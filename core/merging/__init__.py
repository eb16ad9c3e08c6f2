"""Merging: survivorship of golden values, reversible entity merges, keep-apart memory."""

from __future__ import annotations

from core.merging.golden import SourceValues, golden_from_sources
from core.merging.keep_apart import forget_keep_apart, kept_apart_from, remember_keep_apart
from core.merging.merge import MergeError, merge_entities, unmerge
from core.merging.survivorship import (
    Candidate,
    MostComplete,
    MostRecent,
    NeverBlank,
    Policy,
    SourcePriority,
    is_blank,
    policy_from_spec,
)

__all__ = [
    "Candidate",
    "MergeError",
    "MostComplete",
    "MostRecent",
    "NeverBlank",
    "Policy",
    "SourcePriority",
    "SourceValues",
    "forget_keep_apart",
    "golden_from_sources",
    "is_blank",
    "kept_apart_from",
    "merge_entities",
    "policy_from_spec",
    "remember_keep_apart",
    "unmerge",
]
