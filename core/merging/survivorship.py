"""Survivorship: which of several values of one field wins. Small reusable value objects.

Generic over (value, source connection, modified time): the golden record of a merge uses them
field by field, and the sync engine reuses them when a field changed on several sides.
`NeverBlank` wraps another policy so that a blank value never replaces a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from core.config.matching import SurvivorshipSpec

__all__ = [
    "Candidate",
    "MostComplete",
    "MostRecent",
    "NeverBlank",
    "Policy",
    "SourcePriority",
    "is_blank",
    "policy_from_spec",
]

T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Candidate(Generic[T]):
    """One side's value of a field: what it is, which connection holds it, when it changed."""

    value: T | None
    source: str
    modified_at: datetime | None = None


def is_blank(value: Any) -> bool:
    """None, empty or whitespace text, an empty list or mapping (or one holding only blanks)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return all(is_blank(item) for item in value)
    if isinstance(value, dict):
        return all(is_blank(item) for item in value.values())
    return False


class Policy(Protocol):
    def choose(self, candidates: Sequence[Candidate[T]]) -> Candidate[T] | None:
        """The winning candidate (None only when there is none)."""
        ...


def _newest_first(candidates: Sequence[Candidate[T]]) -> list[Candidate[T]]:
    # stable: among equal times the earlier candidate (the caller's order) wins
    return sorted(candidates, key=lambda c: c.modified_at or _EPOCH, reverse=True)


@dataclass(frozen=True, slots=True)
class MostRecent:
    """The value changed last wins; a side without a time counts as oldest."""

    def choose(self, candidates: Sequence[Candidate[T]]) -> Candidate[T] | None:
        ordered = _newest_first(candidates)
        return ordered[0] if ordered else None


@dataclass(frozen=True, slots=True)
class SourcePriority:
    """The most trusted connection holding the field wins; others after it, by `then`."""

    sources: tuple[str, ...]
    then: Policy = field(default_factory=MostRecent)

    def choose(self, candidates: Sequence[Candidate[T]]) -> Candidate[T] | None:
        for source in self.sources:
            ranked = [c for c in candidates if c.source == source]
            if ranked:
                return MostRecent().choose(ranked)
        return self.then.choose(candidates)


def _completeness(value: Any) -> int:
    if is_blank(value):
        return 0
    if isinstance(value, dict):
        return sum(_completeness(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(_completeness(v) for v in value)
    return len(str(value))


@dataclass(frozen=True, slots=True)
class MostComplete:
    """The fullest value wins (most filled parts, longest text); ties go to the newest."""

    def choose(self, candidates: Sequence[Candidate[T]]) -> Candidate[T] | None:
        ordered = _newest_first(candidates)
        return max(ordered, key=lambda c: _completeness(c.value)) if ordered else None


@dataclass(frozen=True, slots=True)
class NeverBlank:
    """`inner` chooses among the sides that hold a value; blank only when every side is."""

    inner: Policy

    def choose(self, candidates: Sequence[Candidate[T]]) -> Candidate[T] | None:
        filled = [c for c in candidates if not is_blank(c.value)]
        return self.inner.choose(filled or candidates)


def policy_from_spec(spec: SurvivorshipSpec) -> Policy:
    """The policy a `survivorship` config entry describes."""
    inner: Policy
    if spec.policy == "source_priority":
        inner = SourcePriority(tuple(spec.sources))
    elif spec.policy == "most_complete":
        inner = MostComplete()
    else:
        inner = MostRecent()
    return NeverBlank(inner) if spec.never_blank else inner
