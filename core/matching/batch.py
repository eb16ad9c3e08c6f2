"""Matching a whole batch of records in memory (`crmhub match`, benchmarks).

The same matcher as the store-backed matching, the same decision: records are taken in order
and each one joins the entity (cluster) whose best member scores at or above the auto-merge
threshold and none of whose members conflicts with it (a veto), else it starts its own.
Candidates come from an in-memory blocking index with the same keys and the same cap on
pathological blocks. With `weights: em`, m/u and the prior are
first estimated from the batch itself (u from random pairs, m by EM over the candidate pairs).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.matching.em import estimate_u, estimate_weights
from core.matching.engine import Evidence, Matcher, Prepared
from core.matching.model import Gamma

__all__ = ["BatchResult", "match_batch"]


@dataclass
class BatchResult:
    """Per record (input order): its cluster number, best score and the reason."""

    clusters: list[int]
    scores: list[float | None]
    evidence: list[list[Evidence]]
    reasons: list[str]
    matcher: Matcher
    stats: dict[str, Any] = field(default_factory=dict)


def _candidate_pairs(
    prepared: Sequence[Prepared],
    max_block: int,
    max_candidates: int,
    sources: Sequence[str] | None,
) -> tuple[list[tuple[int, int]], list[str]]:
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, record in enumerate(prepared):
        for key in record.keys:
            blocks[key].append(index)
    skipped = sorted(
        f"{t}={v} ({len(ids)})" for (t, v), ids in blocks.items() if len(ids) > max_block
    )
    pairs: list[tuple[int, int]] = []
    for j, record in enumerate(prepared):
        shared: Counter[int] = Counter()
        for key in record.keys:
            ids = blocks[key]
            if len(ids) > max_block:
                continue
            for i in ids:
                if i >= j:
                    break  # ids are in input order: only earlier records are candidates
                if sources is None or sources[i] != sources[j]:
                    shared[i] += 1
        for i, _ in shared.most_common(max_candidates):
            pairs.append((i, j))
    return pairs, skipped


def _random_gammas(
    matcher: Matcher, prepared: Sequence[Prepared], samples: int, seed: int
) -> list[Gamma]:
    rng = random.Random(seed)  # noqa: S311 (a reproducible sample, not a secret)
    n = len(prepared)
    gammas = []
    for _ in range(samples):
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j:
            gammas.append(matcher.gamma(prepared[i], prepared[j]))
    return gammas


def match_batch(
    records: Sequence[Mapping[str, Any]],
    matcher: Matcher,
    *,
    estimate: bool | None = None,
    random_pairs: int = 30_000,
    seed: int = 1,
    link_only_sources: Sequence[str] | None = None,
) -> BatchResult:
    """Cluster `records` (canonical JSON form); see the module docstring.

    `link_only_sources` (one source name per record) compares only records of different
    sources: linkage of files known to hold no duplicates within themselves.
    """
    spec = matcher.spec
    prepared = [matcher.prepare(record) for record in records]
    pairs, skipped = _candidate_pairs(
        prepared, spec.max_block_size, spec.max_candidates, link_only_sources
    )
    gammas = {pair: matcher.gamma(prepared[pair[0]], prepared[pair[1]]) for pair in pairs}
    stats: dict[str, Any] = {"records": len(records), "pairs": len(pairs), "skipped_keys": skipped}
    if (spec.weights == "em" if estimate is None else estimate) and len(records) > 2:
        start = matcher.weights
        u = estimate_u(
            _random_gammas(matcher, prepared, random_pairs, seed), matcher.level_counts, start
        )
        seeded = type(start)(prior=start.prior, m=start.m, u=u)
        total = len(records) * (len(records) - 1) / 2
        result = estimate_weights(gammas.values(), seeded, total_pairs=total)
        matcher = matcher.with_weights(result.weights)
        stats.update(em_iterations=result.iterations, prior=result.weights.prior)
    by_record: dict[int, list[int]] = defaultdict(list)
    for i, j in pairs:
        by_record[j].append(i)
    auto = spec.thresholds.auto_merge
    clusters: list[int] = []
    scores: list[float | None] = []
    evidence: list[list[Evidence]] = []
    reasons: list[str] = []
    # a batch holds few distinct patterns of levels: (score, vetoed) per pattern
    by_pattern: dict[Gamma, tuple[float, bool]] = {}
    for j in range(len(prepared)):
        best: dict[int, tuple[float, int]] = {}
        vetoed: set[int] = set()  # clusters a member of which conflicts with record j
        for i in by_record.get(j, ()):
            gamma = gammas[(i, j)]
            judged = by_pattern.get(gamma)
            if judged is None:
                judged = by_pattern[gamma] = (matcher.score(gamma), bool(matcher.vetoes(gamma)))
            score, veto = judged
            cluster = clusters[i]
            if veto:
                vetoed.add(cluster)
            if cluster not in best or score > best[cluster][0]:
                best[cluster] = (score, i)
        if not best:
            clusters.append(j)
            scores.append(None)
            evidence.append([])
            reasons.append("no candidate")
            continue
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        joinable = [c for c in ranked if c[1][0] >= auto and c[0] not in vetoed]
        cluster, (score, i) = (joinable or ranked)[0]
        found = matcher.evidence(gammas[(i, j)], prepared[i], prepared[j])
        clusters.append(cluster if joinable else j)
        scores.append(score)
        evidence.append(found)
        reasons.append(matcher.reason(found))
    return BatchResult(clusters, scores, evidence, reasons, matcher, stats)
