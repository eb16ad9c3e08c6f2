"""Custom fields that pass through by name (`custom_fields: {suffix: __c}` in a map file).

Explicit entries win: a remote field or canonical custom field named by an entry is never
passed through. A pass-through value must be plain (text, whole number, yes/no, list of text);
anything else is left out and reported, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mapping.maps.compile import EntityPlan
from mapping.maps.errors import FieldProblem
from mapping.model import CanonicalRecord
from mapping.transforms import unreadable_text

if TYPE_CHECKING:
    from mapping.maps.engine import Step

__all__ = ["CustomPassthrough"]

# The canonical model's rule for custom field names (mapping.model.values.CustomFieldName).
_NAME = re.compile(r"[^\W\d][\w.-]{0,99}")


def _plain(raw: Any) -> Any:
    unreadable = unreadable_text(raw)
    if unreadable is not None:
        raise ValueError(unreadable)
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, bool | int):
        return raw
    if isinstance(raw, Decimal) and raw.is_finite():
        return f"{raw:f}"
    if isinstance(raw, float):
        return repr(raw)
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return raw
    raise ValueError("is not a plain value (text, whole number, yes/no or a list of text)")


class CustomPassthrough:
    def __init__(
        self,
        prefix: str,
        suffix: str,
        explicit_remote: frozenset[str],
        explicit_custom: frozenset[str],
    ) -> None:
        self.prefix = prefix
        self.suffix = suffix
        self.explicit_remote = explicit_remote
        self.explicit_custom = explicit_custom

    @classmethod
    def build(cls, plan: EntityPlan, steps: Sequence[Step]) -> CustomPassthrough | None:
        rule = plan.custom_fields
        if rule is None:
            return None
        remote = frozenset(step.remote for step in steps)
        custom = frozenset(step.keys[1] for step in steps if step.keys[0] == "custom")
        return cls(rule.prefix, rule.suffix, remote, custom)

    def _name(self, key: str) -> str | None:
        prefix, suffix = self.prefix, self.suffix
        if key in self.explicit_remote or not (key.startswith(prefix) and key.endswith(suffix)):
            return None
        name = key[len(prefix) : len(key) - len(suffix)]
        if not name or name in self.explicit_custom:
            return None
        return name

    def pull(
        self, payload: Mapping[str, Any], out: dict[str, Any], dropped: list[FieldProblem]
    ) -> None:
        for key, raw in payload.items():
            name = self._name(key)
            if name is None or raw is None:
                continue
            canonical = f"custom.{name}"
            if not _NAME.fullmatch(name):
                dropped.append(FieldProblem(key, canonical, raw, "is not a usable custom name"))
                continue
            try:
                value = _plain(raw)
            except ValueError as exc:
                dropped.append(FieldProblem(key, canonical, raw, str(exc)))
                continue
            if value is not None:
                out.setdefault("custom", {}).setdefault(name, value)

    def push(
        self, record: CanonicalRecord, fields: Collection[str] | None, out: dict[str, Any]
    ) -> None:
        wanted = (
            None
            if fields is None
            else {f.removeprefix("custom.") for f in fields if f.startswith("custom.")}
        )
        every = fields is None or "custom" in fields
        for name, value in record.custom.items():
            if name in self.explicit_custom or not (every or (wanted and name in wanted)):
                continue
            out[f"{self.prefix}{name}{self.suffix}"] = value
        for name in wanted or ():
            if name not in record.custom and name not in self.explicit_custom:
                out[f"{self.prefix}{name}{self.suffix}"] = None  # a partial write clears it
