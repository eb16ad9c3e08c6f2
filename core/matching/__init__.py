"""Matching: find the one real customer or contact behind records from every CRM, explainably.

Public API (pure functions over a session; the caller owns the transaction):
- `match_record(session, kind, record, *, connection, remote_id, config)` → `MatchOutcome`
- `index_entity(session, entity_id, kind, golden, *, config, variants=())`
- `rematch_entity(session, entity_id, *, config)` → `MatchOutcome`
- `rematch_contacts_of(session, customer_id, *, config)`: the customer's contacts rematched
  (after customers were merged)
- `decide_match_review(session, review_id, ReviewAction.X, *, config, actor, ...)`
- `unmerge_entity(session, merged_id, *, config, actor, ...)`
- `match_batch(records, Matcher(kind, spec))` for files and benchmarks (no store)
- `reindex_entities(store, config)`: every entity's keys rebuilt (after a blocking change)
Merging and survivorship live in `core.merging`.
"""

from __future__ import annotations

from core.matching.batch import BatchResult, match_batch
from core.matching.decisions import ReviewAction, decide_match_review, unmerge_entity
from core.matching.engine import Evidence, Matcher, Prepared
from core.matching.match import entity_keys, index_entity, match_record
from core.matching.model import Weights
from core.matching.outcome import CandidateScore, Decision, MatchOutcome
from core.matching.reindex import MATCHED_KINDS, ReindexCounts, reindex_entities
from core.matching.rematch import rematch_contacts_of, rematch_entity

__all__ = [
    "MATCHED_KINDS",
    "BatchResult",
    "CandidateScore",
    "Decision",
    "Evidence",
    "MatchOutcome",
    "Matcher",
    "Prepared",
    "ReindexCounts",
    "ReviewAction",
    "Weights",
    "decide_match_review",
    "entity_keys",
    "index_entity",
    "match_batch",
    "match_record",
    "reindex_entities",
    "rematch_contacts_of",
    "rematch_entity",
    "unmerge_entity",
]
