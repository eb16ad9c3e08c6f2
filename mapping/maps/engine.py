"""One entity's plan bound to one connection: pull a payload to a canonical record, push back.

Built once per connection (`Mapper`), then run on every record: the per-record work is a loop
over prepared steps, the transforms themselves, and one pydantic validation of the result.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from mapping.maps.codec import BuildArgs, Codec
from mapping.maps.compile import EntityPlan, EntryPlan
from mapping.maps.context import MappingContext
from mapping.maps.custom import CustomPassthrough
from mapping.maps.errors import MISSING, FieldProblem, RecordMappingError
from mapping.model import CanonicalRecord
from mapping.model.values import VOUCHED
from mapping.transforms import TransformError, unreadable_text

__all__ = ["BoundEntity", "MappedRecord"]

# Input is untrusted: a payload of an unexpected shape is a bad record, not a crash of the batch.
_BAD_INPUT = (TransformError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError)


@dataclass(frozen=True, slots=True)
class MappedRecord:
    """A pulled record in canonical form, with values left out under `invalid: drop`."""

    remote_id: str | None
    record: CanonicalRecord
    dropped: tuple[FieldProblem, ...] = ()


class Step:
    """One entry, ready to run: where to read, how to convert, where to write."""

    __slots__ = (
        "codec",
        "custom_extract",
        "drop",
        "entry",
        "is_list",
        "keys",
        "path_text",
        "remote",
        "required",
        "selectors",
        "slot",
        "vouches",
    )

    def __init__(self, entry: EntryPlan, context: MappingContext) -> None:
        args = BuildArgs(
            entry.spec.remote, entry.path, entry.options, context, entry.extra_paths, entry.picklist
        )
        self.entry = entry
        self.codec: Codec = entry.transform.build(args)
        self.custom_extract = type(self.codec).extract is not Codec.extract
        self.vouches = self.codec.vouches
        self.remote = entry.spec.remote
        self.keys = entry.path.keys
        self.slot = entry.path.slot
        self.is_list = entry.path.is_list
        self.path_text = entry.path.text
        self.required = entry.spec.required is True  # `create`: the sync checks it (planner)
        self.drop = entry.spec.invalid == "drop"
        self.selectors = (entry.path.text, *(p.text for p in entry.extra_paths.values()))

    def put(self, out: dict[str, Any], value: Any) -> None:
        keys = self.keys
        target = out
        for key in keys[:-1]:
            inner = target.get(key)
            if inner is None:
                inner = target[key] = {}
            target = inner
        last = keys[-1]
        if self.slot is not None:
            items = target.get(last)
            if items is None:
                target[last] = [value]
            else:
                items.append(value)
        elif self.is_list:
            target.setdefault(last, []).extend(value)
        elif target.get(last) is None:  # several entries may feed one field: first one wins
            target[last] = value

    def extract(self, record: BaseModel) -> Any:
        if self.custom_extract:
            return self.codec.extract(record)
        value: Any = record
        for key in self.keys:
            value = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
            if value is None:
                return None
        if self.slot is not None:
            return value[self.slot] if self.slot < len(value) else None
        return value

    def selected(self, fields: Collection[str]) -> bool:
        for field in fields:
            for own in self.selectors:
                if own == field or own.startswith((f"{field}.", f"{field}[")):
                    return True
                if field.startswith(f"{own}."):
                    return True
        return False


def _blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, list | dict) and not raw


class BoundEntity:
    """The map of one entity for one connection."""

    def __init__(self, plan: EntityPlan, context: MappingContext) -> None:
        self.plan = plan
        self.context = context
        self.model = plan.model
        steps = [Step(entry, context) for entry in plan.entries]
        pulling = [step for step in steps if step.entry.pulls]
        # Steps that read other canonical values (a region reads its country) run last.
        self.pull_steps = tuple(s for s in pulling if not s.codec.late) + tuple(
            s for s in pulling if s.codec.late
        )
        self.push_steps = tuple(step for step in steps if step.entry.pushes)
        # what the CRM shows: also the read-only fields a transform can render (Created_Time)
        self.render_steps = tuple(
            step for step in steps if step.entry.pushes or step.entry.transform.pushes
        )
        self.custom = CustomPassthrough.build(plan, steps)

    # -- pull ---------------------------------------------------------------------------------

    def pull(self, payload: Mapping[str, Any], remote_id: str | None = None) -> MappedRecord:
        """Map one remote payload; raises RecordMappingError naming every bad field."""
        if remote_id is None:
            found = payload.get(self.plan.id_field) if isinstance(payload, Mapping) else None
            remote_id = None if found is None else str(found)
        if not isinstance(payload, Mapping):
            raise self._error(
                remote_id,
                "pull",
                [FieldProblem(None, None, payload, "is not a record (a JSON object)")],
            )
        out: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        dropped: list[FieldProblem] = []
        vouched: set[str] = set()
        for step in self.pull_steps:
            raw = payload.get(step.remote)
            if _blank(raw):
                if step.required:
                    problems.append(
                        FieldProblem(
                            step.remote, step.path_text, MISSING, "is required but missing"
                        )
                    )
                continue
            unreadable = unreadable_text(raw)
            if unreadable is not None:
                problem = FieldProblem(step.remote, step.path_text, raw, unreadable)
                (dropped if step.drop else problems).append(problem)
                continue
            try:
                value = step.codec.pull(raw, payload, out)
            except _BAD_INPUT as exc:
                reason = exc.reason if isinstance(exc, TransformError) else f"cannot be read: {exc}"
                problem = FieldProblem(step.remote, step.path_text, raw, reason)
                (dropped if step.drop else problems).append(problem)
                continue
            if value is not None:
                step.put(out, value)
                if step.vouches:
                    vouched.add(value)
        if self.custom is not None:
            self.custom.pull(payload, out, dropped)
        if problems:
            raise self._error(remote_id, "pull", problems)
        try:
            record = self.model.model_validate(out, context={VOUCHED: vouched})
        except ValidationError as exc:
            raise self._error(remote_id, "pull", self._model_problems(exc, payload)) from None
        return MappedRecord(remote_id, record, tuple(dropped))

    def _model_problems(
        self, exc: ValidationError, payload: Mapping[str, Any]
    ) -> list[FieldProblem]:
        problems = []
        for err in exc.errors(include_url=False):
            canonical = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
            canonical = canonical.lstrip(".")
            steps = [s for s in self.pull_steps if s.path_text == canonical] or [
                s for s in self.pull_steps if canonical and s.path_text.startswith(canonical)
            ]
            remotes = list(dict.fromkeys(s.remote for s in steps))
            if err["type"] == "missing":
                value: Any = MISSING
                reason = "is required but missing"
            else:
                value = payload.get(remotes[0]) if len(remotes) == 1 else err.get("input")
                reason = err["msg"].removeprefix("Value error, ")
            problems.append(
                FieldProblem(", ".join(remotes) or None, canonical or None, value, reason)
            )
        return problems

    # -- push ---------------------------------------------------------------------------------

    def push(
        self,
        record: CanonicalRecord,
        fields: Collection[str] | None = None,
        remote_id: str | None = None,
        include_read_only: bool = False,
    ) -> dict[str, Any]:
        """The remote-shaped payload of `record`: every mapped field, or only `fields`.

        A full write (`fields` None) leaves out empty values; a partial one writes exactly the
        selected fields, an empty value as null (clearing it in the CRM).
        """
        if not isinstance(record, self.model):
            raise TypeError(f"expected a {self.model.__name__}, got {type(record).__name__}")
        steps = self.render_steps if include_read_only else self.push_steps
        if fields is not None:
            steps = tuple(step for step in steps if step.selected(fields))
        out: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        for step in steps:
            value = step.extract(record)
            if value is None or value == []:
                if step.required:
                    problems.append(
                        FieldProblem(
                            step.remote, step.path_text, MISSING, "is required by the CRM but empty"
                        )
                    )
                elif fields is not None:
                    out[step.remote] = None
                continue
            try:
                out[step.remote] = step.codec.push(value)
            except TransformError as exc:
                problems.append(FieldProblem(step.remote, step.path_text, value, exc.reason))
        if self.custom is not None:
            self.custom.push(record, fields, out)
        if problems:
            raise self._error(remote_id, "push", problems)
        return out

    def _error(
        self, remote_id: str | None, direction: Any, problems: list[FieldProblem]
    ) -> RecordMappingError:
        return RecordMappingError(
            connection=self.context.connection,
            entity=self.plan.kind.value,
            remote_id=remote_id,
            direction=direction,
            problems=problems,
        )
