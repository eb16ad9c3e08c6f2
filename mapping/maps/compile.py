"""Check a map file against the canonical model and the transforms; build the plan once.

Every problem is collected (not just the first), each with its location in the file and a fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from mapping.maps.errors import Loc, MapDefinitionError, MapProblem
from mapping.maps.paths import CanonicalPath, Kind, PathError, parse_path, suggest
from mapping.maps.picklists import Picklist, compile_picklist
from mapping.maps.registry import TRANSFORMS, TransformDef
from mapping.maps.schema import CustomFieldsRule, FieldSpec, MapFile, PicklistSpec
from mapping.model import MODEL_BY_KIND, Contact, Customer, EntityKind, Opportunity

__all__ = ["ConnectorMap", "EntityPlan", "EntryPlan", "compile_map", "parse_map"]

RecordModel = type[Customer] | type[Contact] | type[Opportunity]


@dataclass(frozen=True, slots=True)
class EntryPlan:
    """One checked field entry, not yet bound to a connection."""

    loc: Loc
    spec: FieldSpec
    path: CanonicalPath
    transform: TransformDef
    options: BaseModel
    extra_paths: Mapping[str, CanonicalPath]
    picklist: Picklist | None

    @property
    def pulls(self) -> bool:
        return self.spec.direction != "push"

    @property
    def pushes(self) -> bool:
        return self.spec.direction != "pull"


@dataclass(frozen=True, slots=True)
class EntityPlan:
    kind: EntityKind
    object: str
    id_field: str
    model: RecordModel
    entries: tuple[EntryPlan, ...]
    custom_fields: CustomFieldsRule | None


@dataclass(frozen=True, slots=True)
class ConnectorMap:
    """A checked map file for one connector type; bind it to a connection with `Mapper`."""

    connector: str
    default_currency: str
    entities: Mapping[EntityKind, EntityPlan]
    source: str | None = None


def _fix_for_kind(path: CanonicalPath) -> str:
    fitting = sorted(name for name, d in TRANSFORMS.items() if path.kind in d.kinds)
    if fitting:
        return f"use {' or '.join(f'`{name}`' for name in fitting)}"
    if path.kind is Kind.DECIMAL:
        return f"map the whole amount with `money` on `{'.'.join(path.keys[:-1])}`"
    return f"map the parts of {path.text}, e.g. `{path.text}.<part>`"


def _check_fit(
    spec: FieldSpec,
    path: CanonicalPath,
    transform: TransformDef,
    loc: Loc,
    problems: list[MapProblem],
) -> None:
    if path.kind not in transform.kinds:
        problems.append(
            MapProblem(
                (*loc, "transform"),
                f"`{transform.name}` cannot fill {path.text} (it holds {path.kind} values)",
                _fix_for_kind(path),
            )
        )
    elif transform.whole_list and not path.is_list:
        problems.append(
            MapProblem(
                (*loc, "canonical"),
                f"`{transform.name}` fills a whole list, and {path.text} is not one",
                "map it to a list field such as `tags`",
            )
        )
    elif path.is_list and not transform.whole_list:
        problems.append(
            MapProblem(
                (*loc, "canonical"),
                f"{path.text} is a list; `{transform.name}` fills one slot of it",
                f"write `{path.text}[0]` (several remote fields can fill slots 0, 1, …)",
            )
        )
    if not transform.pushes and spec.direction != "pull":
        problems.append(
            MapProblem(
                (*loc, "direction"),
                f"`{transform.name}` only reads; {spec.remote} cannot be written from it",
                "set `direction: pull`",
            )
        )
    if spec.required and spec.invalid == "drop":
        problems.append(
            MapProblem(
                (*loc, "invalid"),
                "a required field cannot be dropped when invalid",
                "remove `invalid: drop` or `required: true`",
            )
        )


def _options(
    transform: TransformDef,
    spec: FieldSpec,
    model: RecordModel,
    loc: Loc,
    problems: list[MapProblem],
) -> tuple[BaseModel | None, dict[str, CanonicalPath]]:
    try:
        options = transform.options.model_validate(spec.options)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            fix = None
            if err["type"] == "extra_forbidden":
                fields = list(transform.options.model_fields)
                guess = suggest(str(err["loc"][-1]), fields)
                takes = f"`{transform.name}` takes {', '.join(fields) or 'no options'}"
                fix = f"did you mean `{guess}`?" if guess else takes
            message = err["msg"].removeprefix("Value error, ")
            problems.append(MapProblem((*loc, "options", *err["loc"]), message, fix))
        return None, {}
    extra: dict[str, CanonicalPath] = {}
    for name in transform.path_options:
        text = getattr(options, name)
        if text is None:
            continue
        try:
            extra_path = parse_path(model, text)
        except PathError as exc:
            problems.append(MapProblem((*loc, "options", name), exc.message, exc.fix))
            continue
        if extra_path.kind is not Kind.TEXT or len(extra_path.keys) != 1 or extra_path.is_list:
            problems.append(MapProblem((*loc, "options", name), f"{text} is not a name field"))
            continue
        extra[name] = extra_path
    return options, extra


def _picklist(
    spec: FieldSpec,
    path: CanonicalPath,
    transform: TransformDef,
    file: MapFile,
    loc: Loc,
    problems: list[MapProblem],
) -> Picklist | None:
    if not transform.picklist:
        if spec.picklist is not None:
            problems.append(
                MapProblem(
                    (*loc, "picklist"),
                    f"`{transform.name}` takes no picklist",
                    "use `transform: picklist`, or remove `picklist:`",
                )
            )
        return None
    if spec.picklist is None:
        problems.append(
            MapProblem(
                loc,
                "the picklist transform needs a `picklist:`",
                "name one from `picklists:` or write it here",
            )
        )
        return None
    if isinstance(spec.picklist, PicklistSpec):
        return compile_picklist(spec.remote, spec.picklist, path, (*loc, "picklist"), problems)
    named = file.picklists.get(spec.picklist)
    if named is None:
        guess = suggest(spec.picklist, list(file.picklists))
        problems.append(
            MapProblem(
                (*loc, "picklist"),
                f"no picklist named {spec.picklist!r}",
                f"did you mean `{guess}`?" if guess else "define it under `picklists:`",
            )
        )
        return None
    return compile_picklist(spec.picklist, named, path, ("picklists", spec.picklist), problems)


def _entry(
    kind: EntityKind, index: int, spec: FieldSpec, file: MapFile, problems: list[MapProblem]
) -> EntryPlan | None:
    loc: Loc = ("entities", kind.value, "fields", index)
    model = MODEL_BY_KIND[kind]
    path: CanonicalPath | None = None
    try:
        path = parse_path(model, spec.canonical)
    except PathError as exc:
        problems.append(MapProblem((*loc, "canonical"), exc.message, exc.fix))
    transform = TRANSFORMS.get(spec.transform)
    if transform is None:
        guess = suggest(spec.transform, list(TRANSFORMS))
        fix = f"did you mean `{guess}`?" if guess else f"use one of: {', '.join(TRANSFORMS)}"
        problems.append(
            MapProblem((*loc, "transform"), f"no transform named {spec.transform!r}", fix)
        )
    if path is None or transform is None:
        return None
    _check_fit(spec, path, transform, loc, problems)
    options, extra = _options(transform, spec, model, loc, problems)
    picklist = _picklist(spec, path, transform, file, loc, problems)
    if options is None:
        return None
    return EntryPlan(loc, spec, path, transform, options, MappingProxyType(extra), picklist)


def _check_entity(entries: list[EntryPlan], problems: list[MapProblem]) -> None:
    written: dict[str, EntryPlan] = {}
    last_slot: dict[tuple[str, ...], int] = {}
    for entry in entries:
        if entry.pushes:
            earlier = written.setdefault(entry.spec.remote, entry)
            if earlier is not entry:
                problems.append(
                    MapProblem(
                        (*entry.loc, "remote"),
                        f"{entry.spec.remote} is already written by fields[{earlier.loc[-1]}]",
                        "set `direction: pull` on one of them",
                    )
                )
        slot = entry.path.slot
        if slot is not None and entry.pulls:
            previous = last_slot.get(entry.path.keys, -1)
            if slot <= previous:
                problems.append(
                    MapProblem(
                        (*entry.loc, "canonical"),
                        f"{entry.path.text} comes after slot {previous} of the same list",
                        "list the slots of one list in order: [0], then [1], …",
                    )
                )
            last_slot[entry.path.keys] = slot


def compile_map(file: MapFile, source: str | None = None) -> ConnectorMap:
    """Check `file` and build its plan; raises MapDefinitionError listing every problem."""
    problems: list[MapProblem] = []
    plans: dict[EntityKind, EntityPlan] = {}
    for kind, entity in file.entities.items():
        entries = [_entry(kind, i, spec, file, problems) for i, spec in enumerate(entity.fields)]
        checked = [entry for entry in entries if entry is not None]
        _check_entity(checked, problems)
        plans[kind] = EntityPlan(
            kind,
            entity.object,
            entity.id_field,
            MODEL_BY_KIND[kind],
            tuple(checked),
            entity.custom_fields,
        )
    if problems:
        unique = list(dict.fromkeys(problems))  # a shared picklist reports its problem once
        raise MapDefinitionError(unique, source)
    return ConnectorMap(file.connector, file.default_currency, MappingProxyType(plans), source)


def parse_map(data: Any, source: str | None = None) -> ConnectorMap:
    """Validate parsed YAML as a map file, then compile it (MapDefinitionError on problems)."""
    try:
        file = MapFile.model_validate({} if data is None else data)
    except ValidationError as exc:
        problems = [
            MapProblem(tuple(err["loc"]), err["msg"].removeprefix("Value error, "))
            for err in exc.errors(include_url=False)
        ]
        raise MapDefinitionError(problems, source) from None
    return compile_map(file, source)
