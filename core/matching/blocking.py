"""Blocking keys: the normalised keys under which an entity is found again.

An entity's keys are rows of `blocking_keys (kind, key_type, key_value)`, indexed on exactly
those columns, so finding candidates for a record is one index lookup per key of the record.
A key shared by more entities than `max_block_size` (a common name such as 张伟, a switchboard
number shared by a whole group) is skipped and reported, never scanned: the other keys of the
record still find its candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.config.matching import BlockingSpec
from core.matching import features as f
from core.matching.paths import texts_at, value_at

__all__ = ["KEY_LENGTH", "BlockingRule", "build_blocking_rule"]

KEY_LENGTH = 255  # the width of blocking_keys.key_value

KeyFunction = Callable[[Mapping[str, Any], tuple[str, ...]], frozenset[str]]


def _phone(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    return f.phone_keys(record)


def _email(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    return f.email_keys(record)


def _domain(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    return f.domain_keys(record)


def _company_name(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    names = texts_at(record, fields or ("name",))
    return frozenset().union(*(f.company_keys(name) for name in names))


def _person_name(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    name = f.person_name(record, fields)
    if name is None:
        return frozenset()
    # the same words in any order: 张伟, "Zhang Wei" and "Wei Zhang" share one key
    return frozenset(" ".join(sorted(form.split())) for form in name.forms)


def _brand(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    # the trade name in Latin letters: 达丰软件(重庆)有限公司 and Chongqing Dafeng Software Co.,
    # Ltd. share no company key, only "dafeng" (short brands say too little to block on)
    brands = (f.brand_key(name) for name in texts_at(record, fields or ("name",)))
    return frozenset(b for b in brands if len(b) >= 4)


def _customer_family(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    """A contact's customer entity with its family name: 李 at a customer meets 李思远 there,
    though a record with only a family name shares no name key with a full name."""
    customer = value_at(record, "customer.entity_id")
    name = f.person_name(record, fields)
    if not customer or name is None or not name.family:
        return frozenset()
    return frozenset({f"{customer}|{name.family}"})


def _family_name(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    name = f.person_name(record, fields)
    return frozenset({name.family}) if name is not None and name.family else frozenset()


def _value(record: Mapping[str, Any], fields: tuple[str, ...]) -> frozenset[str]:
    parts = []
    for path in fields:
        found = texts_at(record, (path,))
        if not found:
            return frozenset()  # a combined key needs every part
        parts.append(f.folded(found[0]))
    return frozenset({"|".join(parts)})


_KEYS: dict[str, KeyFunction] = {
    "phone": _phone,
    "email": _email,
    "domain": _domain,
    "company_name": _company_name,
    "person_name": _person_name,
    "family_name": _family_name,
    "brand": _brand,
    "customer_family": _customer_family,
    "value": _value,
}


@dataclass(frozen=True)
class BlockingRule:
    key_type: str
    fields: tuple[str, ...]
    function: KeyFunction

    def keys(self, record: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(key[:KEY_LENGTH] for key in self.function(record, self.fields) if key)


def build_blocking_rule(spec: BlockingSpec) -> BlockingRule:
    return BlockingRule(spec.key_type, tuple(spec.fields), _KEYS[spec.key])
