"""A plan: the minimal writes that bring every CRM in line with the golden records.

Plain data, so that `crmhub plan --save FILE` can write it and `crmhub apply FILE` can read
it back and check that it still holds: each write says what it is computed from (the golden
record's version and the base snapshot's fingerprint) and carries its idempotency key.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connectors.protocol import WriteMode, WriteOp
from core.sync.values import fingerprint

if TYPE_CHECKING:
    from core.sync.create_guard import HeldCreate
    from core.sync.waits import Wait

__all__ = ["PARTITIONS", "Blocked", "Plan", "PlannedWrite", "partition_of", "priority_of"]

PARTITIONS = 16
# writes outrank pulls (the workers' queue); customers before contacts before opportunities,
# so a contact's customer exists in the target before the contact is written
_PRIORITY = {"customer": 102, "contact": 101, "opportunity": 100}


def partition_of(entity_id: uuid.UUID) -> int:
    """Stable across processes and runs: the writes of one entity keep their order."""
    return int(hashlib.sha256(entity_id.bytes).hexdigest()[:8], 16) % PARTITIONS


def priority_of(kind: str) -> int:
    return _PRIORITY.get(kind, 100)


@dataclass(frozen=True)
class PlannedWrite:
    connection: str
    kind: str
    entity_id: uuid.UUID
    operation: WriteOp
    mode: WriteMode
    payload: dict[str, Any]
    remote_id: str | None
    # field path -> the value written, in the target's terms (the base becomes this)
    canonical: dict[str, Any]
    entity_version: int
    base_fingerprint: str | None
    label: str = ""
    # field path -> [what the CRM has, what it gets], for people reading the plan
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The idempotency key: the same write against the same base is the same item."""
        return fingerprint(
            [
                self.connection,
                self.kind,
                str(self.entity_id),
                self.operation.value,
                self.payload,
                self.remote_id,
                self.base_fingerprint,
            ]
        )

    @property
    def fields(self) -> list[str]:
        return sorted(self.canonical)

    def to_data(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "connection": self.connection,
            "kind": self.kind,
            "entity_id": str(self.entity_id),
            "operation": self.operation.value,
            "mode": self.mode.value,
            "remote_id": self.remote_id,
            "label": self.label,
            "payload": self.payload,
            "canonical": self.canonical,
            "entity_version": self.entity_version,
            "base_fingerprint": self.base_fingerprint,
            "changes": self.changes,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PlannedWrite:
        return cls(
            connection=data["connection"],
            kind=data["kind"],
            entity_id=uuid.UUID(data["entity_id"]),
            operation=WriteOp(data["operation"]),
            mode=WriteMode(data["mode"]),
            payload=dict(data["payload"]),
            remote_id=data.get("remote_id"),
            canonical=dict(data.get("canonical") or {}),
            entity_version=int(data["entity_version"]),
            base_fingerprint=data.get("base_fingerprint"),
            label=data.get("label", ""),
            changes=dict(data.get("changes") or {}),
        )


@dataclass(frozen=True)
class Blocked:
    """A write the planner cannot make (the reason says what is missing)."""

    connection: str
    kind: str
    entity_id: uuid.UUID
    reason: str

    def to_data(self) -> dict[str, Any]:
        return {
            "connection": self.connection,
            "kind": self.kind,
            "entity_id": str(self.entity_id),
            "reason": self.reason,
        }


@dataclass
class Plan:
    writes: list[PlannedWrite] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)
    # entities looked at (id -> version) and the bases of their links (link id -> fingerprint)
    entities: dict[uuid.UUID, int] = field(default_factory=dict)
    bases: dict[int, str] = field(default_factory=dict)
    # looked at, but waiting (a reference not in the target yet, a match under review), and
    # what for (core.sync.waits): they count as planned until that is over
    waits: dict[uuid.UUID, list[Wait]] = field(default_factory=dict)
    # entities whose wait was over when planning began (looked at again, or merged meanwhile)
    woken: set[uuid.UUID] = field(default_factory=set)
    # entities still waiting from earlier plans, not looked at (nothing they wait for changed)
    still_waiting: int = 0
    # creates held because the target probably holds the record already (core.sync.create_guard)
    held: list[HeldCreate] = field(default_factory=list)

    def wait(self, entity_id: uuid.UUID, *waits: Wait) -> None:
        """`entity_id` cannot be planned in a connection yet, for `waits`."""
        self.waits.setdefault(entity_id, []).extend(waits)

    @property
    def waiting(self) -> set[uuid.UUID]:
        """The entities looked at that wait for something."""
        return set(self.waits)

    def __bool__(self) -> bool:
        return bool(self.writes)

    def counts(self) -> dict[str, int]:
        ops = Counter(f"{w.operation.value}s" for w in self.writes)
        per = Counter(f"{w.connection}" for w in self.writes)
        return {
            "creates": ops["creates"],
            "updates": ops["updates"],
            "deletes": ops["deletes"],
            "blocked": len(self.blocked),
            "waiting": len(self.waiting),
            "still_waiting": self.still_waiting,
            "held": len(self.held),
            **{f"writes_{name}": n for name, n in sorted(per.items())},
        }

    def to_data(self) -> dict[str, Any]:
        return {
            "format": 1,
            "writes": [w.to_data() for w in self.writes],
            "blocked": [b.to_data() for b in self.blocked],
            "held": [h.to_data() for h in self.held],
            "state": {
                "entities": {str(k): v for k, v in sorted(self.entities.items(), key=str)},
                "bases": {str(k): v for k, v in sorted(self.bases.items())},
            },
            "counts": self.counts(),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Plan:
        if data.get("format") != 1:
            raise ValueError("not a crmhub plan file (format 1)")
        state = data.get("state") or {}
        return cls(
            writes=[PlannedWrite.from_data(w) for w in data.get("writes", [])],
            entities={uuid.UUID(k): int(v) for k, v in state.get("entities", {}).items()},
            bases={int(k): str(v) for k, v in state.get("bases", {}).items()},
        )
