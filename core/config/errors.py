"""Config errors that say where (file:line), what is wrong, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from core.config.yaml_lines import LoadedYaml

__all__ = ["ConfigError", "ConfigIssue", "did_you_mean", "issues_from_validation"]


@dataclass(frozen=True)
class ConfigIssue:
    file: Path
    line: int
    where: str
    message: str
    fix: str | None = None
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.where}: {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text


class ConfigError(ValueError):
    """One or more config issues; `issues` holds each one."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _known_fields(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names of the model that owns the key at `loc` (for did-you-mean on typos)."""
    annotation: Any = model
    for part in loc[:-1]:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    owner = _model_in(annotation)
    return list(owner.model_fields) if owner is not None else []


def _step(annotation: Any, part: int | str) -> Any:
    """The annotation one level down: a model's field, a dict's value, a list's item."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        info = annotation.model_fields.get(part) if isinstance(part, str) else None
        return info.annotation if info is not None else None
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is dict:
        return args[1]
    if origin in (list, tuple, set, frozenset):
        return args[0]
    for arg in args:  # a union such as `Schedule | None`
        found = _step(arg, part)
        if found is not None:
            return found
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _fix_for(error: Any, model: type[BaseModel]) -> str | None:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "missing":
        return f"add `{loc[-1]}:`"
    if kind == "extra_forbidden":
        guess = did_you_mean(str(loc[-1]), _known_fields(model, loc))
        return f"did you mean `{guess}`?" if guess else "remove this key"
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected")
        return f"use one of {expected}" if expected else None
    fix = error.get("ctx", {}).get("fix")
    return str(fix) if fix else None


def issues_from_validation(
    exc: ValidationError,
    source: LoadedYaml,
    model: type[BaseModel],
    prefix: tuple[int | str, ...] = (),
) -> list[ConfigIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        loc = (*prefix, *error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if (
            error["type"] != "missing"
            and "input" in error
            and not isinstance(error["input"], dict | list)
        ):
            message = f"{error['input']!r}: {message}"
        issues.append(
            ConfigIssue(
                file=source.file,
                line=source.line_of(loc),
                where=_dotted(loc),
                message=message,
                fix=_fix_for(error, model),
            )
        )
    return issues
