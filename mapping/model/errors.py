"""Turning pydantic's errors into ones an operator reads: which field, which value, why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

__all__ = ["CanonicalValidationError", "FieldError", "validate_record"]

M = TypeVar("M", bound=BaseModel)

_MISSING = object()


@dataclass(frozen=True)
class FieldError:
    field: str
    value: Any
    reason: str

    def __str__(self) -> str:
        if self.value is _MISSING:
            return f"{self.field}: {self.reason}"
        return f"{self.field}: {_short(self.value)} {self.reason}"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(msg: str) -> str:
    # pydantic prefixes messages from our validators with "Value error, "; the reason stands alone.
    msg = msg.removeprefix("Value error, ")
    return msg if msg.startswith(("is ", "not ")) else f"is refused: {msg}"


class CanonicalValidationError(ValueError):
    """A record does not fit the canonical model. `errors` lists every bad field."""

    def __init__(self, model: str, errors: list[FieldError]) -> None:
        self.model = model
        self.errors = errors
        lines = "; ".join(str(e) for e in errors)
        super().__init__(f"invalid {model}: {lines}")


def _field_path(model: str, loc: tuple[int | str, ...]) -> str:
    path = model
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_record(model: type[M], data: Any) -> M:
    """Validate `data` as `model`, raising CanonicalValidationError that names field, value, why."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors(include_url=False):
            value = _MISSING if err["type"] == "missing" else err.get("input")
            errors.append(
                FieldError(_field_path(model.__name__, err["loc"]), value, _reason(err["msg"]))
            )
        raise CanonicalValidationError(model.__name__, errors) from None
