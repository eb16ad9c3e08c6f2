"""`search_query_info` → a page of rows: AND-ed filters, multi-key orders, offset/limit rules.

Filters on `last_modified_time`, `create_time` and `_id` and orders by them are answered from the
store's indexes (O(log n + page)). `EQ`/`IN` on any other field compared by plain equality asks
the store which rows hold those values (`ModuleStore.ids_with`), so a duplicate search during a
write stage costs O(matches); every predicate is still applied to those rows. Any other filter or
order scans once and is cached until the object changes. Ties are broken by `_id` in the
direction of the last order key.
UNCONFIRMED choices: no `orders` = `last_modified_time` descending; `offset + limit` beyond
`max_window` is rejected (10013); `_id` is always returned, whatever `fieldProjection` says.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.emulator.store import Bound, IndexName, ModuleStore, Row
from connectors.fxiaoke.emulator.envelope import Code, FxError
from connectors.fxiaoke.emulator.objects import FieldType, ObjectDef

__all__ = ["QueryPlan", "plan_query"]

Predicate = Callable[[Row], bool]
_INDEXED: dict[str, IndexName] = {
    "_id": "id",
    "create_time": "created",
    "last_modified_time": "modified",
}
_NUMERIC = (FieldType.TIME, FieldType.DATE, FieldType.NUMBER, FieldType.CURRENCY)


def value_of(row: Row, name: str) -> Any:
    if name == "_id":
        return row.id
    if name == "create_time":
        return row.created
    if name == "last_modified_time":
        return row.modified
    return row.fields.get(name)


def _bad(message: str) -> FxError:
    return FxError(Code.PARAM_INVALID, message)


def _by_equality(kind: FieldType) -> bool:
    """Values of this kind are compared as stored, uncoerced (as `_coerce` and `_stored` do)."""
    return kind not in _NUMERIC and kind is not FieldType.BOOL


def _coerce(kind: FieldType, value: Any, field: str) -> Any:
    if kind in _NUMERIC:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise _bad(f"字段 {field} 的值 {value!r} 不是数字") from None
    if kind is FieldType.BOOL:
        return value in (True, "true", "1", 1)
    return value if isinstance(value, str) else str(value)


def _stored(kind: FieldType, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if kind in _NUMERIC:
        return Decimal(str(value))
    return value


def _predicate(kind: FieldType, field: str, op: str, values: list[Any]) -> Predicate:
    wanted = [_coerce(kind, v, field) for v in values]
    first = wanted[0] if wanted else None
    need = {"BETWEEN": 2, "NBETWEEN": 2, "IS": 0, "ISN": 0}.get(op, 1)
    if len(wanted) < need:
        raise _bad(f"操作符 {op} 需要 {need} 个值")

    def many(row: Row) -> list[Any]:
        raw = value_of(row, field)
        items = raw if isinstance(raw, list) else [raw]
        return [s for s in (_stored(kind, i) for i in items) if s is not None]

    def compare(test: Callable[[Any], bool]) -> Predicate:
        def run(row: Row) -> bool:
            try:
                return any(test(v) for v in many(row))
            except TypeError:
                return False

        return run

    tests: dict[str, Predicate] = {
        "EQ": compare(lambda v: v == first),
        "N": lambda r: not compare(lambda v: v == first)(r),
        "GT": compare(lambda v: v > first),
        "GTE": compare(lambda v: v >= first),
        "LT": compare(lambda v: v < first),
        "LTE": compare(lambda v: v <= first),
        "LIKE": compare(lambda v: str(first) in str(v)),
        "NLIKE": lambda r: not compare(lambda v: str(first) in str(v))(r),
        "IS": lambda r: not many(r),
        "ISN": lambda r: bool(many(r)),
        "IN": compare(lambda v: v in wanted),
        "NIN": lambda r: not compare(lambda v: v in wanted)(r),
        "BETWEEN": compare(lambda v: wanted[0] <= v <= wanted[1]),
        "NBETWEEN": lambda r: not compare(lambda v: wanted[0] <= v <= wanted[1])(r),
        "STARTWITH": compare(lambda v: str(v).startswith(str(first))),
        "ENDWITH": compare(lambda v: str(v).endswith(str(first))),
        "CONTAINS": compare(lambda v: v in wanted),
    }
    if op not in tests:
        raise _bad(f"不支持的操作符 {op}")
    return tests[op]


def _bound(op: str, values: list[Any], field: str) -> tuple[Bound | None, Bound | None] | None:
    """Index bounds equivalent to an operator on an indexed field (None: not expressible)."""
    try:
        vals = [v if field == "_id" else int(Decimal(str(v))) for v in values]
    except (InvalidOperation, ValueError):
        raise _bad(f"字段 {field} 的值不合法") from None
    if any(isinstance(v, str) != (field == "_id") for v in vals) or (not vals and op != "ISN"):
        return None
    ranges = {
        "GT": (Bound(vals[0], False), None) if vals else None,
        "GTE": (Bound(vals[0], True), None) if vals else None,
        "LT": (None, Bound(vals[0], False)) if vals else None,
        "LTE": (None, Bound(vals[0], True)) if vals else None,
        "EQ": (Bound(vals[0], True), Bound(vals[0], True)) if vals else None,
        "BETWEEN": (Bound(vals[0], True), Bound(vals[1], True)) if len(vals) > 1 else None,
    }
    return ranges.get(op)


class QueryPlan:
    """A compiled query over one object's store."""

    def __init__(self, store: ModuleStore) -> None:
        self.store = store
        self.index: IndexName | None = None
        self.descending = False
        self.lower: Bound | None = None
        self.upper: Bound | None = None
        self.predicates: list[Predicate] = []
        self.among: set[str] | None = None  # the only rows that can match (None: any)
        self.orders: list[tuple[str, bool]] = []
        self.key = ""

    def page(self, offset: int, limit: int) -> tuple[list[Row], int]:
        where = (lambda r: all(p(r) for p in self.predicates)) if self.predicates else None
        if self.index is not None:
            return self.store.select(
                self.index,
                descending=self.descending,
                lower=self.lower,
                upper=self.upper,
                where=where,
                where_key=self.key,
                among=self.among,
                offset=offset,
                limit=limit,
            )
        orders = [
            ((lambda r, n=name: _sort_value(value_of(r, n))), not asc) for name, asc in self.orders
        ]
        return self.store.select_sorted(
            orders,
            json.dumps(self.orders),
            where=where,
            where_key=self.key,
            among=self.among,
            offset=offset,
            limit=limit,
        )

    def narrow(self, field: str, values: list[Any]) -> None:
        """Keep only rows holding one of `values` in `field`, if the store's index can tell."""
        ids = self.store.ids_with(field, values)
        if ids is not None:
            self.among = ids if self.among is None else self.among & ids


