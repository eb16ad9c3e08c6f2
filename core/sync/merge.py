"""The three-way field merge: a pulled version against its base and the golden record. Pure.

For one field of one linked record (values compared as `values.same` sees them, the golden
value cut to what that CRM holds):

- unchanged since the base -> nothing (the golden value may have moved on elsewhere; the
  planner writes it to this CRM);
- changed here, the golden record still at the base -> take it (changed on this side only);
- changed here to the golden value -> converged;
- changed here and the golden record changed since by another side -> the field's policy
  chooses between this side and the sides holding the golden value, or `manual` opens a
  conflict and leaves the golden value as it is.

A phone changed here that differs from the golden one only in numbers read in two countries
(the same digits under +1 and +86) is one number, not a change against another: the reading in
the record's country is kept, whatever the policy (`core.merging.readings`).

A new link (a record just matched to an existing entity) has no base: an empty golden field
takes the incoming value, an empty incoming value leaves the golden one, and two different
values go through the same policies.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from core.config.policies import FieldPolicy, PoliciesConfig
from core.merging import Candidate, is_blank
from core.merging.readings import PHONE_FIELDS, in_country
from core.sync.policies import choose
from core.sync.values import same, set_path
from mapping.model import MODEL_BY_KIND, EntityKind, validate_record
from mapping.transforms import join_person_name

__all__ = [
    "Action",
    "FieldMerge",
    "RecordMerge",
    "apply_changes",
    "changed_record",
    "merge_field",
    "merge_record",
    "rederived",
]


COUNTRY = "address.country"


class Action(StrEnum):
    UNCHANGED = "unchanged"  # this side did not change the field
    TAKE = "take"  # changed on this side only (or the golden record had nothing there)
    CONVERGED = "converged"  # changed to the value the golden record already has
    KEEP = "keep"  # new link, nothing here: the golden value stays
    POLICY = "policy"  # several sides changed it: the field's policy chose
    CONFLICT = "conflict"  # several sides changed it, policy manual: an operator chooses
    READING = "reading"  # one number read in two countries: this side's reading is the country's
    DERIVED = "derived"  # this side's value is only its parts joined: it follows the parts


@dataclass(frozen=True)
class FieldMerge:
    path: str
    action: Action
    value: Any  # the golden value after the merge
    golden: Any  # ... and before
    incoming: Any
    base: Any = None
    candidates: tuple[Candidate[Any], ...] = ()
    policy: str | None = None
    winner: str | None = None  # the source whose value the golden record holds now

    @property
    def changes_golden(self) -> bool:
        changing = (Action.TAKE, Action.POLICY, Action.READING)
        return self.action in changing and not same(self.value, self.golden)

    def why(self) -> str:
        if self.action is Action.TAKE:
            return f"changed in {self.winner} only" if self.base is not None else "was empty"
        if self.action is Action.POLICY:
            return f"changed on several sides; {self.policy}: {self.winner} wins"
        if self.action is Action.READING:
            return f"same digits read in another country; {self.winner} read them in the record's"
        return self.action.value


def _cut(value: Any, slots: int | None) -> Any:
    return value[:slots] if slots is not None and isinstance(value, list) else value


def _extend(incoming: Any, golden: Any, slots: int | None) -> Any:
    """The incoming value, keeping the golden list's items past the slots this CRM holds."""
    if slots is None or not isinstance(incoming, list) or not isinstance(golden, list):
        return incoming
    return [*incoming, *(item for item in golden[slots:] if item not in incoming)]


def _reading(path: str, mine: Any, held: Any, countries: Collection[str]) -> Any:
    """The phone value `mine` and `held` are, when they differ only in numbers read in two
    countries (see `core.merging.readings`); None otherwise."""
    if not countries or path not in PHONE_FIELDS or same(mine, held):
        return None
    return in_country(mine, held, countries)


def merge_field(
    path: str,
    *,
    incoming: Candidate[Any],
    base: Any,
    has_base: bool,
    golden: Any,
    golden_sides: Sequence[Candidate[Any]],
    policy: FieldPolicy,
    slots: int | None = None,
    countries: Collection[str] = (),
) -> FieldMerge:
    """Merge one field (see the module docstring). `countries`: the record's country as this
    side and the golden record have it, for phones read in two countries."""
    mine, held = incoming.value, _cut(golden, slots)

    def outcome(action: Action, value: Any, **more: Any) -> FieldMerge:
        return FieldMerge(path, action, value, golden, mine, base if has_base else None, **more)

    if has_base and same(mine, base):
        return outcome(Action.UNCHANGED, golden)
    reading = _reading(path, mine, held, countries)
    if reading is not None and same(reading, held):
        return outcome(Action.CONVERGED, golden)
    if reading is not None:
        return outcome(Action.READING, _extend(reading, golden, slots), winner=incoming.source)
    if has_base and same(held, base):
        return outcome(Action.TAKE, _extend(mine, golden, slots), winner=incoming.source)
    if same(mine, held):
        return outcome(Action.CONVERGED, golden)
    if not has_base:
        if is_blank(held):
            return outcome(Action.TAKE, _extend(mine, golden, slots), winner=incoming.source)
        if is_blank(mine):
            return outcome(Action.KEEP, golden)
    candidates = (incoming, *golden_sides)
    winner = choose(policy, candidates)
    if winner is None:
        return outcome(Action.CONFLICT, golden, candidates=candidates, policy=policy.policy)
    ours = winner is incoming
    value = _extend(mine, golden, slots) if ours else golden
    return outcome(
        Action.POLICY, value, candidates=candidates, policy=policy.policy, winner=winner.source
    )


