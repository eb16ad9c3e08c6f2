"""Schema of `config/policies.yaml`: how the sync resolves fields, deletes and what it may write.

- `default` / `fields` / `kinds.<kind>.fields`: the policy of a field changed on several CRMs
  since their last sync: `source_priority` (with `sources`, most trusted first), `newest` (the
  latest remote modified time), `never_blank` (newest among the sides holding a value), or
  `manual` (a conflict for an operator; the golden value waits). A field path may name a
  group (`address`, `custom`) to cover its parts.
- `deletes`: per kind, what a record deleted in one CRM does: `propagate` (delete it in the
  others too), `unlink` (forget that CRM's record; the entity lives on in the others) or `ask`
  (a delete review). `mass_delete` stops propagation when one pull deletes too much.
- `targets`: per connection, which kinds the sync may create, update and delete there.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from core.config.errors import did_you_mean
from core.config.schema import Strict
from mapping.model import MODEL_BY_KIND, Address, EntityKind

__all__ = [
    "DeletePolicy",
    "FieldPolicy",
    "FieldPolicyName",
    "KindPolicies",
    "MassDeleteGuard",
    "PoliciesConfig",
    "TargetSettings",
]

FieldPolicyName = Literal["source_priority", "newest", "never_blank", "manual"]
ALL_KINDS = (EntityKind.CUSTOMER, EntityKind.CONTACT, EntityKind.OPPORTUNITY)
# owners are settled by assignment (its disputes policy); times are the CRMs' own metadata
_NOT_SYNCED = {
    "owner": "owners are settled by assignment: set `disputes.policy` in assignment.yaml",
    "created_at": "created_at is each CRM's own metadata and is not synced",
    "modified_at": "modified_at is each CRM's own metadata and is not synced",
}


class DeletePolicy(StrEnum):
    PROPAGATE = "propagate"
    UNLINK = "unlink"
    ASK = "ask"


class FieldPolicy(Strict):
    policy: FieldPolicyName
    # source_priority: connections, most trusted first (others then by newest)
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sources_for_priority(self) -> FieldPolicy:
        if self.policy == "source_priority" and not self.sources:
            raise PydanticCustomError(
                "sources",
                "source_priority needs `sources`",
                {"fix": "list connections, most trusted first: sources: [fxiaoke, zoho]"},
            )
        return self


def _field_names(kinds: tuple[EntityKind, ...]) -> set[str]:
    names: set[str] = set()
    for kind in kinds:
        names.update(MODEL_BY_KIND[kind].model_fields)
    names.update(f"address.{part}" for part in Address.model_fields)
    return names - {"owner", "created_at", "modified_at"} | set(_NOT_SYNCED)


def _check_fields(value: dict[str, FieldPolicy], kinds: tuple[EntityKind, ...]) -> None:
    known = _field_names(kinds)
    for name in value:
        if name in _NOT_SYNCED:
            raise PydanticCustomError(
                "field_policy", "{name}: {why}", {"name": name, "why": _NOT_SYNCED[name]}
            )
        if name in known or (name.startswith("custom.") and len(name) > len("custom.")):
            continue
        guess = did_you_mean(name, sorted(known))
        raise PydanticCustomError(
            "field_name",
            "`{name}` is not a canonical field",
            {
                "name": name,
                "fix": f"did you mean `{guess}`?" if guess else "e.g. name, phones, address.city",
            },
        )


class KindPolicies(Strict):
    """Field policies for one kind only (they win over the top-level `fields`)."""

    fields: dict[str, FieldPolicy] = Field(default_factory=dict)


class MassDeleteGuard(Strict):
    """One pull of one connection and kind deleting more than this stops and asks."""

    max_count: Annotated[int, Field(ge=0)] = 50
    # share of that connection's linked records of the kind...
    max_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1
    # ...counted once at least this many records were deleted (1 of 3 is not a mass delete)
    min_count: Annotated[int, Field(ge=1)] = 5

    def trips(self, deleted: int, linked: int) -> bool:
        if deleted > self.max_count:
            return True
        return deleted >= self.min_count and deleted > self.max_share * max(linked, 1)


class TargetSettings(Strict):
    """What the sync may do in one connection, per kind (default: everything)."""

    create: list[EntityKind] = Field(default_factory=lambda: list(ALL_KINDS))
    update: list[EntityKind] = Field(default_factory=lambda: list(ALL_KINDS))
    delete: list[EntityKind] = Field(default_factory=lambda: list(ALL_KINDS))
    # the user (e-mail) owning what crmhub creates there for a customer without an owner (a
    # 公海 placeholder, the integration user); default: the first of assignment's
    # `unowned_users` with a user in that CRM
    default_owner: str | None = None
    # canonical values a record created there gets when the golden record has none (a CRM's
    # mandatory field another CRM does not have: Zoho's deal pipeline)
    defaults: dict[EntityKind, dict[str, Any]] = Field(default_factory=dict)
    # how creates are written. insert_only (default): the CRM's duplicate check (Zoho's unique
    # fields on insert, Fxiaoke's search before create) answers "already exists" for a record
    # a lost earlier attempt made, or one crmhub has not read yet; it is linked, never
    # overwritten, and one that belongs to another entity opens a review. upsert: the record
    # found is updated with the create's values (it may be another entity's: its values are
    # lost), for a CRM whose insert has no duplicate check.
    create_modes: dict[EntityKind, Literal["upsert", "insert_only"]] = Field(default_factory=dict)


class PoliciesConfig(Strict):
    default: FieldPolicy = Field(default_factory=lambda: FieldPolicy(policy="newest"))
    fields: dict[str, FieldPolicy] = Field(default_factory=dict)
    kinds: dict[EntityKind, KindPolicies] = Field(default_factory=dict)
    deletes: dict[EntityKind, DeletePolicy] = Field(default_factory=dict)
    mass_delete: MassDeleteGuard = Field(default_factory=MassDeleteGuard)
    targets: dict[str, TargetSettings] = Field(default_factory=dict)

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, FieldPolicy]) -> dict[str, FieldPolicy]:
        _check_fields(value, ALL_KINDS)
        return value

    @field_validator("kinds")
    @classmethod
    def _known_kind_fields(cls, value: dict[Any, KindPolicies]) -> dict[Any, KindPolicies]:
        for kind, section in value.items():
            _check_fields(section.fields, (EntityKind(kind),))
        return value

    def connection_refs(self) -> list[tuple[tuple[int | str, ...], str]]:
        """Every connection this file names, with where (checked against the main config)."""
        refs: list[tuple[tuple[int | str, ...], str]] = [
            (("default", "sources", i), name) for i, name in enumerate(self.default.sources)
        ]
        sections = [(("fields",), self.fields)] + [
            (("kinds", kind.value, "fields"), section.fields)
            for kind, section in self.kinds.items()
        ]
        for where, fields in sections:
            for path, policy in fields.items():
                refs += [((*where, path, "sources", i), n) for i, n in enumerate(policy.sources)]
        refs += [(("targets", name), name) for name in self.targets]
        return refs

    def field_policy(self, kind: str, path: str) -> FieldPolicy:
        """The policy of `path` for `kind`: the kind's own, else the top level's; an exact path
        before its group (`address.city`, then `address`); else the default."""
        group = path.split(".", 1)[0]
        section = self.kinds.get(EntityKind(kind))
        for fields in (section.fields if section else {}, self.fields):
            found = fields.get(path) or fields.get(group)
            if found is not None:
                return found
        return self.default

    def delete_policy(self, kind: str) -> DeletePolicy:
        """Unlisted kinds unlink: nothing is deleted unless the policy says so."""
        return self.deletes.get(EntityKind(kind), DeletePolicy.UNLINK)

    def target(self, connection: str) -> TargetSettings:
        return self.targets.get(connection) or TargetSettings()
