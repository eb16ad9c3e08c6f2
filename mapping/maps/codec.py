"""The codec: one map entry's converter, built for one connection, used on every record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from mapping.maps.context import MappingContext
from mapping.maps.paths import CanonicalPath
from mapping.transforms import TransformError, to_int, to_str

if TYPE_CHECKING:
    from mapping.maps.picklists import Picklist

__all__ = ["BuildArgs", "Codec", "as_text", "whole_number"]


@dataclass(frozen=True, slots=True)
class BuildArgs:
    """What a transform needs to build its codec for one entry of one connection."""

    remote: str
    path: CanonicalPath
    options: BaseModel
    context: MappingContext
    extra_paths: Mapping[str, CanonicalPath]
    picklist: Picklist | None


class Codec:
    """Turns one remote value into its canonical value (pull) and back (push).

    `pull` gets a value that is present and not blank, the whole remote payload (for fields
    read beside it, such as a lookup's name decoration) and the canonical values mapped so far.
    Both directions raise TransformError with a reason; the engine adds record and field.
    """

    # True when pull reads other canonical values (a region needs its country): runs last
    late: ClassVar[bool] = False
    # True when pull returns the output of normalize_phone/normalize_email: the engine vouches
    # for it so the model does not repeat the same check (mapping.model.values.VOUCHED)
    vouches: ClassVar[bool] = False

    def pull(self, raw: Any, payload: Mapping[str, Any], out: dict[str, Any]) -> Any:
        raise NotImplementedError

    def push(self, value: Any) -> Any:
        raise TransformError("this transform only reads; it cannot write back", value)

    def extract(self, record: BaseModel) -> Any:
        """The canonical value to push; None means "use the entry's canonical path"."""
        return None


def as_text(raw: Any) -> str:
    """A remote value as text for the text transforms (numbers become their digits)."""
    if isinstance(raw, str):
        return raw
    text = to_str(raw)
    if text is None:
        raise TransformError("empty value", raw)
    return text


def whole_number(raw: Any) -> Any:
    """Integral numbers (epoch milliseconds parsed as Decimal or float) as int; others as given."""
    if isinstance(raw, Decimal | float) and not isinstance(raw, bool):
        return to_int(raw)
    return raw
