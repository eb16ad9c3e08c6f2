"""Schema of `config/matching.yaml`: when two records are the same customer or contact.

Per entity kind: how candidates are found (blocking keys), which fields are compared and how
(comparisons with named levels), how much each level weighs (m/u probabilities, configured or
estimated by EM), and the thresholds of the decision. Plus survivorship: which value of a field
wins when several sources hold one. `core.matching` turns this data into behaviour.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from core.config.schema import Strict

__all__ = [
    "BlockingSpec",
    "ComparisonSpec",
    "EntityMatching",
    "LevelWeights",
    "MatchingConfig",
    "SurvivorshipConfig",
    "SurvivorshipSpec",
    "Thresholds",
]

Score = Annotated[float, Field(ge=0.0, le=1.0)]
Probability = Annotated[float, Field(gt=0.0, lt=1.0)]

ComparisonType = Literal[
    "company_name",  # company_key, pinyin key and fuzzy similarity of company names
    "person_name",  # both orders, nicknames, hanzi ↔ pinyin, fuzzy similarity
    "phones",  # E.164 numbers in any of the fields
    "emails",  # lower-cased addresses
    "domains",  # registrable company domains (websites, e-mail domains; never free mail)
    "customer",  # contacts: the customer they work for (entity, else the customer's name key)
    "city",  # city name in hanzi or pinyin (深圳 = Shenzhen)
    "place",  # customers: every city a record states (address, name's place, landline area)
    "same_value",  # exact equality of folded text (credit code, social security id)
    "text",  # Jaro-Winkler similarity of folded text at the given thresholds
    "edit_distance",  # Damerau-Levenshtein distance of folded text at the given thresholds
]
BlockingKeyType = Literal[
    "phone",
    "email",
    "domain",
    "company_name",
    "brand",  # the trade name in Latin letters (华腾科技 = Huateng Technology)
    "person_name",
    "family_name",
    "customer_family",  # a contact's customer entity and family name
    "value",
]


class Thresholds(Strict):
    """Scores are match probabilities: ≥ auto_merge joins, ≥ review asks an operator."""

    auto_merge: Score = 0.95
    review: Score = 0.5

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review >= self.auto_merge:
            raise PydanticCustomError(
                "thresholds",
                "review threshold {review} must be below auto_merge {auto}",
                {
                    "review": self.review,
                    "auto": self.auto_merge,
                    "fix": "e.g. auto_merge: 0.95, review: 0.5",
                },
            )
        return self


class LevelWeights(Strict):
    """m: how often true matches show this level; u: how often non-matches do."""

    m: Probability
    u: Probability


class ComparisonSpec(Strict):
    type: ComparisonType
    # canonical field paths (`name`, `address.city`, `custom.credit_code`); the type's own
    # fields when empty
    fields: list[str] = Field(default_factory=list)
    # similarity (text, company_name, person_name) or edit counts (edit_distance), best first
    thresholds: list[float] = Field(default_factory=list)
    # configured m/u by level name; levels left out keep their defaults (or the EM estimate)
    levels: dict[str, LevelWeights] = Field(default_factory=dict)
    # a name for the evidence; the type when omitted (needed when a type is used twice)
    name: str | None = None
    # levels that rule out joining automatically, whatever the score: conflicting identifiers
    # (another credit code, another city in the registered name); such a pair goes to review
    veto: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or (f"{self.type}:{'+'.join(self.fields)}" if self.fields else self.type)


class BlockingSpec(Strict):
    """A key under which candidates are looked up (an indexed column, never a scan)."""

    key: BlockingKeyType
    # `value` keys: the fields whose folded values, joined, make the key
    fields: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _value_needs_fields(self) -> BlockingSpec:
        if self.key == "value" and not self.fields:
            raise PydanticCustomError(
                "blocking", "a `value` key needs fields", {"fix": "e.g. fields: [postal_code]"}
            )
        return self

    @property
    def key_type(self) -> str:
        return self.key if self.key != "value" else "v:" + "+".join(self.fields)


class EntityMatching(Strict):
    thresholds: Thresholds = Field(default_factory=Thresholds)
    # probability that a new record and one random stored entity are the same
    prior: Probability = 1e-4
    # configured: use the m/u below (or the defaults); em: estimate them from the data first
    # (batch runs only: `crmhub match`; the sync uses configured weights)
    weights: Literal["configured", "em"] = "configured"
    # a key shared by more entities than this is skipped (a common name says nothing)
    max_block_size: Annotated[int, Field(ge=1)] = 1000
    # at most this many candidates are scored, those sharing most keys first
    max_candidates: Annotated[int, Field(ge=1)] = 50
    blocking: list[BlockingSpec] = Field(min_length=1)
    comparisons: list[ComparisonSpec] = Field(min_length=1)
    # a record and an entity already holding another record of the same CRM: its users keep
    # two records, so they are two things as often as a duplicate (two 谢天佑 at one company).
    # Joined automatically only when one of these comparisons says `same`; else reviewed.
    # Empty: no such rule.
    same_crm_needs: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_labels(self) -> EntityMatching:
        labels = [c.label for c in self.comparisons]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise PydanticCustomError(
                "comparisons",
                "comparison {twice} appears twice",
                {"twice": ", ".join(twice), "fix": "give each a distinct `name`"},
            )
        unknown = sorted(set(self.same_crm_needs) - set(labels))
        if unknown:
            raise PydanticCustomError(
                "same_crm_needs",
                "same_crm_needs names {unknown}, which is not a comparison of this kind",
                {"unknown": ", ".join(unknown), "fix": f"use one of: {', '.join(labels)}"},
            )
        return self


SurvivorshipPolicyName = Literal["source_priority", "most_recent", "most_complete"]


class SurvivorshipSpec(Strict):
    policy: SurvivorshipPolicyName = "most_recent"
    # source_priority: connections, most trusted first (others after them, newest first)
    sources: list[str] = Field(default_factory=list)
    # a blank value never replaces a value (on by default: an empty field is rarely news)
    never_blank: bool = True


class SurvivorshipConfig(Strict):
    default: SurvivorshipSpec = Field(default_factory=SurvivorshipSpec)
    fields: dict[str, SurvivorshipSpec] = Field(default_factory=dict)


def _customer_defaults() -> EntityMatching:
    return EntityMatching(
        thresholds=Thresholds(auto_merge=0.95, review=0.5),
        blocking=[
            BlockingSpec(key="phone"),
            BlockingSpec(key="email"),
            BlockingSpec(key="domain"),
            BlockingSpec(key="company_name"),
            BlockingSpec(key="brand"),
            BlockingSpec(key="value", fields=["custom.credit_code"]),
        ],
        comparisons=[
            ComparisonSpec(type="company_name"),
            ComparisonSpec(type="phones"),
            # e-mail domains count here; a group's companies share info@group.com, so customer
            # e-mail addresses are no stronger than their domain
            ComparisonSpec(type="domains"),
            # one legal entity has one unified social credit code: two codes are two companies
            ComparisonSpec(
                type="same_value",
                fields=["custom.credit_code"],
                name="credit_code",
                veto=["different"],
            ),
            # a group's subsidiaries share brand, domain and trade; their cities differ
            ComparisonSpec(type="place", veto=["different"]),
            ComparisonSpec(
                type="same_value",
                fields=["industry"],
                name="industry",
                levels={
                    "same": LevelWeights(m=0.95, u=0.1),
                    "different": LevelWeights(m=0.05, u=0.9),
                },
            ),
        ],
        same_crm_needs=["phones", "credit_code"],
    )


def _contact_defaults() -> EntityMatching:
    return EntityMatching(
        thresholds=Thresholds(auto_merge=0.95, review=0.5),
        blocking=[
            BlockingSpec(key="phone"),
            BlockingSpec(key="email"),
            BlockingSpec(key="person_name"),
            BlockingSpec(key="customer_family"),
        ],
        comparisons=[
            ComparisonSpec(type="person_name"),
            ComparisonSpec(type="customer"),
            ComparisonSpec(type="emails"),
            ComparisonSpec(type="phones"),
        ],
        same_crm_needs=["emails", "phones"],
    )


def _survivorship_defaults() -> SurvivorshipConfig:
    # the fullest company name (with its legal form) is the one to keep and write back
    return SurvivorshipConfig(fields={"name": SurvivorshipSpec(policy="most_complete")})


_DEFAULTS = {"customer": _customer_defaults, "contact": _contact_defaults}


def _labels(comparisons: Any) -> set[str]:
    """The labels of comparisons as written in a config section (invalid ones left out: the
    section's own validation reports them)."""
    labels: set[str] = set()
    for raw in comparisons if isinstance(comparisons, list) else []:
        try:
            labels.add(ComparisonSpec.model_validate(raw).label)
        except ValueError:
            continue
    return labels


class MatchingConfig(Strict):
    """A kind's section may give only what it changes: blocking and comparisons left out
    are the kind's defaults (those written in the shipped config/matching.yaml)."""

    customer: EntityMatching = Field(default_factory=_customer_defaults)
    contact: EntityMatching = Field(default_factory=_contact_defaults)
    survivorship: SurvivorshipConfig = Field(default_factory=_survivorship_defaults)

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        for kind, defaults in _DEFAULTS.items():
            section = filled.get(kind)
            if isinstance(section, dict):
                base = defaults()
                merged = {
                    "blocking": [b.model_dump() for b in base.blocking],
                    "comparisons": [c.model_dump(exclude_defaults=True) for c in base.comparisons],
                    **section,
                }
                if "same_crm_needs" not in section:
                    # the default rule, for the comparisons this section keeps
                    labels = _labels(merged["comparisons"])
                    merged["same_crm_needs"] = [n for n in base.same_crm_needs if n in labels]
                filled[kind] = merged
        return filled

    def for_kind(self, kind: str) -> EntityMatching:
        if kind == "customer":
            return self.customer
        if kind == "contact":
            return self.contact
        raise ValueError(f"{kind} records are not matched (only customer and contact)")