@dataclass
class RecordMerge:
    """Every field's merge of one pulled record."""

    fields: list[FieldMerge] = field(default_factory=list)

    @property
    def changes(self) -> dict[str, Any]:
        return {f.path: f.value for f in self.fields if f.changes_golden}

    @property
    def conflicts(self) -> list[FieldMerge]:
        return [f for f in self.fields if f.action is Action.CONFLICT]


def merge_record(
    kind: str,
    *,
    incoming: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    golden: Mapping[str, Any],
    source: str,
    modified_at: datetime | None,
    paths: Iterable[str],
    policies: PoliciesConfig,
    golden_sides: Callable[[str], Sequence[Candidate[Any]]],
    slots: Mapping[str, int] | None = None,
    skip: Collection[str] = (),
) -> RecordMerge:
    """Merge every field in `paths` (flat field values; see `merge_field`). `golden_sides(p)`
    are the sides holding the golden value of `p` (asked only when several sides changed);
    fields in `skip` (open conflicts) are left to the caller."""
    merged = RecordMerge()
    countries = {c for c in (incoming.get(COUNTRY), golden.get(COUNTRY)) if isinstance(c, str)}
    for path in sorted(set(paths)):
        if path in skip:
            continue
        merged.fields.append(
            merge_field(
                path,
                incoming=Candidate(incoming.get(path), source, modified_at),
                base=None if base is None else base.get(path),
                has_base=base is not None,
                golden=golden.get(path),
                golden_sides=_Lazy(lambda p=path: golden_sides(p)),  # type: ignore[misc]
                policy=policies.field_policy(kind, path),
                slots=(slots or {}).get(path),
                countries=countries,
            )
        )
    _follow_parts(kind, merged, incoming, source)
    return merged


def _follow_parts(kind: str, merged: RecordMerge, incoming: Mapping[str, Any], source: str) -> None:
    """A derived field (a contact's full name) that this side holds as nothing but its parts
    joined says nothing its parts do not: it follows the merged parts (`apply_changes`
    derives it again when they change) instead of competing with the golden value. Fxiaoke
    holds one name field: its 'Brown' joining a contact whose golden name is Richard Brown
    took the full name under `newest`, beside first_name Richard, and the echo of the next
    write changed it back."""
    for derived, parts in _DERIVED.get(EntityKind(kind), {}).items():
        joined = join_person_name(*(incoming.get(part) for part in parts))
        for index, one in enumerate(merged.fields):
            if (
                one.path == derived
                and one.changes_golden
                and one.winner == source
                and joined is not None
                and same(one.incoming, joined)
            ):
                merged.fields[index] = replace(one, action=Action.DERIVED, value=one.golden)


class _Lazy(Sequence[Candidate[Any]]):
    """The golden sides, read from the store only when a policy needs them."""

    def __init__(self, load: Callable[[], Sequence[Candidate[Any]]]) -> None:
        self._load = load
        self._items: Sequence[Candidate[Any]] | None = None

    def _all(self) -> Sequence[Candidate[Any]]:
        if self._items is None:
            self._items = self._load()
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


# derived by the model from other fields (contact: full_name from first and last name)
_DERIVED = {EntityKind.CONTACT: {"full_name": ("first_name", "last_name")}}


def apply_changes(
    kind: str, golden: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The golden record with `changes` (by path) set, validated by the canonical model (JSON
    form). A derived field whose parts changed without it is derived again. Raises
    CanonicalValidationError when the result is not a valid record."""
    return changed_record(kind, golden, changes).model_dump(mode="json")


def changed_record(kind: str, golden: Mapping[str, Any], changes: Mapping[str, Any]) -> BaseModel:
    """`apply_changes` as the canonical model itself (for a caller that hands it on: it is
    not validated twice)."""
    data = dict(golden)
    for path, value in changes.items():
        data = set_path(data, path, value)
    for derived, parts in _DERIVED.get(EntityKind(kind), {}).items():
        if derived not in changes and any(part in changes for part in parts):
            data.pop(derived, None)
    model: type[BaseModel] = MODEL_BY_KIND[EntityKind(kind)]
    return validate_record(model, data)


def rederived(
    kind: str, before: Mapping[str, Any], after: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, tuple[Any, Any, tuple[str, ...]]]:
    """The derived fields `apply_changes` composed again with a new value (a contact's
    full_name after its first or last name changed): {field: (before, after, its parts)}.
    They changed the golden record as much as `changes` did, so they are audited too."""
    return {
        derived: (before.get(derived), after.get(derived), parts)
        for derived, parts in _DERIVED.get(EntityKind(kind), {}).items()
        if derived not in changes and before.get(derived) != after.get(derived)
    }
