"""The shape of a map file (`config/mappings/<connector>.yaml`), validated by pydantic.

This checks structure only (keys, types, closed sets); `mapping.maps.compile` checks meaning
(canonical paths, transform names and options, picklist values) and binds it to the model.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from mapping.model import EntityKind

__all__ = ["CustomFieldsRule", "EntitySpec", "FieldSpec", "MapFile", "PicklistSpec"]

FieldName = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    # A typo in a map file must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _text_keys(value: Any) -> Any:
    # YAML reads `1: qualification` with an int key; option codes are compared as text.
    if isinstance(value, dict):
        return {
            str(k) if isinstance(k, int) and not isinstance(k, bool) else k: v
            for k, v in value.items()
        }
    return value


class PicklistSpec(_Strict):
    """Remote picklist values ↔ canonical values.

    `values` maps each remote value to a canonical value (pull); null means the remote value
    says nothing about the field (another entry decides). Writing back takes, for each canonical
    value, the first remote value that maps to it, unless `push` names another; canonical values
    without any become `push_other` if given. `unknown` says what a remote value missing from
    `values` does: `error` quarantines the record, `keep` passes it through as text, `default`
    uses `default`.
    """

    values: dict[FieldName, str | None] = Field(min_length=1)
    push: dict[FieldName, str] = Field(default_factory=dict)
    push_other: str | None = None
    unknown: Literal["error", "keep", "default"] = "error"
    default: str | None = None

    _keys = field_validator("values", "push", mode="before")(_text_keys)

    @field_validator("push_other", "default", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _default_given(self) -> PicklistSpec:
        if (self.unknown == "default") != (self.default is not None):
            raise PydanticCustomError(
                "picklist_default",
                "`default` goes with `unknown: default`, and only with it",
                {"fix": "give both `unknown: default` and `default: <canonical value>`"},
            )
        return self


class FieldSpec(_Strict):
    """One remote field ↔ one canonical field."""

    remote: FieldName
    canonical: FieldName
    transform: FieldName
    # pull: read-only in the CRM (Created_Time) or derived (domain); push: written only
    direction: Literal["pull", "push", "both"] = "both"
    # true: a pulled record without it is quarantined and a write without it is refused;
    # `create`: the CRM refuses a new record without it, yet records read from it may lack it
    # (Fxiaoke's `owner` of a record in a 公海 pool): the sync holds such a create (blocked)
    required: bool | Literal["create"] = False
    # error: the record is quarantined; drop: the value is left out and reported
    invalid: Literal["error", "drop"] = "error"
    # a picklist named in the file's `picklists:`, or one written here
    picklist: FieldName | PicklistSpec | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class CustomFieldsRule(_Strict):
    """Remote custom fields that pass through by name: `field_1a2b__c` ↔ `custom.field_1a2b`."""

    prefix: str = ""
    suffix: str = ""

    @model_validator(mode="after")
    def _one_given(self) -> CustomFieldsRule:
        if not (self.prefix or self.suffix):
            raise PydanticCustomError(
                "custom_fields_rule",
                "a custom field rule needs a prefix or a suffix",
                {"fix": "e.g. `custom_fields: {suffix: __c}`"},
            )
        return self


class EntitySpec(_Strict):
    """How one canonical entity is stored in one remote object."""

    object: FieldName  # the remote object (Accounts, AccountObj), for messages
    id_field: FieldName = "id"
    fields: list[FieldSpec] = Field(min_length=1)
    custom_fields: CustomFieldsRule | None = None


class MapFile(_Strict):
    """A whole map file: one connector type, its picklists, one entry per canonical entity."""

    connector: FieldName
    # currency of amounts that come without a currency field (Fxiaoke: always CNY)
    default_currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    picklists: dict[FieldName, PicklistSpec] = Field(default_factory=dict)
    entities: dict[EntityKind, EntitySpec] = Field(min_length=1)
