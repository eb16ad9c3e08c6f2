"""`Mapper`: a connector's map bound to one connection; what core calls to map records."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from mapping.maps.compile import ConnectorMap
from mapping.maps.context import MappingContext
from mapping.maps.engine import BoundEntity, MappedRecord
from mapping.maps.errors import RecordMappingError
from mapping.model import CanonicalRecord, EntityKind

__all__ = ["Mapper", "PullBatch", "Quarantined", "RemotePayload"]


class RemotePayload(Protocol):
    """A remote record as a connector yields it (`connectors.protocol.RemoteRecord` is one)."""

    @property
    def remote_id(self) -> str: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record that could not be mapped: its raw payload and why."""

    remote_id: str | None
    payload: Any
    error: RecordMappingError


@dataclass(slots=True)
class PullBatch:
    """The outcome of mapping a page: good records in input order, and the quarantined rest."""

    mapped: list[MappedRecord] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)


class Mapper:
    """Maps records of one connection between its CRM's shape and the canonical model.

    Build it once per connection (the map is compiled and bound here) and use it for every
    record. It holds no state between records: safe to share across threads.
    """

    def __init__(self, connector_map: ConnectorMap, context: MappingContext) -> None:
        self.connector_map = connector_map
        self.context = context
        self._entities = {
            kind: BoundEntity(plan, context) for kind, plan in connector_map.entities.items()
        }

    @property
    def connection(self) -> str:
        return self.context.connection

    def entities(self) -> tuple[EntityKind, ...]:
        return tuple(self._entities)

    def _entity(self, kind: EntityKind | str) -> BoundEntity:
        try:
            return self._entities[EntityKind(kind)]
        except (KeyError, ValueError):
            raise KeyError(
                f"the {self.connector_map.connector} map has no entity {kind!r} "
                f"(it maps: {', '.join(k.value for k in self._entities)})"
            ) from None

    def pull(
        self, kind: EntityKind | str, payload: Mapping[str, Any], *, remote_id: str | None = None
    ) -> CanonicalRecord:
        """The canonical record of one remote payload; raises RecordMappingError."""
        return self._entity(kind).pull(payload, remote_id).record

    def pull_one(
        self, kind: EntityKind | str, payload: Mapping[str, Any], *, remote_id: str | None = None
    ) -> MappedRecord:
        """Like `pull`, also reporting values left out under `invalid: drop`."""
        return self._entity(kind).pull(payload, remote_id)

    def pull_batch(self, kind: EntityKind | str, records: Iterable[RemotePayload]) -> PullBatch:
        """Map a page of remote records; a bad record is quarantined, never the batch."""
        entity = self._entity(kind)
        batch = PullBatch()
        for remote in records:
            try:
                batch.mapped.append(entity.pull(remote.payload, remote.remote_id))
            except RecordMappingError as exc:
                batch.quarantined.append(Quarantined(remote.remote_id, remote.payload, exc))
        return batch

    def push(
        self,
        kind: EntityKind | str,
        record: CanonicalRecord,
        *,
        fields: Collection[str] | None = None,
        remote_id: str | None = None,
        include_read_only: bool = False,
    ) -> dict[str, Any]:
        """The remote-shaped payload of `record` (only mapped fields; only `fields` if given).

        References and the owner must already carry this connection's remote ids. `remote_id`
        only names the target record in errors. `include_read_only` also renders read-only
        fields as the CRM shows them (Created_Time, Full_Name): for fixtures and emulators,
        never for a write. Raises RecordMappingError.
        """
        return self._entity(kind).push(record, fields, remote_id, include_read_only)

    def canonical_fields(
        self, kind: EntityKind | str, direction: Literal["pull", "push"]
    ) -> frozenset[str]:
        """The top-level canonical fields this map reads from (pull) or writes to (push) the CRM."""
        entity = self._entity(kind)
        steps = entity.pull_steps if direction == "pull" else entity.push_steps
        names = {s.keys[0] for s in steps}
        for step in steps:
            names.update(path.top for path in step.entry.extra_paths.values())
        if entity.custom is not None:
            names.add("custom")
        return frozenset(names)
