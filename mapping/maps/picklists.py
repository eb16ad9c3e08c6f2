"""Picklists: a CRM's option values (Zoho stage labels, Fxiaoke option codes) ↔ canonical values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from mapping.maps.codec import BuildArgs, Codec
from mapping.maps.errors import Loc, MapProblem
from mapping.maps.paths import CanonicalPath, Kind, suggest
from mapping.maps.schema import PicklistSpec
from mapping.transforms import TransformError

__all__ = ["Picklist", "PicklistCodec", "compile_picklist"]

_SHOWN = 12  # known values listed in an error before "…"


@dataclass(frozen=True, slots=True)
class Picklist:
    """A checked picklist: remote → canonical for pull, canonical → remote for push."""

    name: str
    pull: Mapping[str, str | None]
    push: Mapping[str, str]
    push_other: str | None
    unknown: str
    default: str | None

    def known(self) -> str:
        values = list(self.pull)
        shown = ", ".join(repr(v) for v in values[:_SHOWN])
        return shown + (", …" if len(values) > _SHOWN else "")


def _canonical(path: CanonicalPath, value: str, loc: Loc, problems: list[MapProblem]) -> str:
    try:
        checked = path.check_value(value)
    except ValueError as exc:
        choices = path.choices()
        fix = f"use one of: {', '.join(choices)}" if choices else None
        if choices:
            guess = suggest(value, list(choices))
            fix = f"did you mean `{guess}`?" if guess else fix
        problems.append(MapProblem(loc, f"{value!r} is not a value of {path.text}: {exc}", fix))
        return value
    return str(checked.value) if isinstance(checked, Enum) else str(checked)


def compile_picklist(
    name: str, spec: PicklistSpec, path: CanonicalPath, loc: Loc, problems: list[MapProblem]
) -> Picklist:
    """Check every canonical value of `spec` against `path`; problems are located under `loc`."""
    pull: dict[str, str | None] = {}
    push: dict[str, str] = {}
    for remote, target in spec.values.items():
        value = (
            None if target is None else _canonical(path, target, (*loc, "values", remote), problems)
        )
        pull[remote] = value
        if value is not None:
            push.setdefault(value, remote)
    for target, remote in spec.push.items():
        push[_canonical(path, target, (*loc, "push", target), problems)] = remote
    default = spec.default
    if default is not None:
        default = _canonical(path, default, (*loc, "default"), problems)
    if spec.unknown == "keep" and path.kind is Kind.CHOICE:
        problems.append(
            MapProblem(
                (*loc, "unknown"),
                f"{path.text} takes only {', '.join(path.choices())}; "
                "unknown values cannot be kept",
                "use `unknown: error`, or `unknown: default` with a `default:`",
            )
        )
    return Picklist(name, pull, push, spec.push_other, spec.unknown, default)


class PicklistCodec(Codec):
    def __init__(self, args: BuildArgs) -> None:
        assert args.picklist is not None
        self.table = args.picklist
        self.field = args.path.text

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        key = raw if isinstance(raw, str) else str(raw) if isinstance(raw, int) else None
        if key is None:
            raise TransformError("expected a picklist value (text or a code)", raw)
        table = self.table
        if key in table.pull:
            return table.pull[key]
        if table.unknown == "keep":
            return key.strip() or None
        if table.unknown == "default":
            return table.default
        raise TransformError(
            f"is not in the {table.name} picklist (known: {table.known()}); add it to the map's "
            "picklist or set `unknown: keep`/`default`",
            raw,
        )

    def push(self, value: Any) -> Any:
        key = str(value.value) if isinstance(value, Enum) else str(value)
        table = self.table
        if key in table.push:
            return table.push[key]
        if table.push_other is not None:
            return table.push_other
        if table.unknown == "keep":
            return key
        raise TransformError(
            f"has no value in the {table.name} picklist for {self.field}; add it under `push:`",
            key,
        )
