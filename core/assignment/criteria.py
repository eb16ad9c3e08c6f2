"""Criteria: small value objects over a customer's canonical fields, composable with And/Or/Not.

Each object evaluates against a customer's facts (`fields.customer_facts`), either quickly
(`matches`) or recording every comparison it made (`evaluate`, for explanations), and
serialises back to the YAML it was parsed from (`criteria_parse`):

    {country: CN, tier: {in: [A, B]}}                 # both hold (And)
    {any: [{industry: Finance}, {tags: VIP}]}         # either holds (Or)
    {not: {source: fxiaoke}}                          # Not
    {annual_revenue: {">=": 100000000 CNY}}           # money names its currency

A missing value satisfies only `!=`, `not in` and `exists: false`. On list fields (source,
tags, list-valued custom fields) `==` means "contains" and `in` means "shares a value with".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from core.assignment.currency import Amount, Rates
from core.assignment.fields import field_type

__all__ = [
    "Always",
    "And",
    "Check",
    "Compare",
    "Criteria",
    "Literal",
    "Not",
    "Op",
    "Or",
    "Scalar",
]

Scalar = str | int | bool
Literal = Scalar | Amount | tuple[Scalar, ...]


class Op(StrEnum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not in"
    EXISTS = "exists"


ORDERING = frozenset({Op.LT, Op.LE, Op.GT, Op.GE})
_SIGNS = {Op.LT: {-1}, Op.LE: {-1, 0}, Op.GT: {1}, Op.GE: {0, 1}, Op.EQ: {0}, Op.NE: {-1, 1}}


@dataclass(frozen=True, slots=True)
class Check:
    """One comparison as it was made for one customer (what `explain` shows)."""

    field: str
    op: Op
    expected: Literal
    actual: Any
    ok: bool
    note: str | None = None

    def to_data(self) -> dict[str, Any]:
        # the customer's value is in the decision's facts; each check says what it compared
        data = {
            "field": self.field,
            "op": self.op.value,
            "expected": literal_data(self.expected),
            "ok": self.ok,
        }
        if self.note:
            data["note"] = self.note
        return data


class Criteria(Protocol):
    def matches(self, facts: Mapping[str, Any], rates: Rates) -> bool: ...

    def evaluate(self, facts: Mapping[str, Any], rates: Rates, checks: list[Check]) -> bool:
        """Whether it matches, appending the comparisons that decided it (for explanations).

        Evaluation stops where the result is known, as `matches` does: a rule that did not
        match shows the condition that failed, one that matched shows every condition it met.
        """
        ...

    def fields(self) -> Iterator[str]: ...

    def to_data(self) -> dict[str, Any]: ...


def literal_data(value: Literal) -> Any:
    """The YAML form of a literal."""
    if isinstance(value, Amount):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def fact_data(value: Any) -> Any:
    """A customer's value in JSON form (for decisions and explanations)."""
    return str(value) if isinstance(value, Amount) else value


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


@dataclass(frozen=True, slots=True)
class Compare:
    """`field op value`; `value` is already normalised for the field (see criteria_parse)."""

    field: str
    op: Op
    value: Literal

    def matches(self, facts: Mapping[str, Any], rates: Rates) -> bool:
        return self._evaluate(facts.get(self.field), rates)[0]

    def evaluate(self, facts: Mapping[str, Any], rates: Rates, checks: list[Check]) -> bool:
        check = self.check(facts, rates)
        checks.append(check)
        return check.ok

    def fields(self) -> Iterator[str]:
        yield self.field

    def to_data(self) -> dict[str, Any]:
        if self.op is Op.EQ:
            return {self.field: literal_data(self.value)}
        return {self.field: {self.op.value: literal_data(self.value)}}

    def check(self, facts: Mapping[str, Any], rates: Rates) -> Check:
        actual = facts.get(self.field)
        ok, note = self._evaluate(actual, rates)
        return Check(self.field, self.op, self.value, actual, ok, note)

    def _evaluate(self, actual: Any, rates: Rates) -> tuple[bool, str | None]:
        if self.op is Op.EXISTS:
            return _present(actual) == self.value, None
        if not _present(actual):
            return self.op in (Op.NE, Op.NOT_IN), "no value"
        if isinstance(actual, list):
            return self._on_list(actual)
        if isinstance(self.value, Amount) or isinstance(actual, Amount):
            return self._on_money(actual, rates)
        wanted = self.value if isinstance(self.value, tuple) else (self.value,)
        if self.op in (Op.IN, Op.NOT_IN):
            found = _fold(actual) in {_fold(v) for v in wanted}
            return found == (self.op is Op.IN), None
        if self.op in ORDERING and not (_is_number(actual) and _is_number(self.value)):
            return False, "not a number"
        if self.op in (Op.EQ, Op.NE) and not isinstance(actual, type(self.value)):
            return self.op is Op.NE, None
        a, b = _fold(actual), _fold(self.value)
        return ((a > b) - (a < b)) in _SIGNS[self.op], None

    def _on_list(self, actual: list[Any]) -> tuple[bool, str | None]:
        have = {_fold(v) for v in actual}
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        wanted = {_fold(v) for v in values}
        if self.op in (Op.EQ, Op.IN):
            return bool(have & wanted), None
        if self.op in (Op.NE, Op.NOT_IN):
            return not have & wanted, None
        return False, "a list has no order"

    def _on_money(self, actual: Any, rates: Rates) -> tuple[bool, str | None]:
        if not (isinstance(actual, Amount) and isinstance(self.value, Amount)):
            return False, "not an amount"
        compared = rates.compare(actual, self.value)
        if compared.sign is None:
            return False, compared.note
        return compared.sign in _SIGNS[self.op], compared.note


