"""Canonical field paths in map files: `name`, `address.city`, `emails[1]`, `custom.credit_code`.

A path is checked against the canonical model when a map is compiled, and knows the kind of
value it holds, so a map that writes a phone transform into `close_date` fails at
`crmhub config check`, not on the first record.
"""

from __future__ import annotations

import difflib
import re
import types
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, TypeAdapter, ValidationError

from mapping.model import Money, OwnerRef, Ref
from mapping.model import values as canonical_values

__all__ = ["CanonicalPath", "Kind", "PathError", "parse_path", "suggest"]


class Kind(StrEnum):
    """What a canonical field holds, as far as choosing a transform goes."""

    TEXT = "text"
    PHONE = "phone"
    EMAIL = "email"
    DOMAIN = "domain"
    COUNTRY = "country"
    REGION = "region"
    CURRENCY = "currency"
    DECIMAL = "decimal"
    INT = "int"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    MONEY = "money"
    REF = "ref"
    OWNER = "owner"
    CHOICE = "choice"
    CUSTOM = "custom"
    GROUP = "group"


_ALIASES: dict[Any, Kind] = {
    canonical_values.Phone: Kind.PHONE,
    canonical_values.Email: Kind.EMAIL,
    canonical_values.Domain: Kind.DOMAIN,
    canonical_values.CountryCode: Kind.COUNTRY,
    canonical_values.RegionCode: Kind.REGION,
    canonical_values.CurrencyCode: Kind.CURRENCY,
    canonical_values.Amount: Kind.DECIMAL,
    canonical_values.UtcDatetime: Kind.DATETIME,
}
_MODELS: dict[type[BaseModel], Kind] = {Money: Kind.MONEY, Ref: Kind.REF, OwnerRef: Kind.OWNER}
_SEGMENT = re.compile(r"([^\W\d][\w-]*)(?:\[(\d+)\])?$")


class PathError(ValueError):
    """A canonical path that does not exist or cannot be mapped; `fix` suggests one that can."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class CanonicalPath:
    """A checked path. `keys` lead into the record's dict; `slot` is a list position."""

    text: str
    keys: tuple[str, ...]
    slot: int | None
    is_list: bool  # the whole list (e.g. `tags`), not one slot of it
    kind: Kind
    annotation: Any  # of one value (the item, for lists), to check picklist targets

    @property
    def top(self) -> str:
        return self.keys[0]

    def check_value(self, value: Any) -> Any:
        """Validate one canonical value for this field; raises ValueError naming why."""
        try:
            return _adapter(self.annotation).validate_python(value)
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            raise ValueError(reason) from None

    def choices(self) -> tuple[str, ...]:
        inner = _unwrap(self.annotation)
        if isinstance(inner, type) and issubclass(inner, Enum):
            return tuple(str(member.value) for member in inner)
        return ()


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


@cache
def _hints(model: type[BaseModel]) -> dict[str, Any]:
    hints = get_type_hints(model, include_extras=True)
    return {name: hints[name] for name in model.model_fields}


def _unwrap(annotation: Any) -> Any:
    """Drop `| None` from a union."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _kind_of(annotation: Any) -> Kind:
    annotation = _unwrap(annotation)
    if annotation in _ALIASES:
        return _ALIASES[annotation]
    base = get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation
    if isinstance(base, type):
        if issubclass(base, BaseModel):
            return _MODELS.get(base, Kind.GROUP)
        if issubclass(base, Enum):
            return Kind.CHOICE
        if issubclass(base, bool):
            return Kind.BOOL
        if issubclass(base, int):
            return Kind.INT
        if issubclass(base, datetime):
            return Kind.DATETIME
        if issubclass(base, date):
            return Kind.DATE
        if issubclass(base, str):
            return Kind.TEXT
    return Kind.GROUP


def suggest(word: str, choices: list[str]) -> str | None:
    """The closest of `choices` to `word`, if one is close enough to be a typo."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown(name: str, owner: str, choices: list[str], prefix: str) -> PathError:
    guess = suggest(name, choices)
    fix = f"did you mean `{prefix}{guess}`?" if guess else f"use one of: {', '.join(choices)}"
    return PathError(f"{owner} has no field {name!r}", fix)


def parse_path(model: type[BaseModel], text: str) -> CanonicalPath:
    """Check `text` against `model` and return the path with the kind of value it holds."""
    segments = text.split(".") if isinstance(text, str) else []
    if not segments or not all(segments):
        raise PathError(f"{text!r} is not a field path", "write e.g. `name` or `address.city`")
    current: type[BaseModel] = model
    keys: list[str] = []
    for position, segment in enumerate(segments):
        match = _SEGMENT.match(segment)
        if match is None:
            raise PathError(f"{segment!r} is not a field name", "e.g. `emails[0]`, `address.city`")
        name, slot_text = match.group(1), match.group(2)
        last = position == len(segments) - 1
        prefix = ".".join(keys) + "." if keys else ""
        if name not in current.model_fields:
            raise _unknown(name, current.__name__, sorted(current.model_fields), prefix)
        keys.append(name)
        annotation = _unwrap(_hints(current)[name])
        origin = get_origin(annotation)
        if origin is dict:  # custom fields: the next segment is the custom field's own name
            return _custom_path(text, keys, segments[position + 1 :], annotation)
        if origin is list:
            item = get_args(annotation)[0]
            if not last:
                raise PathError(f"{name} is a list; nothing can follow it", f"use `{name}[0]`")
            slot = int(slot_text) if slot_text is not None else None
            return CanonicalPath(text, tuple(keys), slot, slot is None, _kind_of(item), item)
        if slot_text is not None:
            raise PathError(f"{name} is not a list", f"use `{prefix}{name}`")
        kind = _kind_of(annotation)
        if last:
            return CanonicalPath(text, tuple(keys), None, False, kind, annotation)
        inner = annotation if isinstance(annotation, type) else None
        if inner is None or not issubclass(inner, BaseModel):
            raise PathError(f"{name} has no parts", f"use `{prefix}{name}`")
        current = inner
    raise AssertionError("unreachable: the loop returns on its last segment")


def _custom_path(text: str, keys: list[str], rest: list[str], annotation: Any) -> CanonicalPath:
    if len(rest) != 1:
        raise PathError(
            "custom fields are one level deep", "write `custom.<name>`, e.g. `custom.credit_code`"
        )
    key_type, value_type = get_args(annotation)
    try:
        name = _adapter(key_type).validate_python(rest[0])
    except ValidationError:
        raise PathError(
            f"{rest[0]!r} is not a custom field name",
            "start with a letter; use letters, digits, _ . -",
        ) from None
    return CanonicalPath(text, (*keys, name), None, False, Kind.CUSTOM, value_type)
