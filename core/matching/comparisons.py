"""Comparisons: one field (or concept) of two records → a named level, with a readable detail.

A comparison prepares each record once (`prepare`), then compares prepared values (`level`);
None means "no evidence" (a side has no value). Levels are ordered from strongest agreement
to plain disagreement; the model gives each level its weight. Built from `ComparisonSpec`
(config) by type name through `COMPARISONS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import ratio

from core.config.matching import ComparisonSpec
from core.matching import features as f
from core.matching.paths import texts_at, value_at
from mapping.transforms import TransformError, company_key, same_digits
from mapping.transforms.names import given_name_forms

__all__ = ["COMPARISONS", "Comparison", "build_comparison"]

MU = tuple[float, float]


@dataclass(frozen=True)
class Comparison:
    """Base: `levels` names, `defaults` (m, u) per level, `fields` read from the record."""

    label: str
    fields: tuple[str, ...]
    thresholds: tuple[float, ...]
    type_name: ClassVar[str] = ""
    default_fields: ClassVar[tuple[str, ...]] = ()
    default_thresholds: ClassVar[tuple[float, ...]] = ()

    @property
    def levels(self) -> tuple[str, ...]:
        return ("same", "different")

    @property
    def defaults(self) -> tuple[MU, ...]:
        return ((0.9, 0.001), (0.1, 0.999))

    def prepare(self, record: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def level(self, a: Any, b: Any) -> int | None:
        raise NotImplementedError

    def detail(self, a: Any, b: Any) -> str:
        return f"{_show(a)} / {_show(b)}"


def _show(value: Any) -> str:
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(value)) or "-"
    if isinstance(value, tuple) and value and isinstance(value[0], frozenset):
        return _show(value[0])
    return "-" if value is None else str(value)


class _KeySet(Comparison):
    """Same when the key sets meet, different when both have keys and none is shared."""

    def _keys(self, record: Mapping[str, Any]) -> frozenset[str]:
        raise NotImplementedError

    def prepare(self, record: Mapping[str, Any]) -> frozenset[str] | None:
        return self._keys(record) or None

    def level(self, a: frozenset[str] | None, b: frozenset[str] | None) -> int | None:
        if not a or not b:
            return None
        return 0 if a & b else 1

    def detail(self, a: Any, b: Any) -> str:
        shared = a & b if a and b else frozenset()
        return _show(shared) if shared else super().detail(a, b)


class Phones(_KeySet):
    """Same when the records share a number, or hold the same digits under two country codes:
    a number written without its country code is read in the record's country, or the
    connection's region when the record has none (415-586-5647 is +1 with a US address, +86
    without), and the twin of a record with a country often lacks one."""

    type_name = "phones"
    default_fields = f.PHONE_FIELDS

    @property
    def defaults(self) -> tuple[MU, ...]:
        return ((0.75, 0.0002), (0.25, 0.9998))

    def _keys(self, record: Mapping[str, Any]) -> frozenset[str]:
        return f.phone_keys(record, self.fields)

    def level(self, a: frozenset[str] | None, b: frozenset[str] | None) -> int | None:
        if not a or not b:
            return None
        if a & b or any(same_digits(x, y) for x in a for y in b):
            return 0
        return 1

    def detail(self, a: Any, b: Any) -> str:
        if a and b and not a & b:
            read = sorted(f"{x} = {y}" for x in a for y in b if same_digits(x, y))
            if read:
                return f"{', '.join(read)} (the same digits read in two countries)"
        return super().detail(a, b)


class Emails(_KeySet):
    type_name = "emails"
    default_fields = f.EMAIL_FIELDS

    @property
    def defaults(self) -> tuple[MU, ...]:
        return ((0.85, 0.0002), (0.15, 0.9998))

    def _keys(self, record: Mapping[str, Any]) -> frozenset[str]:
        return f.email_keys(record, self.fields)


class Domains(_KeySet):
    type_name = "domains"
    default_fields = f.DOMAIN_FIELDS

    @property
    def defaults(self) -> tuple[MU, ...]:
        # subsidiaries share their group's domain: agreement is strong, not conclusive
        return ((0.9, 0.003), (0.1, 0.997))

    def _keys(self, record: Mapping[str, Any]) -> frozenset[str]:
        return f.domain_keys(record, self.fields)


class SameValue(_KeySet):
    type_name = "same_value"

    @property
    def defaults(self) -> tuple[MU, ...]:
        return ((0.9, 0.0001), (0.1, 0.9999))

    def _keys(self, record: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(f.folded(text) for text in texts_at(record, self.fields))


class City(Comparison):
    type_name = "city"
    default_fields = ("address.city",)

    @property
    def defaults(self) -> tuple[MU, ...]:
        return ((0.9, 0.12), (0.1, 0.88))

    def prepare(self, record: Mapping[str, Any]) -> str | None:
        return f.city_key(record, self.fields)

    def level(self, a: str | None, b: str | None) -> int | None:
        return None if not a or not b else (0 if a == b else 1)


@dataclass(frozen=True, slots=True)
class _Places:
    """A record's cities: stated in words, and by each Chinese landline's area code."""

    stated: frozenset[str]
    landlines: tuple[tuple[str, tuple[str, ...]], ...]  # (E.164, cities)
    phones: frozenset[str]

    def against(self, other: _Places) -> frozenset[str]:
        """The cities this record states, next to `other`: a landline whose digits `other`
        holds under another country code is a number read in the wrong country (a US number
        on a record without a country reads as a Chinese landline), and its city is noise."""
        cities = set(self.stated)
        for phone, places in self.landlines:
            if not any(same_digits(phone, theirs) for theirs in other.phones):
                cities.update(places)
        return frozenset(cities)


class Place(Comparison):
    """Customers: the cities a record states anywhere (`fields`: its address; plus the place
    in its registered name and its landlines' area codes). A group's companies share brand,
    domain and trade; the place in their names is what tells them apart. Same when the cities
    meet, different when both state cities and none is shared."""

    type_name = "place"
    default_fields = ("address.city",)

    @property
    def levels(self) -> tuple[str, ...]:
        return ("same", "different")

    @property
    def defaults(self) -> tuple[MU, ...]:
        return ((0.9, 0.12), (0.1, 0.88))

    def prepare(self, record: Mapping[str, Any]) -> _Places | None:
        stated = f.stated_places(record, self.fields)
        landlines = tuple(f.landline_places(record).items())
        if not stated and not landlines:
            return None
        return _Places(stated, landlines, f.phone_keys(record))

    def level(self, a: _Places | None, b: _Places | None) -> int | None:
        if a is None or b is None:
            return None
        mine, theirs = a.against(b), b.against(a)
        if not mine or not theirs:
            return None
        return 0 if mine & theirs else 1

    def detail(self, a: Any, b: Any) -> str:
        if a is None or b is None:
            return super().detail(a, b)
        mine, theirs = a.against(b), b.against(a)
        shared = mine & theirs
        return _show(shared) if shared else f"{_show(mine)} / {_show(theirs)}"


def _graded(similarity: float, thresholds: Sequence[float], first: int) -> int:
    for index, threshold in enumerate(thresholds):
        if similarity >= threshold:
            return first + index
    return first + len(thresholds)


class CompanyName(Comparison):
    """Same company_key; else the same trade name across scripts (华腾科技 / Huateng
    Technology: weaker, a group's companies share it); else graded similarity of the keys."""

    type_name = "company_name"
    default_fields = ("name",)
    default_thresholds = (0.9, 0.75)

    @property
    def levels(self) -> tuple[str, ...]:
        graded = (f"similar_{t:g}" for t in self.thresholds)
        return ("same_key", "same_brand", *graded, "different")

    @property
    def defaults(self) -> tuple[MU, ...]:
        n = len(self.thresholds)
        graded = (((0.1 / n), 0.003 * (i + 1) ** 2) for i in range(n))
        return ((0.75, 0.0005), (0.1, 0.002), *graded, (0.05, 0.98))

    def prepare(self, record: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]] | None:
        names = texts_at(record, self.fields)
        keys = frozenset().union(*(f.company_keys(name) for name in names))
        if not keys:
            return None
        brands = frozenset(b for b in (f.brand_key(name) for name in names) if len(b) >= 4)
        return keys, brands

    def level(self, a: Any, b: Any) -> int | None:
        if not a or not b:
            return None
        if a[0] & b[0]:
            return 0
        if a[1] & b[1]:
            return 1
        best = max(ratio(x, y) for x in a[0] for y in b[0]) / 100
        return _graded(best, self.thresholds, 2)

    def detail(self, a: Any, b: Any) -> str:
        return f"{_show(a[0] if a else None)} / {_show(b[0] if b else None)}"


class PersonNameComparison(Comparison):
    """Same name (any order, any script), a nickname, similar, the same family name only.

    Two names that are the same but only one word (罗 and 罗, a surname alone; Wei and Wei)
    are `same_partial_name`: at one customer that is two people as often as one, so it weighs
    enough for a review beside the customer, never for a merge without an e-mail or phone.
    """

    type_name = "person_name"
    default_fields = ("first_name", "last_name", "full_name")
    default_thresholds = (0.92, 0.8)

    @property
    def levels(self) -> tuple[str, ...]:
        graded = (f"similar_{t:g}" for t in self.thresholds)
        return (
            "same", "same_partial_name", "nickname", *graded, "same_family_name", "different"
        )  # fmt: skip

    @property
    def defaults(self) -> tuple[MU, ...]:
        n = len(self.thresholds)
        graded = (((0.12 / n), 0.002 * (i + 1) ** 2) for i in range(n))
        return (
            (0.75, 0.0005), (0.05, 0.0004), (0.02, 0.0002), *graded, (0.04, 0.03), (0.02, 0.96)
        )  # fmt: skip

    def prepare(self, record: Mapping[str, Any]) -> f.PersonName | None:
        return f.person_name(record, self.fields)

    def level(self, a: f.PersonName | None, b: f.PersonName | None) -> int | None:
        if a is None or b is None:
            return None
        if a.forms & b.forms:
            return 0 if a.given and a.family and b.given and b.family else 1
        same_family = bool(a.family) and a.family == b.family
        nickname = same_family and bool(given_name_forms(a.given) & given_name_forms(b.given))
        if nickname and a.given and b.given:
            return 2
        # b's forms are one name in two orders: against one of them, a's two orders cover both
        other = min(b.forms)
        best = max(JaroWinkler.normalized_similarity(x, other) for x in a.forms)
        graded = _graded(best, self.thresholds, 3)
        if graded < 3 + len(self.thresholds):
            return graded
        if a.family and a.family in (b.family, b.given):
            return graded
        return graded + 1


class Customer(Comparison):
    """Contacts: the same customer entity is strong evidence, different customers counter it."""

    type_name = "customer"
    default_fields = ("customer.entity_id", "customer.name")

    @property
    def defaults(self) -> tuple[MU, ...]:
        return ((0.9, 0.005), (0.1, 0.995))

    def prepare(self, record: Mapping[str, Any]) -> str | None:
        entity = value_at(record, self.fields[0])
        if entity:
            return f"entity:{entity}"
        for name in texts_at(record, self.fields[1:]):
            try:
                key = company_key(name)
            except TransformError:
                continue
            if key:
                return f"name:{key}"
        return None

    def level(self, a: str | None, b: str | None) -> int | None:
        if not a or not b or a[:5] != b[:5]:
            return None  # an entity id and a name cannot be told apart here
        return 0 if a == b else 1


class Text(Comparison):
    """Jaro-Winkler similarity of folded text: same, at each threshold, different."""

    type_name = "text"
    default_thresholds = (0.92, 0.8)

    @property
    def levels(self) -> tuple[str, ...]:
        return ("same", *(f"similar_{t:g}" for t in self.thresholds), "different")

    @property
    def defaults(self) -> tuple[MU, ...]:
        n = len(self.thresholds)
        graded = (((0.15 / n), 0.01 * (i + 1)) for i in range(n))
        return ((0.8, 0.01), *graded, (0.05, 0.95))

    def prepare(self, record: Mapping[str, Any]) -> str | None:
        return f.first_text(record, self.fields)

    def _similarity(self, a: str, b: str) -> float:
        return float(JaroWinkler.normalized_similarity(a, b))

    def level(self, a: str | None, b: str | None) -> int | None:
        if not a or not b:
            return None
        return 0 if a == b else _graded(self._similarity(a, b), self.thresholds, 1)


class EditDistance(Text):
    """Damerau-Levenshtein distance of folded text: same, within each count of edits, different."""

    type_name = "edit_distance"
    default_thresholds = (1.0, 2.0)

    @property
    def levels(self) -> tuple[str, ...]:
        return ("same", *(f"within_{t:g}_edits" for t in self.thresholds), "different")

    @property
    def defaults(self) -> tuple[MU, ...]:
        n = len(self.thresholds)
        graded = (((0.12 / n), 0.002 * (i + 1)) for i in range(n))
        return ((0.85, 0.001), *graded, (0.03, 0.99))

    def level(self, a: str | None, b: str | None) -> int | None:
        if not a or not b:
            return None
        if a == b:
            return 0
        distance = DamerauLevenshtein.distance(a, b, score_cutoff=int(max(self.thresholds)) + 1)
        for index, limit in enumerate(self.thresholds):
            if distance <= limit:
                return 1 + index
        return 1 + len(self.thresholds)


COMPARISONS: dict[str, type[Comparison]] = {
    cls.type_name: cls
    for cls in (
        Phones,
        Emails,
        Domains,
        SameValue,
        City,
        Place,
        CompanyName,
        PersonNameComparison,
        Customer,
        Text,
        EditDistance,
    )
}


def build_comparison(spec: ComparisonSpec) -> Comparison:
    """The comparison a config entry describes (fields and thresholds default per type)."""
    cls = COMPARISONS[spec.type]
    fields = tuple(spec.fields) or cls.default_fields
    if not fields:
        raise ValueError(f"comparison {spec.label} needs `fields`")
    thresholds = tuple(spec.thresholds) or cls.default_thresholds
    comparison = cls(label=spec.label, fields=fields, thresholds=thresholds)
    unknown = (set(spec.levels) | set(spec.veto)) - set(comparison.levels)
    if unknown:
        raise ValueError(
            f"comparison {spec.label} has no level {', '.join(sorted(unknown))} "
            f"(its levels: {', '.join(comparison.levels)})"
        )
    return comparison
