"""The matcher of one entity kind: prepare a record once, compare two, score, explain.

Built from the kind's `EntityMatching` config; the store-backed matching (`match_record`) and
the batch matching (`crmhub match`, benchmarks) both use it, so one record is judged the same
way everywhere.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.config.matching import EntityMatching
from core.matching.blocking import BlockingRule, build_blocking_rule
from core.matching.comparisons import Comparison, build_comparison
from core.matching.model import Gamma, Weights

__all__ = ["Evidence", "Matcher", "Prepared", "matcher_for"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record read once: each comparison's prepared value and the record's blocking keys."""

    values: tuple[Any, ...]
    keys: tuple[tuple[str, str], ...]


# {"comparison", "level", "weight" (bits), "detail"}: what a person reads in a review.
Evidence = dict[str, Any]


class Matcher:
    """Comparisons, blocking rules and weights of one kind; immutable once built."""

    def __init__(self, kind: str, spec: EntityMatching, weights: Weights | None = None) -> None:
        self.kind = kind
        self.spec = spec
        self.comparisons: tuple[Comparison, ...] = tuple(
            build_comparison(c) for c in spec.comparisons
        )
        self.blocking: tuple[BlockingRule, ...] = tuple(
            build_blocking_rule(b) for b in spec.blocking
        )
        self.weights = weights or self.configured_weights()
        self.veto_levels: tuple[frozenset[int], ...] = tuple(
            frozenset(c.levels.index(name) for name in spec.veto)
            for c, spec in zip(self.comparisons, spec.comparisons, strict=True)
        )
        needs = set(spec.same_crm_needs)
        self.identifying = tuple(i for i, c in enumerate(self.comparisons) if c.label in needs)

    @property
    def level_counts(self) -> tuple[int, ...]:
        return tuple(len(c.levels) for c in self.comparisons)

    def configured_weights(self) -> Weights:
        """Each level's m/u from the config, else the comparison's default."""
        ms, us = [], []
        for comparison, spec in zip(self.comparisons, self.spec.comparisons, strict=True):
            row_m, row_u = [], []
            for name, (m, u) in zip(comparison.levels, comparison.defaults, strict=True):
                configured = spec.levels.get(name)
                row_m.append(configured.m if configured else m)
                row_u.append(configured.u if configured else u)
            ms.append(tuple(row_m))
            us.append(tuple(row_u))
        return Weights(prior=self.spec.prior, m=tuple(ms), u=tuple(us))

    def weights_as_config(self) -> dict[str, dict[str, dict[str, float]]]:
        """The weights in use as `levels:` entries for config/matching.yaml (e.g. after EM)."""
        return self.weights.as_levels(
            [c.label for c in self.comparisons], [c.levels for c in self.comparisons]
        )

    def with_weights(self, weights: Weights) -> Matcher:
        return Matcher(self.kind, self.spec, weights)

    def prepare(self, record: Mapping[str, Any], *, keys: bool = True) -> Prepared:
        """The record read for comparing, with its blocking keys unless `keys` is False (a
        candidate being scored: its keys are not looked at, and they cost a third of reading
        it)."""
        values = tuple(c.prepare(record) for c in self.comparisons)
        return Prepared(values, self.keys(record) if keys else ())

    def keys(self, record: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        """The record's blocking keys alone (what indexing an entity needs)."""
        return tuple(
            (rule.key_type, key) for rule in self.blocking for key in sorted(rule.keys(record))
        )

    def gamma(self, a: Prepared, b: Prepared) -> Gamma:
        return tuple(
            c.level(x, y) for c, x, y in zip(self.comparisons, a.values, b.values, strict=True)
        )

    def score(self, gamma: Gamma) -> float:
        return self.weights.score(gamma)

    def vetoes(self, gamma: Gamma) -> tuple[str, ...]:
        """The comparisons whose level rules out joining automatically (config `veto`)."""
        return tuple(
            c.label
            for c, level, vetoing in zip(self.comparisons, gamma, self.veto_levels, strict=True)
            if level is not None and level in vetoing
        )

    def identifies(self, gamma: Gamma) -> bool:
        """Whether a comparison of `same_crm_needs` says `same` (its first level)."""
        return any(gamma[i] == 0 for i in self.identifying)

    def evidence(self, gamma: Gamma, a: Prepared, b: Prepared) -> list[Evidence]:
        """Why: each observed comparison with its level, weight in bits and the values seen."""
        found: list[Evidence] = []
        for index, (comparison, level) in enumerate(zip(self.comparisons, gamma, strict=True)):
            if level is None:
                continue
            found.append(
                {
                    "comparison": comparison.label,
                    "level": comparison.levels[level],
                    "weight": round(self.weights.bits[index][level], 2),
                    "detail": comparison.detail(a.values[index], b.values[index]),
                }
            )
            if level in self.veto_levels[index]:
                found[-1]["veto"] = True
        return found

    def reason(self, evidence: Sequence[Evidence]) -> str:
        """One line for a person: the strongest reasons first (`phones same +12.3; ...`)."""
        ranked = sorted(evidence, key=lambda e: (not e.get("veto"), -abs(float(e["weight"]))))
        return "; ".join(
            f"{e['comparison']} {e['level']} {e['weight']:+.1f}"
            + (" (veto)" if e.get("veto") else "")
            for e in ranked
        )


# the matchers of the config sections in use (a few: one per kind, per loaded config)
_BUILT: OrderedDict[tuple[str, int], tuple[EntityMatching, Matcher]] = OrderedDict()
_KEPT = 32


def matcher_for(kind: str, spec: EntityMatching) -> Matcher:
    """The matcher of `spec`, built once: the sync matches every new record with the same
    config section, and building the comparisons each time was a fifth of a millisecond."""
    key = (kind, id(spec))
    found = _BUILT.get(key)
    if found is not None and found[0] is spec:
        _BUILT.move_to_end(key)
        return found[1]
    matcher = Matcher(kind, spec)
    _BUILT[key] = (spec, matcher)
    if len(_BUILT) > _KEPT:
        _BUILT.popitem(last=False)
    return matcher
