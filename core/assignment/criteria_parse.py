"""Criteria from YAML data, safely (no eval): every mistake with its path, message and fix.

Keys of a mapping are field names (see `fields.FIELDS`, plus `custom.<name>`) or `all`, `any`,
`not`; several keys must all hold. A field's condition is a value (equality) or a mapping of
operators: `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `exists` (word aliases `eq`, `ne`,
`lt`, `le`, `gt`, `ge`, `not_in` spare the quoting YAML needs for `<` and `>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.assignment.criteria import (
    ORDERING,
    And,
    Compare,
    Criteria,
    Literal,
    Not,
    Op,
    Or,
    Scalar,
)
from core.assignment.currency import Amount
from core.assignment.fields import FieldType, field_type, known_field_names
from core.config.errors import did_you_mean
from mapping.model import Tier
from mapping.transforms import TransformError, to_country_code, to_region_code

__all__ = ["CriteriaError", "CriteriaIssue", "parse_criteria"]

Path = tuple[int | str, ...]

OPS: dict[str, Op] = {op.value: op for op in Op} | {
    "eq": Op.EQ,
    "ne": Op.NE,
    "lt": Op.LT,
    "le": Op.LE,
    "gt": Op.GT,
    "ge": Op.GE,
    "not_in": Op.NOT_IN,
}
LOGICAL = ("all", "any", "not")


@dataclass(frozen=True)
class CriteriaIssue:
    path: Path
    message: str
    fix: str | None
    value: Any = None


class CriteriaError(ValueError):
    def __init__(self, issues: list[CriteriaIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{'.'.join(map(str, i.path))}: {i.message}" for i in issues))


class _RefusedError(Exception):
    def __init__(self, message: str, fix: str | None = None, value: Any = None) -> None:
        self.message = message
        self.fix = fix
        self.value = value


def parse_criteria(data: Any, path: Path = ()) -> Criteria:
    """The criteria `data` describes; raises CriteriaError listing every mistake."""
    issues: list[CriteriaIssue] = []
    parsed = _expression(data, path, issues)
    if issues or parsed is None:
        raise CriteriaError(issues)
    return parsed


def _expression(data: Any, path: Path, issues: list[CriteriaIssue]) -> Criteria | None:
    if not isinstance(data, Mapping) or not data:
        issues.append(
            CriteriaIssue(
                path,
                "criteria are a mapping of field: condition",
                "e.g. `{country: CN, tier: A}`",
                data if not isinstance(data, Mapping) else None,
            )
        )
        return None
    parts: list[Criteria | None] = []
    for key, value in data.items():
        where = (*path, key)
        if key in ("all", "any"):
            parts.append(_group(key, value, where, issues))
        elif key == "not":
            inner = _expression(value, where, issues)
            parts.append(Not(inner) if inner is not None else None)
        else:
            parts.extend(_conditions(str(key), value, where, issues))
    if any(part is None for part in parts):
        return None
    return And.of(*[part for part in parts if part is not None])


def _group(key: str, value: Any, path: Path, issues: list[CriteriaIssue]) -> Criteria | None:
    if not isinstance(value, list) or not value:
        issues.append(
            CriteriaIssue(path, f"`{key}` takes a list of criteria", f"`{key}: [{{…}}, {{…}}]`")
        )
        return None
    items = [_expression(item, (*path, i), issues) for i, item in enumerate(value)]
    if any(item is None for item in items):
        return None
    present = [item for item in items if item is not None]
    return And.of(*present) if key == "all" else Or.of(*present)


def _conditions(name: str, value: Any, path: Path, issues: list[CriteriaIssue]) -> list[Any]:
    kind = field_type(name)
    if kind is None:
        guess = did_you_mean(name, [*known_field_names(), *LOGICAL])
        known = ", ".join(known_field_names())
        fix = f"did you mean `{guess}`?" if guess else f"use one of {known}"
        issues.append(CriteriaIssue(path, "is not a field assignment rules can test", fix, name))
        return [None]
    if isinstance(value, list):
        issues.append(
            CriteriaIssue(
                path,
                "a list needs an operator",
                f"write `{{in: [{', '.join(map(str, value))}]}}`",
                value,
            )
        )
        return [None]
    operators = value if isinstance(value, Mapping) else {Op.EQ.value: value}
    if (
        isinstance(value, Mapping)
        and kind is FieldType.MONEY
        and set(value)
        == {
            "amount",
            "currency",
        }
    ):
        operators = {Op.EQ.value: value}
    if not operators:
        issues.append(CriteriaIssue(path, "empty condition", "e.g. `{exists: true}`"))
        return [None]
    out: list[Any] = []
    for op_name, literal in operators.items():
        where = path if operators is not value else (*path, op_name)
        op = OPS.get(str(op_name))
        if op is None:
            guess = did_you_mean(str(op_name), OPS)
            fix = f"did you mean `{guess}`?" if guess else "use " + ", ".join(o.value for o in Op)
            issues.append(CriteriaIssue(where, "is not an operator", fix, op_name))
            out.append(None)
            continue
        try:
            out.append(Compare(name, op, _literal(kind, name, op, literal)))
        except _RefusedError as refused:
            bad = literal if refused.value is None else refused.value
            issues.append(CriteriaIssue(where, refused.message, refused.fix, bad))
            out.append(None)
    return out


def _literal(kind: FieldType, name: str, op: Op, raw: Any) -> Literal:
    if op is Op.EXISTS:
        if not isinstance(raw, bool):
            raise _RefusedError("`exists` takes true or false", "`{exists: true}`")
        return raw
    if op in ORDERING and kind not in (FieldType.MONEY, FieldType.INTEGER, FieldType.CUSTOM):
        raise _RefusedError(
            f"`{op.value}` does not apply to {name} (it has no order)",
            "use ==, !=, in, not in or exists",
        )
    if op in (Op.IN, Op.NOT_IN):
        if not isinstance(raw, list) or not raw:
            raise _RefusedError(f"`{op.value}` takes a non-empty list", f"`{{{op.value}: [a, b]}}`")
        items: list[Scalar] = []
        for item in raw:
            try:
                scalar = _scalar(kind, name, op, item)
            except _RefusedError as refused:
                raise _RefusedError(refused.message, refused.fix, item) from None
            assert not isinstance(scalar, Amount | tuple)
            items.append(scalar)
        return tuple(items)
    return _scalar(kind, name, op, raw)


def _scalar(kind: FieldType, name: str, op: Op, raw: Any) -> Literal:
    if kind is FieldType.MONEY:
        if op in (Op.IN, Op.NOT_IN):
            raise _RefusedError("amounts are compared with ==, !=, <, <=, >, >=", None)
        try:
            return Amount.parse(raw)
        except TransformError as exc:
            raise _RefusedError(f"is not an amount: {exc.reason}", "e.g. `10000000 CNY`") from None
    if kind is FieldType.INTEGER:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise _RefusedError(f"{name} is compared with whole numbers", "e.g. `500`")
        return raw
    if kind is FieldType.CUSTOM:
        if not isinstance(raw, str | int | bool):
            raise _RefusedError("custom values are text, whole numbers or true/false", None)
        if op in ORDERING and (isinstance(raw, bool) or not isinstance(raw, int)):
            raise _RefusedError(f"`{op.value}` compares whole numbers only", "e.g. `{>=: 10}`")
        return raw
    if not isinstance(raw, str) or not raw.strip():
        raise _RefusedError(f"{name} is compared with text", "quote the value: `'…'`")
    return _text(kind, raw.strip())


def _text(kind: FieldType, text: str) -> str:
    if kind is FieldType.COUNTRY:
        try:
            return to_country_code(text)
        except TransformError as exc:
            raise _RefusedError(exc.reason, "use an ISO 3166-1 code such as CN, US, DE") from None
    if kind is FieldType.REGION:
        return _region(text)
    if kind is FieldType.TIER:
        if text not in Tier.__members__:
            raise _RefusedError("is not a tier", "use A, B or C")
        return text
    return text


def _region(text: str) -> str:
    country, dash, _ = text.partition("-")
    if dash and len(country) == 2:
        try:
            return to_region_code(text, country)
        except TransformError as exc:
            raise _RefusedError(exc.reason, "use an ISO 3166-2 code such as CN-GD") from None
    try:
        code = to_region_code(text, "CN")
    except TransformError:
        raise _RefusedError("is not an ISO 3166-2 region code", "e.g. CN-GD, US-CA") from None
    raise _RefusedError("is not an ISO 3166-2 region code", f"did you mean `{code}`?")
