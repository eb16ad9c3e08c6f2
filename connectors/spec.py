"""What every connector declares per entity (STYLE principle 1: a connector is declared)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from mapping.model import EntityKind

__all__ = ["EntitySpec"]


class EntitySpec(BaseModel):
    """One entity of one CRM: where it lives and how it pages, pulls and writes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: EntityKind
    path: str  # Zoho module API name / Fxiaoke object API name
    records_path: str  # where the rows sit in a list response
    id_field: str
    cursor_field: str  # the remote modified time
    page_size: int = Field(ge=1)
    write_batch_size: int = Field(ge=1)
    # fields read (Zoho requires the list, at most 50); empty = all the CRM sends
    fields: list[str] = Field(default_factory=list)
    # keys that identify an existing record before a create, tried in order; each key is one
    # or more fields that must all be present in the payload
    duplicate_keys: list[list[str]] = Field(default_factory=list)
