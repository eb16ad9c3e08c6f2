"""Field policies as the survivorship objects of `core.merging` (one concept, one place).

`source_priority` is `SourcePriority` (then the newest), `newest` is `MostRecent`,
`never_blank` is `NeverBlank(MostRecent())`; `manual` has no automatic winner: a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.config.policies import FieldPolicy
from core.merging import Candidate, MostRecent, NeverBlank, Policy, SourcePriority

__all__ = ["choose", "policy_of"]


def policy_of(spec: FieldPolicy) -> Policy | None:
    """The survivorship policy of a field policy; None for `manual`."""
    if spec.policy == "manual":
        return None
    if spec.policy == "source_priority":
        return SourcePriority(tuple(spec.sources), then=MostRecent())
    if spec.policy == "never_blank":
        return NeverBlank(MostRecent())
    return MostRecent()


def choose(spec: FieldPolicy, candidates: Sequence[Candidate[Any]]) -> Candidate[Any] | None:
    """The winner among the sides' candidates, or None when an operator must choose."""
    policy = policy_of(spec)
    return None if policy is None else policy.choose(candidates)