def _flatten(kind: type[And] | type[Or], items: tuple[Criteria, ...]) -> tuple[Criteria, ...]:
    out: list[Criteria] = []
    for item in items:
        out.extend(item.items if isinstance(item, kind) else (item,))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Criteria, ...]

    @classmethod
    def of(cls, *items: Criteria) -> Criteria:
        """All of `items`: nested Ands are flattened, and one item stands alone."""
        flat = _flatten(cls, items)
        return flat[0] if len(flat) == 1 else cls(flat)

    def matches(self, facts: Mapping[str, Any], rates: Rates) -> bool:
        return all(item.matches(facts, rates) for item in self.items)

    def evaluate(self, facts: Mapping[str, Any], rates: Rates, checks: list[Check]) -> bool:
        return all(item.evaluate(facts, rates, checks) for item in self.items)

    def fields(self) -> Iterator[str]:
        for item in self.items:
            yield from item.fields()

    def to_data(self) -> dict[str, Any]:
        merged = _merge([item.to_data() for item in self.items])
        return merged if merged is not None else {"all": [i.to_data() for i in self.items]}


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Criteria, ...]

    @classmethod
    def of(cls, *items: Criteria) -> Criteria:
        flat = _flatten(cls, items)
        return flat[0] if len(flat) == 1 else cls(flat)

    def matches(self, facts: Mapping[str, Any], rates: Rates) -> bool:
        return any(item.matches(facts, rates) for item in self.items)

    def evaluate(self, facts: Mapping[str, Any], rates: Rates, checks: list[Check]) -> bool:
        return any(item.evaluate(facts, rates, checks) for item in self.items)

    def fields(self) -> Iterator[str]:
        for item in self.items:
            yield from item.fields()

    def to_data(self) -> dict[str, Any]:
        return {"any": [item.to_data() for item in self.items]}


@dataclass(frozen=True, slots=True)
class Not:
    item: Criteria

    def matches(self, facts: Mapping[str, Any], rates: Rates) -> bool:
        return not self.item.matches(facts, rates)

    def evaluate(self, facts: Mapping[str, Any], rates: Rates, checks: list[Check]) -> bool:
        return not self.item.evaluate(facts, rates, checks)

    def fields(self) -> Iterator[str]:
        yield from self.item.fields()

    def to_data(self) -> dict[str, Any]:
        return {"not": self.item.to_data()}


@dataclass(frozen=True, slots=True)
class Always:
    """No criteria: the fallback rule matches every customer."""

    def matches(self, facts: Mapping[str, Any], rates: Rates) -> bool:
        return True

    def evaluate(self, facts: Mapping[str, Any], rates: Rates, checks: list[Check]) -> bool:
        return True

    def fields(self) -> Iterator[str]:
        yield from ()

    def to_data(self) -> dict[str, Any]:
        return {}


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The items of an And as one mapping, when that parses back to the same items in order.

    Comparisons of one field sit together (`{employee_count: {">=": 10, "<": 50}}`) only when
    they are next to each other; a key used twice otherwise means the `all:` list form.
    """
    merged: dict[str, Any] = {}
    previous: str | None = None
    for part in parts:
        ((key, value),) = part.items()
        if key not in merged:
            merged[key] = value
        elif key == previous and field_type(key) is not None:
            first = merged[key] if isinstance(merged[key], dict) else {Op.EQ.value: merged[key]}
            second = value if isinstance(value, dict) else {Op.EQ.value: value}
            if set(first) & set(second):
                return None
            merged[key] = {**first, **second}
        else:
            return None
        previous = key
    return merged
