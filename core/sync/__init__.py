"""The sync engine: three-way field merge, conflicts, echo suppression, deletes and a plan of
minimal writes through the outbox. See the modules' docstrings; the public API is below."""

from __future__ import annotations

from core.sync.results import (
    MAX_ATTEMPTS,
    ItemStatus,
    ResultCounts,
    apply_push_results,
    discard_dead_letter,
    mark_sent,
    push_items,
    retry_dead_letter,
    retry_delay,
)

__all__ = [
    "MAX_ATTEMPTS",
    "ItemStatus",
    "ResultCounts",
    "apply_push_results",
    "discard_dead_letter",
    "mark_sent",
    "push_items",
    "retry_dead_letter",
    "retry_delay",
]
