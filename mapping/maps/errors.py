"""What goes wrong in mapping, and where.

    MappingError (ValueError)
    ├── MapDefinitionError    a map file is wrong; `problems` lists each with its location and fix
    └── RecordMappingError    one record cannot be mapped; names connection, entity, remote id
                              and every bad field with its value and reason (the record is
                              quarantined, the batch goes on)

Value transforms raise `mapping.transforms.TransformError`; the engine wraps it into a
RecordMappingError with the record's context around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Direction",
    "FieldProblem",
    "MapDefinitionError",
    "MapProblem",
    "MappingError",
    "RecordMappingError",
]

Direction = Literal["pull", "push"]
Loc = tuple[int | str, ...]

# A value that was not there at all (a missing required field) rather than a bad one.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class MappingError(ValueError):
    """Base of every mapping error."""


@dataclass(frozen=True, slots=True)
class MapProblem:
    """One thing wrong in a map file: where (a key path inside the file), what, and the fix."""

    loc: Loc
    message: str
    fix: str | None = None

    @property
    def where(self) -> str:
        out = ""
        for part in self.loc:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out or "(top level)"

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text


class MapDefinitionError(MappingError):
    """A map file does not describe a usable map. `problems` holds every problem found."""

    def __init__(self, problems: list[MapProblem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One field that could not be mapped: the remote field, the canonical field, value, why."""

    remote_field: str | None
    canonical_field: str | None
    value: Any
    reason: str

    @property
    def field(self) -> str:
        """The field as an operator looks for it: remote name first, canonical name after."""
        if self.remote_field and self.canonical_field:
            return f"{self.remote_field} (→ {self.canonical_field})"
        return self.remote_field or self.canonical_field or "(record)"

    def __str__(self) -> str:
        if self.value is MISSING:
            return f"{self.field}: {self.reason}"
        return f"{self.field}: {_short(self.value)} {self.reason}"


class RecordMappingError(MappingError):
    """One record could not be mapped; it is quarantined with this error, the batch goes on.

    `problems` lists every bad field of the record (not only the first). `field`, `value` and
    `reason` are those of the first problem, for one-line displays.
    """

    def __init__(
        self,
        *,
        connection: str,
        entity: str,
        remote_id: str | None,
        direction: Direction,
        problems: list[FieldProblem],
    ) -> None:
        if not problems:
            raise ValueError("a RecordMappingError needs at least one problem")
        self.connection = connection
        self.entity = entity
        self.remote_id = remote_id
        self.direction = direction
        self.problems = problems
        record = f"{entity} {remote_id}" if remote_id else f"new {entity}"
        verb = "from" if direction == "pull" else "to"
        details = "; ".join(str(p) for p in problems)
        super().__init__(f"cannot map {record} {verb} {connection}: {details}")

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def value(self) -> Any:
        return self.problems[0].value

    @property
    def reason(self) -> str:
        return self.problems[0].reason

    def as_dict(self) -> dict[str, Any]:
        """A JSON-safe summary for the quarantine table and logs (values as their repr)."""
        return {
            "connection": self.connection,
            "entity": self.entity,
            "remote_id": self.remote_id,
            "direction": self.direction,
            "problems": [
                {
                    "remote_field": p.remote_field,
                    "canonical_field": p.canonical_field,
                    "value": None if p.value is MISSING else _short(p.value, 200),
                    "reason": p.reason,
                }
                for p in self.problems
            ],
        }