def _sort_value(value: Any) -> tuple[int, Any]:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return (1, "")
    if isinstance(value, bool | int | float):
        return (0, Decimal(value))
    try:
        return (0, Decimal(value)) if isinstance(value, str) and value[:1].isdigit() else (0, value)
    except InvalidOperation:
        return (0, value)


def plan_query(
    obj: ObjectDef, store: ModuleStore, info: dict[str, Any], visible: Predicate | None, who: str
) -> QueryPlan:
    plan = QueryPlan(store)
    filters = info.get("filters") or []
    orders = info.get("orders") or [{"fieldName": "last_modified_time", "isAsc": False}]
    if not isinstance(filters, list) or not isinstance(orders, list):
        raise _bad("filters 和 orders 必须是数组")
    for order in orders:
        name = order.get("fieldName") if isinstance(order, dict) else None
        if name not in obj.fields:
            raise _bad(f"排序字段 {name} 不存在")
        plan.orders.append((name, bool(order.get("isAsc", False))))
    names = [n for n, _ in plan.orders]
    directions = {asc for _, asc in plan.orders}
    indexed = names[0] in _INDEXED and names[1:] in ([], ["_id"]) and len(directions) == 1
    if indexed:
        plan.index = _INDEXED[names[0]]
        plan.descending = not plan.orders[0][1]
    for item in filters:
        if not isinstance(item, dict):
            raise _bad("filter 格式不正确")
        field, op, values = item.get("field_name"), item.get("operator"), item.get("field_values")
        if field not in obj.fields:
            raise _bad(f"字段 {field} 不存在")
        if not isinstance(values, list):
            raise _bad("field_values 必须是数组")
        if not isinstance(op, str):
            raise _bad("operator 不能为空")
        kind = obj.fields[field].type
        predicate = _predicate(kind, field, op, values)
        if op in ("EQ", "IN") and field not in _INDEXED and _by_equality(kind):
            wanted = values[:1] if op == "EQ" else values  # EQ compares the first value only
            plan.narrow(field, [_coerce(kind, v, field) for v in wanted])
        bounds = _bound(op, values, field) if field in _INDEXED else None
        if (
            bounds is not None
            and plan.index == _INDEXED[field]
            and plan.lower is None
            and plan.upper is None
        ):
            plan.lower, plan.upper = bounds
        else:
            plan.predicates.append(predicate)
    if visible is not None:
        plan.predicates.append(visible)
    plan.key = json.dumps([filters, who], sort_keys=True, default=str)
    return plan
