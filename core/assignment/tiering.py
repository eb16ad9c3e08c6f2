"""Customer tiers (A/B/C) from configured thresholds: annual revenue, open pipeline, or a field.

Money thresholds name their currency. A customer's amount in another currency is converted with
`currency.rates` when they link the two, otherwise the tier is left as it is and the reason says
so; tiering never guesses an exchange rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.assignment.config import TierSettings
from core.assignment.currency import Amount, Rates
from core.assignment.names import TierBasis
from mapping.model import Tier
from mapping.transforms import format_amount

__all__ = ["TierResult", "Tiering"]


@dataclass(frozen=True, slots=True)
class TierResult:
    """The tier a customer should have (None: leave it as it is) and why."""

    tier: str | None
    why: str


@dataclass(frozen=True)
class Tiering:
    basis: TierBasis
    # highest tier first
    thresholds: tuple[tuple[Tier, Amount | int], ...] = ()
    values: Mapping[str, Tier] = field(default_factory=dict)
    field: str | None = None
    default: Tier = Tier.C

    @classmethod
    def from_settings(cls, settings: TierSettings) -> Tiering:
        thresholds: list[tuple[Tier, Amount | int]] = []
        for tier in sorted(settings.thresholds, key=lambda t: t.value):
            raw = settings.thresholds[tier]
            money = settings.by is not TierBasis.FIELD
            thresholds.append((tier, Amount.parse(raw) if money else int(raw)))  # type: ignore[arg-type]
        values = {v.casefold(): tier for tier, vs in settings.values.items() for v in vs}
        return cls(settings.by, tuple(thresholds), values, settings.field, settings.default)

    def tier_of(
        self, facts: Mapping[str, Any], pipeline: Sequence[Amount], rates: Rates
    ) -> TierResult:
        if self.basis is TierBasis.ANNUAL_REVENUE:
            revenue = facts.get("annual_revenue")
            if not isinstance(revenue, Amount):
                return TierResult(None, "no annual revenue: tier left as it is")
            return self._by_amount(revenue, "annual revenue", rates)
        if self.basis is TierBasis.OPEN_PIPELINE:
            return self._by_pipeline(pipeline, rates)
        return self._by_field(facts.get(self.field or ""))

    def _by_amount(self, amount: Amount, what: str, rates: Rates, note: str = "") -> TierResult:
        for tier, threshold in self.thresholds:
            assert isinstance(threshold, Amount)
            compared = rates.compare(amount, threshold)
            if compared.sign is None:
                return TierResult(None, f"{compared.note}: tier left as it is")
            via = f" ({compared.note})" if compared.note else ""
            if compared.sign >= 0:
                return TierResult(tier.value, f"{what} {amount}{via} ≥ {threshold}{note}")
        lowest = self.thresholds[-1][1]
        return TierResult(self.default.value, f"{what} {amount} < {lowest}{note}")

    def _by_pipeline(self, pipeline: Sequence[Amount], rates: Rates) -> TierResult:
        currency = self.thresholds[0][1].currency  # type: ignore[union-attr]
        total, left_out = Decimal(0), []
        for amount in pipeline:
            converted = rates.convert(amount, currency)
            if converted is None:
                left_out.append(str(amount))
            else:
                total += converted.value
        note = f"; left out (no rate): {', '.join(left_out)}" if left_out else ""
        summed = Amount(Decimal(format_amount(total)), currency)
        return self._by_amount(summed, f"open pipeline of {len(pipeline)}", rates, note)

    def _by_field(self, value: Any) -> TierResult:
        name = self.field
        if value is None or value == "" or value == []:
            return TierResult(None, f"no {name}: tier left as it is")
        if self.values:
            for item in value if isinstance(value, list) else [value]:
                tier = self.values.get(str(item).casefold())
                if tier is not None:
                    return TierResult(tier.value, f"{name} is {item!r}")
            return TierResult(self.default.value, f"{name} {value!r} names no tier")
        if not isinstance(value, int) or isinstance(value, bool):
            return TierResult(None, f"{name} {value!r} is not a number: tier left as it is")
        for tier, threshold in self.thresholds:
            if isinstance(threshold, int) and value >= threshold:
                return TierResult(tier.value, f"{name} {value} ≥ {threshold}")
        return TierResult(self.default.value, f"{name} {value} is below every threshold")
