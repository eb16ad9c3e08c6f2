"""In-memory record store of one module (e.g. Accounts) with the indexes paging needs.

Rows are kept in a dict by id and in three sorted indexes: by id, by (created, id) and by
(modified, id). A page of an index range costs O(log n + page), so 100k rows are served at one
page per call. A query with a predicate the indexes cannot answer scans its range once and caches
the matching ids until the module changes (each write bumps `generation`), so offset paging over
a filtered query stays cheap while nothing is written, and sees every write when something is:
no snapshot isolation, like the real APIs. Equality on any other field is answered from a
`FieldIndex` (`ids_with`), whose ids a query passes back as `among`: then only those rows are
considered, so a search during a write stage costs O(matches), not O(rows).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Literal

from sortedcontainers import SortedList

from connectors.emulator.index import FieldIndex

__all__ = ["Bound", "IndexName", "ModuleStore", "Row", "SortKey"]

IndexName = Literal["id", "created", "modified"]
SortKey = tuple[Callable[["Row"], Any], bool]  # (key of a row, descending)

_HIGH = "\U0010ffff"  # sorts after every id
_CACHE_SIZE = 16


@dataclass(slots=True)
class Row:
    """One stored record: its id, times in epoch milliseconds, and vendor-shaped fields."""

    id: str
    created: int
    modified: int
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "created": self.created, "modified": self.modified, **self.fields}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        rest = {k: v for k, v in data.items() if k not in ("id", "created", "modified")}
        return cls(str(data["id"]), int(data["created"]), int(data["modified"]), rest)


@dataclass(frozen=True, slots=True)
class Bound:
    """A bound on the first component of an index key (the time, or the id)."""

    value: int | str
    inclusive: bool = True


def _key(row: Row, index: IndexName) -> Any:
    """The row's key in `index`: its id, or (time, id)."""
    if index == "id":
        return row.id
    return (row.created if index == "created" else row.modified, row.id)


def _id_of(key: Any) -> str:
    return key if isinstance(key, str) else str(key[1])


def _inside(key: Any, lower: Bound | None, upper: Bound | None) -> bool:
    """Whether an index key is within bounds on its first component (as `_range` cuts)."""
    first: Any = key if isinstance(key, str) else key[0]
    above = lower is None or first > lower.value or (first == lower.value and lower.inclusive)
    below = upper is None or first < upper.value or (first == upper.value and upper.inclusive)
    return above and below


def _sorted_ids(
    rows: Iterable[Row], orders: Sequence[SortKey], where: Callable[[Row], bool] | None
) -> list[str]:
    """Ids of the rows passing `where`, by `orders`, ties by id ascending."""
    kept = [r for r in rows if where is None or where(r)]
    kept.sort(key=lambda r: r.id)
    for key, descending in reversed(orders):  # stable sorts, last key first
        kept.sort(key=key, reverse=descending)
    return [r.id for r in kept]


