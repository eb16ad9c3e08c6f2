"""Equality index of one module's rows by field value: the rows holding a value in O(matches).

A field is indexed the first time it is asked for (one pass over the rows), then kept current by
the store's write paths. Rows' fields are changed in place before the store hears of it, so the
index remembers the keys it filed each row under (id -> keys) instead of reading the old row.
A list value is filed under each of its items. A value that cannot be filed (a dict, a list
inside a list) makes the field inexact while such a row exists: the index then says so (None)
and the caller scans, rather than miss that row.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.emulator.store import Row

__all__ = ["FieldIndex"]

_Keys = tuple[Hashable, ...]


def _keys(value: Any) -> _Keys | None:
    """The keys a value is filed under (None: it has an item no dict can hold)."""
    items = value if isinstance(value, list) else (value,)
    try:
        for item in items:
            hash(item)
    except TypeError:
        return None
    return tuple(items)


class _Field:
    """One field's postings: value -> ids, and what each row was filed under."""

    __slots__ = ("filed", "postings", "unfiled")

    def __init__(self) -> None:
        self.postings: dict[Hashable, set[str]] = {}
        self.filed: dict[str, _Keys] = {}
        self.unfiled: set[str] = set()  # rows whose value could not be filed

    def add(self, row_id: str, value: Any) -> None:
        keys = _keys(value)
        if keys is None:
            self.unfiled.add(row_id)
            return
        self.filed[row_id] = keys
        for key in keys:
            self.postings.setdefault(key, set()).add(row_id)

    def discard(self, row_id: str) -> None:
        self.unfiled.discard(row_id)
        for key in self.filed.pop(row_id, ()):
            ids = self.postings[key]
            ids.discard(row_id)
            if not ids:
                del self.postings[key]


class FieldIndex:
    """Rows by the values of the fields asked for so far (see the module docstring)."""

    def __init__(self) -> None:
        self._fields: dict[str, _Field] = {}

    def ids_with(self, field: str, values: Iterable[Any], rows: Iterable[Row]) -> set[str] | None:
        """Ids of rows whose `field` (or an item of it, for a list) equals one of `values`.

        A missing field counts as None. None when the answer cannot be exact: some row holds an
        unfileable value in `field`, or a wanted value is unhashable. `rows` are the module's
        rows, read only the first time `field` is asked for.
        """
        index = self._fields.get(field)
        if index is None:
            index = self._fields[field] = _Field()
            for row in rows:
                index.add(row.id, row.fields.get(field))
        if index.unfiled:
            return None
        found: set[str] = set()
        try:
            for value in values:
                found |= index.postings.get(value, set())
        except TypeError:
            return None
        return found

    def file(self, row: Row) -> None:
        """(Re-)file a row that was added or whose fields changed."""
        for name, index in self._fields.items():
            index.discard(row.id)
            index.add(row.id, row.fields.get(name))

    def unfile(self, row_id: str) -> None:
        for index in self._fields.values():
            index.discard(row_id)

    def clear(self) -> None:
        """Forget every field (after a bulk load: rebuilt lazily when next asked for)."""
        self._fields.clear()
