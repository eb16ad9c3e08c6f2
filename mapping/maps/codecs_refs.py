"""Codecs for references and structured values: lookups, owners, tags, full names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, model_validator

from mapping.maps.codec import BuildArgs, Codec, as_text
from mapping.maps.codecs_values import NoOptions
from mapping.model import OwnerRef, Ref
from mapping.transforms import TransformError, join_person_name, split_person_name, to_str

__all__ = [
    "FullNameCodec",
    "FullNameOptions",
    "LookupCodec",
    "LookupOptions",
    "OwnerCodec",
    "OwnerOptions",
    "TagsCodec",
]


class LookupOptions(NoOptions):
    # object: Zoho reads {name, id} and writes {id}; id: Fxiaoke's `account_id` is the id text
    shape: Literal["object", "id"] = "object"
    # a field beside it holding the target's name (Fxiaoke `account_id__r`)
    name_field: str | None = None


class OwnerOptions(NoOptions):
    # object: Zoho reads {name, id, email}, writes {id}; list: Fxiaoke's one-id list ["FSUID_…"]
    shape: Literal["object", "list"] = "object"
    name_field: str | None = None  # Fxiaoke `owner__r`


class FullNameOptions(NoOptions):
    # the canonical fields a full name is split into (Fxiaoke contact `name`)
    first: str | None = None
    last: str | None = None

    @model_validator(mode="after")
    def _both(self) -> FullNameOptions:
        if (self.first is None) != (self.last is None):
            raise ValueError("give both `first` and `last`, or neither")
        return self


def _id_text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise TransformError("expected an id (text or a whole number)", raw)
    text = str(raw).strip()
    if not text:
        raise TransformError("empty id", raw)
    return text


def _name_of(decoration: Any) -> str | None:
    """A display name from a decoration: text, {"name": …}, or a list of those."""
    if isinstance(decoration, list):
        decoration = decoration[0] if decoration else None
    if isinstance(decoration, dict):
        decoration = decoration.get("name")
    return to_str(decoration) if isinstance(decoration, str) else None


def _remote_id(value: Ref | OwnerRef, what: str) -> str:
    if value.remote_id is None:
        raise TransformError(
            f"{what} has no id in this connection; resolve it to the connection's id before "
            "mapping",
            value.model_dump(mode="json", exclude_none=True),
        )
    return value.remote_id


class LookupCodec(Codec):
    def __init__(self, args: BuildArgs) -> None:
        assert isinstance(args.options, LookupOptions)
        self.shape = args.options.shape
        self.name_field = args.options.name_field

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        if self.shape == "object":
            if not isinstance(raw, dict):
                raise TransformError("expected a lookup object such as {name, id}", raw)
            if raw.get("id") in (None, ""):
                raise TransformError("lookup has no id", raw)
            return {"remote_id": _id_text(raw["id"]), "name": _name_of(raw)}
        name = _name_of(payload.get(self.name_field)) if self.name_field else None
        return {"remote_id": _id_text(raw), "name": name}

    def push(self, value: Any) -> Any:
        assert isinstance(value, Ref)
        remote_id = _remote_id(value, "the referenced record")
        return {"id": remote_id} if self.shape == "object" else remote_id


class OwnerCodec(Codec):
    def __init__(self, args: BuildArgs) -> None:
        assert isinstance(args.options, OwnerOptions)
        self.shape = args.options.shape
        self.name_field = args.options.name_field

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        name = _name_of(payload.get(self.name_field)) if self.name_field else None
        if self.shape == "list":
            if not isinstance(raw, list) or len(raw) != 1:
                raise TransformError("expected a list holding exactly one owner id", raw)
            return {"remote_id": _id_text(raw[0]), "name": name}
        if not isinstance(raw, dict):
            raise TransformError("expected an owner object such as {name, id, email}", raw)
        if raw.get("id") in (None, ""):
            raise TransformError("owner has no id", raw)
        email = raw.get("email")
        return {
            "remote_id": _id_text(raw["id"]),
            "name": _name_of(raw) or name,
            "email": to_str(email) if isinstance(email, str) else None,
        }

    def push(self, value: Any) -> Any:
        assert isinstance(value, OwnerRef)
        remote_id = _remote_id(value, "the owner")
        return [remote_id] if self.shape == "list" else {"id": remote_id}


class TagsCodec(Codec):
    """Zoho's `Tag`: a list of {name, id} read, names written back as {name}."""

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        if not isinstance(raw, list):
            raise TransformError("expected a list of tags", raw)
        names = [_name_of(item) for item in raw]
        if any(name is None for name in names):
            raise TransformError("every tag needs a name", raw)
        return names

    def push(self, value: Any) -> Any:
        return [{"name": name} for name in value]


class FullNameCodec(Codec):
    """A person's whole name in one remote field, split into the canonical parts and joined back.

    Pull keeps the name as given in the canonical full name and splits it in its own culture
    (张伟 → 张 + 伟, John Smith → John + Smith); push writes the full name back as given while
    its parts still match it, else joins the (changed) parts the same way.
    """

    def __init__(self, args: BuildArgs) -> None:
        self.first = args.extra_paths.get("first")
        self.last = args.extra_paths.get("last")
        self.full = args.path.top

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        full = join_person_name(as_text(raw), None)  # one part: tidied, not split
        if not full:
            return None
        if self.first is not None and self.last is not None:
            first, last = split_person_name(full)
            if out.get(self.first.top) is None:
                out[self.first.top] = first
            if out.get(self.last.top) is None:
                out[self.last.top] = last
        return full

    def extract(self, record: BaseModel) -> Any:
        full = getattr(record, self.full)
        if self.first is None or self.last is None:
            return full
        first, last = getattr(record, self.first.top), getattr(record, self.last.top)
        # The full name as written (迈克尔·乔丹, 司马 懿) unless its parts were changed since.
        if full and split_person_name(full) == (first, last):
            return full
        return join_person_name(first, last) or full

    def push(self, value: Any) -> Any:
        return value