class ModuleStore:
    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: dict[str, Row] = {}
        self.generation = 0
        self._by_id: SortedList = SortedList()
        self._by_created: SortedList = SortedList()
        self._by_modified: SortedList = SortedList()
        self._cache: OrderedDict[Hashable, list[str]] = OrderedDict()
        self._values = FieldIndex()

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self.rows

    def get(self, row_id: str) -> Row | None:
        return self.rows.get(row_id)

    def load(self, rows: Iterable[Row]) -> None:
        """Replace the contents in one go (bulk index build: much faster than `put` one by one)."""
        self.rows = {row.id: row for row in rows}
        self._by_id = SortedList(self.rows)
        self._by_created = SortedList((r.created, r.id) for r in self.rows.values())
        self._by_modified = SortedList((r.modified, r.id) for r in self.rows.values())
        self._values.clear()
        self._changed()

    def put(self, row: Row) -> None:
        """Insert a row or replace the row with its id (indexes follow its times)."""
        old = self.rows.get(row.id)
        if old is not None:
            self._by_created.remove((old.created, old.id))
            self._by_modified.remove((old.modified, old.id))
        else:
            self._by_id.add(row.id)
        self.rows[row.id] = row
        self._by_created.add((row.created, row.id))
        self._by_modified.add((row.modified, row.id))
        self._values.file(row)
        self._changed()

    def touch(self, row: Row, modified: int) -> None:
        """Move a stored row to a new modified time (its fields were changed in place)."""
        self._by_modified.remove((row.modified, row.id))
        row.modified = modified
        self._by_modified.add((modified, row.id))
        self._values.file(row)
        self._changed()

    def remove(self, row_id: str) -> Row:
        row = self.rows.pop(row_id)
        self._by_id.remove(row_id)
        self._by_created.remove((row.created, row.id))
        self._by_modified.remove((row.modified, row.id))
        self._values.unfile(row_id)
        self._changed()
        return row

    def ids_with(self, field: str, values: Iterable[Any]) -> set[str] | None:
        """Ids of rows whose `field` (or an item of it) equals one of `values`; None if the
        index cannot answer exactly (see `FieldIndex.ids_with`): then scan."""
        return self._values.ids_with(field, values, self.rows.values())

    def _changed(self) -> None:
        self.generation += 1

    def _index(self, index: IndexName) -> SortedList:
        return {"id": self._by_id, "created": self._by_created, "modified": self._by_modified}[
            index
        ]

    def _range(self, index: IndexName, lower: Bound | None, upper: Bound | None) -> tuple[int, int]:
        keys = self._index(index)
        plain = index == "id"

        def position(bound: Bound, after: bool) -> int:
            if plain:
                return int(
                    keys.bisect_right(bound.value) if after else keys.bisect_left(bound.value)
                )
            return int(keys.bisect_left((bound.value, _HIGH) if after else (bound.value,)))

        lo = 0 if lower is None else position(lower, after=not lower.inclusive)
        hi = len(keys) if upper is None else position(upper, after=upper.inclusive)
        return lo, max(lo, hi)

    def select(
        self,
        index: IndexName,
        *,
        descending: bool = False,
        lower: Bound | None = None,
        upper: Bound | None = None,
        where: Callable[[Row], bool] | None = None,
        where_key: Hashable = None,
        among: AbstractSet[str] | None = None,
        offset: int = 0,
        limit: int = 200,
    ) -> tuple[list[Row], int]:
        """One page of rows in index order within bounds; returns (rows, total matching).

        Ties on the time are broken by id, in the same direction. `where` filters rows the
        index cannot; `where_key` names that filter so its result can be cached. `among`
        (e.g. from `ids_with`) limits the query to those rows: not cached, it costs
        O(m log m) for m candidates, or one walk of the range if that is shorter.
        """
        keys = self._index(index)
        lo, hi = self._range(index, lower, upper)
        if among is not None:
            chosen = self._among(index, among, descending, (lo, hi), lower, upper, where)
            return [self.rows[i] for i in chosen[offset : offset + limit]], len(chosen)
        if where is None:
            total = hi - lo
            if descending:
                start, stop = max(lo, hi - offset - limit), hi - offset
                picked = list(reversed(keys[start:stop])) if stop > start else []
            else:
                picked = keys[lo + offset : min(hi, lo + offset + limit)]
            ids = [k if index == "id" else k[1] for k in picked]
            return [self.rows[i] for i in ids], total
        cache_key = ("select", index, descending, lower, upper, where_key, self.generation)
        matching = self._cached(cache_key)
        if matching is None:
            rows = self.rows
            matching = [
                i
                for k in keys.islice(lo, hi, reverse=descending)
                if where(rows[i := (k if index == "id" else k[1])])
            ]
            self._remember(cache_key, matching)
        return [self.rows[i] for i in matching[offset : offset + limit]], len(matching)

    def _among(
        self,
        index: IndexName,
        among: AbstractSet[str],
        descending: bool,
        span: tuple[int, int],
        lower: Bound | None,
        upper: Bound | None,
        where: Callable[[Row], bool] | None,
    ) -> list[str]:
        """Ids of the candidates within bounds that pass `where`, in index order."""
        lo, hi = span
        if len(among) >= hi - lo:  # walking the range is cheaper than sorting the candidates
            walked = self._index(index).islice(lo, hi, reverse=descending)
            ids = [i for k in walked if (i := k if index == "id" else k[1]) in among]
        else:
            keyed = sorted(
                (_key(row, index) for i in among if (row := self.rows.get(i)) is not None),
                reverse=descending,
            )
            ids = [_id_of(k) for k in keyed if _inside(k, lower, upper)]
        return ids if where is None else [i for i in ids if where(self.rows[i])]

    def select_sorted(
        self,
        orders: Sequence[SortKey],
        orders_key: Hashable,
        *,
        where: Callable[[Row], bool] | None = None,
        where_key: Hashable = None,
        among: AbstractSet[str] | None = None,
        offset: int = 0,
        limit: int = 200,
    ) -> tuple[list[Row], int]:
        """Like `select` for an order no index holds: filter and sort once, cache the ids.

        With `among`, only those rows are filtered and sorted (not cached: O(m log m)).
        """
        if among is not None:
            candidates = (row for i in among if (row := self.rows.get(i)) is not None)
            chosen = _sorted_ids(candidates, orders, where)
            return [self.rows[i] for i in chosen[offset : offset + limit]], len(chosen)
        cache_key = ("sorted", orders_key, where_key, self.generation)
        matching = self._cached(cache_key)
        if matching is None:
            matching = _sorted_ids(self.rows.values(), orders, where)
            self._remember(cache_key, matching)
        return [self.rows[i] for i in matching[offset : offset + limit]], len(matching)

    def _cached(self, key: Hashable) -> list[str] | None:
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
        return found

    def _remember(self, key: Hashable, ids: list[str]) -> None:
        self._cache[key] = ids
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
