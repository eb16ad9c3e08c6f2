"""What a match decided, and why: the result the sync engine and the console read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.store import Entity

__all__ = ["CandidateScore", "Decision", "MatchOutcome"]


class Decision(StrEnum):
    LINKED = "linked"  # the record was already linked: nothing decided
    AUTO_MERGE = "auto_merge"  # at or above auto_merge: joined the candidate
    REVIEW = "review"  # grey zone: a new entity for now, and a review item for an operator
    NEW = "new"  # below review: a new entity
    NONE = "none"  # rematch of an entity: no candidate worth a decision


@dataclass(frozen=True)
class CandidateScore:
    """`vetoes`: comparisons on which any record of the candidate conflicts with the record
    (config `veto`): such a candidate is never joined automatically, only reviewed."""

    entity_id: uuid.UUID
    score: float
    evidence: list[dict[str, Any]]
    vetoes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data = {"entity_id": str(self.entity_id), "score": self.score, "evidence": self.evidence}
        return {**data, "vetoes": list(self.vetoes)} if self.vetoes else data


@dataclass(frozen=True)
class MatchOutcome:
    """`entity_id` is the entity the record belongs to now (the candidate on auto_merge);
    `link_id` the record's link when this decision made it (the caller need not look it up);
    `entity`: that entity as loaded or written by this decision, when it has it (so the caller
    reads it without a query: the session holds its objects weakly)."""

    decision: Decision
    entity_id: uuid.UUID
    score: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    candidates: tuple[CandidateScore, ...] = ()
    review_id: int | None = None
    skipped_keys: tuple[str, ...] = ()
    link_id: int | None = None
    entity: Entity | None = field(default=None, compare=False, repr=False)
