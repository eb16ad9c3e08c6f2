"""Closed sets of names used across assignment: strategies, dispute policies, tier bases."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DecisionKind", "DisputePolicy", "StrategyName", "TierBasis"]


class StrategyName(StrEnum):
    FIXED = "fixed"
    ROUND_ROBIN = "round_robin"
    WEIGHTED = "weighted"
    LEAST_LOADED = "least_loaded"
    EXPERTISE = "expertise"
    POOL = "pool"


class DisputePolicy(StrEnum):
    SOURCE_PRIORITY = "source_priority"
    EARLIEST = "earliest"
    MANUAL = "manual"


class TierBasis(StrEnum):
    ANNUAL_REVENUE = "annual_revenue"
    OPEN_PIPELINE = "open_pipeline"
    FIELD = "field"


class DecisionKind(StrEnum):
    """What an assignment decision did (only KEEP leaves no row behind)."""

    ASSIGN = "assign"  # an unowned customer got an owner by a rule
    REASSIGN = "reassign"  # an owned customer moved to another owner (or the pool)
    ADOPT = "adopt"  # an unowned golden customer kept the owner its CRMs agree on
    POOL = "pool"  # an unowned customer stays in the pool (公海) by a rule
    DISPUTE_POLICY = "dispute_policy"  # CRMs disagreed; the dispute policy chose
    DISPUTE_REVIEW = "dispute_review"  # CRMs disagreed; an operator will choose
    DISPUTE_OPERATOR = "dispute_operator"  # an operator chose
    INHERIT = "inherit"  # a contact or opportunity followed its customer's owner
    KEEP = "keep"  # nothing changed
