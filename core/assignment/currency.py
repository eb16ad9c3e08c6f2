"""Money in assignment rules: compare like with like, or convert with the configured rates.

A threshold always names its currency. Two amounts in one currency compare directly; amounts in
different currencies compare only through `currency.rates` (how many units of the base currency
one unit is worth), and every comparison says which of the two it did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mapping.transforms import TransformError, format_amount, to_currency, to_decimal

__all__ = ["Amount", "Comparison", "Rates"]


@dataclass(frozen=True, slots=True)
class Amount:
    """An exact amount in one ISO 4217 currency (`100000000 CNY`)."""

    value: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.value:f} {self.currency}"

    @classmethod
    def parse(cls, raw: Any) -> Amount:
        """`"100000000 CNY"` or `{amount: "100000000", currency: CNY}`; raises TransformError."""
        if isinstance(raw, Mapping):
            if set(raw) != {"amount", "currency"}:
                raise TransformError("an amount is {amount: …, currency: …}", raw)
            amount, currency = raw["amount"], raw["currency"]
        elif isinstance(raw, str):
            parts = raw.split()
            if len(parts) != 2:
                raise TransformError("an amount needs its currency, e.g. `10000000 CNY`", raw)
            amount, currency = parts
        else:
            raise TransformError("an amount needs its currency, e.g. `10000000 CNY`", raw)
        if isinstance(amount, float):
            raise TransformError("write the amount as text or a whole number, not a float", raw)
        return cls(to_decimal(amount), to_currency(str(currency)))

    @classmethod
    def from_money(cls, data: Any) -> Amount | None:
        """The canonical `Money` JSON form (`{"amount": "12.30", "currency": "CNY"}`), else None."""
        if not isinstance(data, Mapping):
            return None
        try:
            return cls(to_decimal(data.get("amount")), str(data["currency"]))
        except (TransformError, KeyError):
            return None


@dataclass(frozen=True, slots=True)
class Comparison:
    """The sign of `a - b` (None when the two cannot be compared) and how it was reached."""

    sign: int | None
    note: str | None = None


@dataclass(frozen=True)
class Rates:
    """Conversion rates to one base currency: `per_unit["USD"] = 7.1` means 1 USD = 7.1 base."""

    base: str | None = None
    per_unit: Mapping[str, Decimal] = field(default_factory=dict)

    def _in_base(self, currency: str) -> Decimal | None:
        if currency == self.base:
            return Decimal(1)
        return self.per_unit.get(currency)

    def convert(self, amount: Amount, currency: str) -> Amount | None:
        """`amount` in `currency`, or None when no rate links the two."""
        if amount.currency == currency:
            return amount
        source, target = self._in_base(amount.currency), self._in_base(currency)
        if source is None or target is None:
            return None
        return Amount(amount.value * source / target, currency)

    def compare(self, a: Amount, b: Amount) -> Comparison:
        """Compare `a` with `b` in `b`'s currency (like with like, else through the rates)."""
        converted = self.convert(a, b.currency)
        if converted is None:
            missing = a.currency if self._in_base(a.currency) is None else b.currency
            return Comparison(
                None, f"{a} is not comparable with {b}: no rate for {missing} in currency.rates"
            )
        note = None
        if a.currency != b.currency:
            note = f"{a} = {format_amount(converted.value)} {b.currency} at the configured rate"
        value = converted.value - b.value
        return Comparison((value > 0) - (value < 0), note)
