"""Values of unique and duplicate-check fields, for DUPLICATE_DATA and upsert matching."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connectors.emulator.store import Row
from connectors.zoho.emulator.schema import MODULES

__all__ = ["UniqueIndex"]


def _key(value: Any) -> str | None:
    # Zoho's duplicate check ignores case and surrounding spaces
    if value is None or value == "":
        return None
    return str(value).strip().casefold()


class UniqueIndex:
    """(module, field) → normalised value → ids holding it (seeded data may hold duplicates)."""

    def __init__(self) -> None:
        self._index: dict[tuple[str, str], dict[str, set[str]]] = {}

    @staticmethod
    def fields(module: str) -> tuple[str, ...]:
        spec = MODULES[module]
        return tuple(dict.fromkeys((spec.dup_check, *spec.unique)))

    def rebuild(self, module: str, rows: Iterable[Row]) -> None:
        for field in self.fields(module):
            self._index[(module, field)] = {}
        for row in rows:
            self.add(module, row)

    def add(self, module: str, row: Row) -> None:
        for field in self.fields(module):
            key = _key(row.fields.get(field))
            if key is not None:
                self._index.setdefault((module, field), {}).setdefault(key, set()).add(row.id)

    def discard(self, module: str, row: Row) -> None:
        for field in self.fields(module):
            key = _key(row.fields.get(field))
            holders = self._index.get((module, field), {}).get(key or "")
            if holders is not None:
                holders.discard(row.id)

    def holder(self, module: str, field: str, value: Any, besides: str | None = None) -> str | None:
        """An id (the smallest) other than `besides` whose `field` equals `value`."""
        key = _key(value)
        if key is None:
            return None
        holders = self._index.get((module, field), {}).get(key, set()) - {besides}
        return min(holders) if holders else None
