"""Which fields one connection holds and writes, per kind, read from its field map.

A CRM holds only what its map reads: a field it does not hold is never "blank there", and the
planner never writes what the map cannot write. Fields are the sync's paths (`name`,
`address.city`, `custom.credit_code`, `phones`); a list the map fills slot by slot
(`phones[0]`) is held only up to its last slot, so a CRM with one phone field changes the
first phone and leaves the others alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.sync.values import GROUPS, flatten
from mapping.maps import Mapper
from mapping.model import EntityKind

__all__ = ["SYSTEM_FIELDS", "FieldSpace", "field_space", "leaf_path"]

# Not synced field by field: the owner is assignment's (entities.owner_id); times are metadata.
SYSTEM_FIELDS = frozenset({"owner", "created_at", "modified_at"})


def leaf_path(keys: tuple[str, ...]) -> str:
    """The sync path of a map entry's canonical keys (`("address", "city")` -> address.city)."""
    if keys[0] in GROUPS and len(keys) > 1:
        return f"{keys[0]}.{keys[1]}"
    return keys[0]


@dataclass(frozen=True)
class FieldSpace:
    """The fields of one kind one connection reads (`held`) and writes (`writable`)."""

    held: frozenset[str]
    writable: frozenset[str]
    # list fields filled slot by slot: how many items the CRM keeps
    slots: Mapping[str, int] = field(default_factory=dict)
    # custom fields pass through by name (`custom_fields:` in the map): any custom.* is held
    custom_passthrough: bool = False
    custom_writable: bool = False
    # read-only fields the CRM derives from a written one (Zoho `Website` -> website, domain):
    # writing the one shows the other in the echo too
    companions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # what the CRM refuses a new record without (the map's `required: true` or `create`)
    required_on_create: frozenset[str] = frozenset()

    def holds(self, path: str) -> bool:
        if path in SYSTEM_FIELDS:
            return False
        if path in self.held:
            return True
        return self.custom_passthrough and path.startswith("custom.")

    def writes(self, path: str) -> bool:
        if path in self.writable:
            return True
        return self.custom_writable and path.startswith("custom.") and path not in self.held

    def view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The record's fields this CRM holds, lists cut to the slots it keeps."""
        return {p: self.cut(p, v) for p, v in flatten(record).items() if self.holds(p)}

    def cut(self, path: str, value: Any) -> Any:
        limit = self.slots.get(path)
        if limit is not None and isinstance(value, list):
            return value[:limit]
        return value

    def paths(self, *records: Mapping[str, Any]) -> set[str]:
        """Every held path present in any of `records`."""
        found: set[str] = set()
        for record in records:
            found.update(p for p in flatten(record) if self.holds(p))
        return found


def _collect(entries: Iterable[Any]) -> tuple[set[str], dict[str, int]]:
    paths: set[str] = set()
    slots: dict[str, int] = {}
    for entry in entries:
        for path in (entry.path, *entry.extra_paths.values()):
            leaf = leaf_path(path.keys)
            paths.add(leaf)
            if path.slot is not None and len(path.keys) == 1:
                slots[leaf] = max(slots.get(leaf, 0), path.slot + 1)
    return paths, slots


def field_space(mapper: Mapper, kind: EntityKind | str) -> FieldSpace | None:
    """The field space of `kind` in `mapper`'s connection, None if its map lacks the kind."""
    plan = mapper.connector_map.entities.get(EntityKind(kind))
    if plan is None:
        return None
    held, slots = _collect(e for e in plan.entries if e.pulls)
    writable, _ = _collect(e for e in plan.entries if e.pushes)
    passthrough = plan.custom_fields is not None
    return FieldSpace(
        held=frozenset(held - SYSTEM_FIELDS),
        writable=frozenset(writable),
        slots=slots,
        custom_passthrough=passthrough,
        custom_writable=passthrough,
        companions=_companions(plan.entries),
        required_on_create=frozenset(
            leaf_path(e.path.keys) for e in plan.entries if e.pushes and e.spec.required
        ),
    )


def _companions(entries: Iterable[Any]) -> dict[str, frozenset[str]]:
    by_remote: dict[str, list[Any]] = {}
    for entry in entries:
        by_remote.setdefault(entry.spec.remote, []).append(entry)
    found: dict[str, set[str]] = {}
    for group in by_remote.values():
        written = {leaf_path(e.path.keys) for e in group if e.pushes}
        derived = {leaf_path(e.path.keys) for e in group if not e.pushes} - written
        for path in written:
            if derived:
                found.setdefault(path, set()).update(derived)
    return {path: frozenset(others) for path, others in found.items()}
