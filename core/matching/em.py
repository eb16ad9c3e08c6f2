"""Estimating m and u without labels (Fellegi-Sunter by expectation maximisation).

u comes from random pairs of records (almost all of them are non-matches, so how often they
agree is how often non-matches agree). m and the share of matches among the candidate pairs
come from EM over the candidate pairs, with u held fixed. Pairs are grouped by their pattern of
levels first, so EM costs the number of distinct patterns, not the number of pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.matching.model import Gamma, Weights

__all__ = ["EmResult", "estimate_u", "estimate_weights"]

_FLOOR = 1e-6


@dataclass(frozen=True)
class EmResult:
    weights: Weights
    iterations: int
    match_share: float  # estimated share of matches among the candidate pairs
    expected_matches: float


def _normalise(counts: Sequence[float], floor: float) -> tuple[float, ...]:
    total = sum(counts)
    if total <= 0:
        return tuple(1.0 / len(counts) for _ in counts)
    raw = [max(c / total, floor) for c in counts]
    scale = sum(raw)
    return tuple(r / scale for r in raw)


def estimate_u(
    random_gammas: Iterable[Gamma], level_counts: Sequence[int], fallback: Weights
) -> tuple[tuple[float, ...], ...]:
    """u per level from gammas of random record pairs; a comparison never observed keeps the
    fallback's u. Each level gets at least one pseudo-count (no level is ever impossible)."""
    counts = [[0.0] * n for n in level_counts]
    for gamma in random_gammas:
        for index, level in enumerate(gamma):
            if level is not None:
                counts[index][level] += 1
    u = []
    for index, row in enumerate(counts):
        if sum(row) == 0:
            u.append(fallback.u[index])
        else:
            u.append(_normalise([c + 1.0 for c in row], _FLOOR))
    return tuple(u)


def estimate_weights(
    gammas: Iterable[Gamma],
    start: Weights,
    *,
    total_pairs: float,
    max_iterations: int = 60,
    tolerance: float = 1e-6,
) -> EmResult:
    """m and the prior from candidate-pair gammas by EM, u fixed at `start.u`.

    `total_pairs` is how many record pairs there are in all (blocked or not); the prior of the
    result is the expected number of matches over it, as a random pair's match probability.
    """
    patterns = Counter(gammas)
    if not patterns:
        return EmResult(start, 0, 0.0, 0.0)
    n_pairs = sum(patterns.values())
    m = [list(row) for row in start.m]
    share = min(max(start.prior * total_pairs / n_pairs, 0.01), 0.5)
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (reported below)
        current = Weights(prior=share, m=tuple(map(tuple, m)), u=start.u)
        expected = [[0.0] * len(row) for row in m]
        matches = 0.0
        for gamma, count in patterns.items():
            p = current.score(gamma) * count
            matches += p
            for index, level in enumerate(gamma):
                if level is not None:
                    expected[index][level] += p
        new_m = [list(_normalise(row, _FLOOR)) for row in expected]
        new_share = min(max(matches / n_pairs, 1e-9), 1 - 1e-9)
        change = max(
            abs(a - b)
            for row_a, row_b in zip(new_m, m, strict=True)
            for a, b in zip(row_a, row_b, strict=True)
        )
        m, share = new_m, new_share
        if change < tolerance:
            break
    expected_matches = share * n_pairs
    prior = min(max(expected_matches / max(total_pairs, 1.0), 1e-12), 0.5)
    weights = Weights(prior=prior, m=tuple(map(tuple, m)), u=start.u)
    return EmResult(weights, iterations, share, expected_matches)
