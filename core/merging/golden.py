"""The golden record of an entity from the values its sources hold, field by field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.config.matching import SurvivorshipConfig
from core.merging.readings import PHONE_FIELDS, read_in_country, record_country
from core.merging.survivorship import Candidate, is_blank, policy_from_spec
from mapping.model import MODEL_BY_KIND, EntityKind, validate_record

__all__ = ["SourceValues", "golden_from_sources"]

# Derived from other fields by the model when they are there; choosing it separately could
# contradict them (field → the fields it is derived from).
_DERIVED = {"contact": {"full_name": ("first_name", "last_name")}}


@dataclass(frozen=True, slots=True)
class SourceValues:
    """A canonical record (JSON form) as one source holds it."""

    data: Mapping[str, Any]
    source: str
    modified_at: datetime | None = None


def _field_names(sources: Sequence[SourceValues]) -> list[str]:
    names: dict[str, None] = {}
    for source in sources:
        for name, value in source.data.items():
            if name == "custom" and isinstance(value, dict):
                names.update({f"custom.{key}": None for key in value})
            else:
                names[name] = None
    return list(names)


def _value(data: Mapping[str, Any], name: str) -> Any:
    if name.startswith("custom."):
        custom = data.get("custom") or {}
        return custom.get(name.removeprefix("custom."))
    return data.get(name)


def _phones_in_country(golden: dict[str, Any], sources: Sequence[SourceValues]) -> None:
    """A surviving number that another source reads in the record's country (any source's)
    is that reading: the same digits under the other country code were a guess."""
    countries = {c for c in (record_country(s.data) for s in sources) if c}
    for name in PHONE_FIELDS & golden.keys():
        others = [s.data.get(name) for s in sources]
        golden[name] = read_in_country(golden[name], others, countries)


def golden_from_sources(
    kind: str, sources: Sequence[SourceValues], config: SurvivorshipConfig
) -> dict[str, Any]:
    """Each field's surviving value by its policy (`config.fields[name]`, else the default);
    `custom.*` fields one by one. The result is validated as the kind's canonical model and
    returned in JSON form. Raises CanonicalValidationError if the winners do not fit together.
    """
    if not sources:
        raise ValueError("a golden record needs at least one source")
    golden: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for name in _field_names(sources):
        spec = config.fields.get(name, config.default)
        candidates = [Candidate(_value(s.data, name), s.source, s.modified_at) for s in sources]
        winner = policy_from_spec(spec).choose(candidates)
        if winner is None or is_blank(winner.value):
            continue
        if name.startswith("custom."):
            custom[name.removeprefix("custom.")] = winner.value
        else:
            golden[name] = winner.value
    if custom:
        golden["custom"] = custom
    _phones_in_country(golden, sources)
    for name, parts in _DERIVED.get(kind, {}).items():
        if any(golden.get(part) for part in parts):
            golden.pop(name, None)
    model = MODEL_BY_KIND[EntityKind(kind)]
    return validate_record(model, golden).model_dump(mode="json")
