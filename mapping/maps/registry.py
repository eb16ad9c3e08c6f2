"""The named transforms a map file may use, looked up by name (unknown names get "did you mean").

Each one wraps functions of `mapping.transforms` (the one place values are normalised) into a
codec, says which kinds of canonical field it can fill, which options it takes, and whether it
can write back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pydantic import BaseModel

from mapping.maps import codecs_refs as refs
from mapping.maps import codecs_values as values
from mapping.maps.codec import BuildArgs, Codec
from mapping.maps.paths import Kind
from mapping.maps.picklists import PicklistCodec

__all__ = ["TRANSFORMS", "TransformDef"]


@dataclass(frozen=True, slots=True)
class TransformDef:
    name: str
    summary: str
    kinds: frozenset[Kind]
    build: Callable[[BuildArgs], Codec]
    options: type[BaseModel] = values.NoOptions
    pushes: bool = True
    whole_list: bool = False  # fills a whole list field (tags), not one value or slot
    picklist: bool = False  # needs a `picklist:`
    path_options: tuple[str, ...] = ()  # options naming further canonical fields


def _simple(codec: type[Codec]) -> Callable[[BuildArgs], Codec]:
    return lambda args: codec()


_T = Kind.TEXT
_C = Kind.CUSTOM
_DEFS = (
    TransformDef("str", "text as given, trimmed", frozenset({_T, _C}), _simple(values.TextCodec)),
    TransformDef(
        "company_name",
        "a company's display name, tidied (the matching key is derived later)",
        frozenset({_T, _C}),
        _simple(values.CompanyNameCodec),
    ),
    TransformDef(
        "person_name",
        "a name part, tidied; with `first`/`last` options a full name split into its parts",
        frozenset({_T}),
        lambda args: refs.FullNameCodec(args) if args.extra_paths else values.PersonNameCodec(),
        options=refs.FullNameOptions,
        path_options=("first", "last"),
    ),
    TransformDef(
        "phone",
        "E.164, read in the connection's region",
        frozenset({Kind.PHONE, _C}),
        values.PhoneCodec,
    ),
    TransformDef(
        "email",
        "trimmed, lower-case, valid",
        frozenset({Kind.EMAIL, _C}),
        _simple(values.EmailCodec),
    ),
    TransformDef(
        "domain",
        "the registrable domain of a URL or address (read only)",
        frozenset({Kind.DOMAIN, _C}),
        _simple(values.DomainCodec),
        pushes=False,
    ),
    TransformDef(
        "country",
        "ISO 3166-1 code from a code or an English/Chinese name",
        frozenset({Kind.COUNTRY}),
        values.CountryCodec,
        options=values.PlaceOptions,
    ),
    TransformDef(
        "region",
        "ISO 3166-2 code of a state/province, in the record's country",
        frozenset({Kind.REGION}),
        values.RegionCodec,
        options=values.PlaceOptions,
    ),
    TransformDef(
        "currency", "ISO 4217 code", frozenset({Kind.CURRENCY}), _simple(values.CurrencyCodec)
    ),
    TransformDef(
        "money",
        "an exact Decimal amount with its currency",
        frozenset({Kind.MONEY}),
        values.MoneyCodec,
        options=values.MoneyOptions,
    ),
    TransformDef("int", "a whole number", frozenset({Kind.INT, _C}), _simple(values.IntCodec)),
    TransformDef("bool", "yes/no", frozenset({Kind.BOOL, _C}), _simple(values.BoolCodec)),
    TransformDef(
        "datetime",
        "an instant, aware UTC",
        frozenset({Kind.DATETIME}),
        values.DateTimeCodec,
        options=values.DateTimeOptions,
    ),
    TransformDef(
        "date",
        "a calendar date",
        frozenset({Kind.DATE}),
        values.DateCodec,
        options=values.DateOptions,
    ),
    TransformDef(
        "picklist",
        "option values through a picklist",
        frozenset({Kind.CHOICE, _T, _C}),
        PicklistCodec,
        picklist=True,
    ),
    TransformDef(
        "lookup",
        "a reference to another record, by its id in this CRM",
        frozenset({Kind.REF}),
        refs.LookupCodec,
        options=refs.LookupOptions,
    ),
    TransformDef(
        "owner",
        "the record's owner, by user id in this CRM",
        frozenset({Kind.OWNER}),
        refs.OwnerCodec,
        options=refs.OwnerOptions,
    ),
    TransformDef(
        "tags",
        "a list of tag names",
        frozenset({_T}),
        _simple(refs.TagsCodec),
        whole_list=True,
    ),
)

TRANSFORMS: Mapping[str, TransformDef] = MappingProxyType({d.name: d for d in _DEFS})
