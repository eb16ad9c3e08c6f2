"""The Fellegi-Sunter model: each comparison level weighs log2(m/u) bits for or against a match.

m: how often true matches show the level; u: how often non-matches do. A pair's total is the
prior log-odds plus the weight of each observed level (a level not observed weighs nothing);
its score is the match probability that total stands for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Gamma", "Weights", "probability_of"]

# One level index per comparison (None: no evidence, a side has no value).
Gamma = tuple[int | None, ...]


def probability_of(total_bits: float) -> float:
    """The match probability a total weight (log2 odds) stands for."""
    if total_bits > 60:
        return 1.0
    if total_bits < -60:
        return 0.0
    return 1.0 / (1.0 + math.pow(2.0, -total_bits))


@dataclass(frozen=True)
class Weights:
    """m and u per comparison and level, and the prior probability of a match."""

    prior: float
    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    bits: tuple[tuple[float, ...], ...] = field(init=False, repr=False, compare=False)
    prior_bits: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bits = tuple(
            tuple(math.log2(mi / ui) for mi, ui in zip(m, u, strict=True))
            for m, u in zip(self.m, self.u, strict=True)
        )
        object.__setattr__(self, "bits", bits)
        object.__setattr__(self, "prior_bits", math.log2(self.prior / (1.0 - self.prior)))

    def total(self, gamma: Gamma) -> float:
        total = self.prior_bits
        for bits, level in zip(self.bits, gamma, strict=True):
            if level is not None:
                total += bits[level]
        return total

    def score(self, gamma: Gamma) -> float:
        return probability_of(self.total(gamma))

    def with_prior(self, prior: float) -> Weights:
        return Weights(prior=prior, m=self.m, u=self.u)

    def as_levels(
        self, labels: Sequence[str], levels: Sequence[Sequence[str]]
    ) -> dict[str, dict[str, dict[str, float]]]:
        """The weights as config data: {comparison: {level: {m, u}}}."""
        return {
            label: {
                name: {"m": round(m, 6), "u": round(u, 8)}
                for name, m, u in zip(names, ms, us, strict=True)
            }
            for label, names, ms, us in zip(labels, levels, self.m, self.u, strict=True)
        }
