"""What the assignment config means, checked after its shape: each error at its YAML path.

Criteria parse, teams and owners referred to exist (with did-you-mean), each strategy has what
it needs, the fallback rule is last, tier thresholds name a currency and are in order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import pycountry
from pydantic_core import InitErrorDetails, PydanticCustomError

from core.assignment.criteria_parse import CriteriaError, parse_criteria
from core.assignment.currency import Amount
from core.assignment.fields import FieldType, field_type, known_field_names
from core.assignment.names import DisputePolicy, StrategyName, TierBasis
from core.config.errors import did_you_mean
from mapping.model import Tier
from mapping.transforms import TransformError

if TYPE_CHECKING:
    from core.assignment.config import AssignmentConfig, RuleSettings, TierSettings

__all__ = ["semantic_errors"]

Loc = tuple[int | str, ...]
TEAM_STRATEGIES = {StrategyName.ROUND_ROBIN, StrategyName.WEIGHTED, StrategyName.LEAST_LOADED}


def _error(loc: Loc, message: str, fix: str | None, value: Any = None) -> InitErrorDetails:
    # a mapping as input keeps the message free of a "None:" prefix when there is no value
    shown = {} if value is None else value
    return InitErrorDetails(
        type=PydanticCustomError("assignment", message, {"fix": fix}), loc=loc, input=shown
    )


def _did_you_mean(word: str, choices: list[str], what: str) -> str:
    guess = did_you_mean(word, choices)
    if guess:
        return f"did you mean `{guess}`?"
    return f"declare it under `{what}:`" if not choices else f"use one of {', '.join(choices)}"


def semantic_errors(config: AssignmentConfig, raw: Any) -> list[InitErrorDetails]:
    """Every meaning error of a config whose shape is valid (`raw` is the YAML data)."""
    raw_rules = raw.get("rules", []) if isinstance(raw, Mapping) else []
    return [
        *_owner_errors(config),
        *_team_errors(config),
        *_rule_errors(config, raw_rules),
        *_tier_errors(config.tiers),
        *_other_errors(config),
        *_fallback_errors(config),
    ]


def _owner_errors(config: AssignmentConfig) -> Iterator[InitErrorDetails]:
    seen: set[str] = set()
    for i, owner in enumerate(config.owners):
        if owner.email in seen:
            yield _error(("owners", i, "email"), "is declared twice", "merge the two", owner.email)
        seen.add(owner.email)
        for j, region in enumerate(owner.regions):
            if not _is_area(region):
                yield _error(
                    ("owners", i, "regions", j),
                    "is not an ISO country or region code",
                    "e.g. CN, SG, CN-GD, US-CA",
                    region,
                )


def _is_area(code: str) -> bool:
    if len(code) == 2:
        return pycountry.countries.get(alpha_2=code) is not None
    return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]


def _team_errors(config: AssignmentConfig) -> Iterator[InitErrorDetails]:
    owners = [o.email for o in config.owners]
    for name, team in config.teams.items():
        seen: set[str] = set()
        for j, member in enumerate(team.member_list()):
            loc: Loc = ("teams", name, "members", j)
            if member.email not in owners:
                yield _error(
                    loc,
                    "is not a declared owner",
                    _did_you_mean(member.email, owners, "owners"),
                    member.email,
                )
            elif member.email in seen:
                yield _error(loc, "is in the team twice", "remove one", member.email)
            seen.add(member.email)


def _rule_errors(config: AssignmentConfig, raw_rules: list[Any]) -> Iterator[InitErrorDetails]:
    ids: set[str] = set()
    for i, rule in enumerate(config.rules):
        if rule.id in ids:
            yield _error(
                ("rules", i, "id"), "is used by an earlier rule", "rule ids are unique", rule.id
            )
        ids.add(rule.id)
        if rule.when is not None:
            yield from _criteria_errors(rule.when, ("rules", i, "when"))
        raw = raw_rules[i] if i < len(raw_rules) and isinstance(raw_rules[i], Mapping) else {}
        yield from _strategy_errors(config, rule, ("rules", i), raw)


def _criteria_errors(when: dict[str, Any], loc: Loc) -> Iterator[InitErrorDetails]:
    if not when:
        yield _error(loc, "empty criteria", "remove `when` to make this rule the fallback")
        return
    try:
        parse_criteria(when)
    except CriteriaError as exc:
        for issue in exc.issues:
            yield _error((*loc, *issue.path), issue.message, issue.fix, issue.value)


def _strategy_errors(
    config: AssignmentConfig, rule: RuleSettings, loc: Loc, raw: Mapping[str, Any]
) -> Iterator[InitErrorDetails]:
    strategy = rule.strategy
    owners = [o.email for o in config.owners]
    teams = list(config.teams)
    if rule.team is not None and rule.team not in config.teams:
        yield _error(
            (*loc, "team"), "is not a team", _did_you_mean(rule.team, teams, "teams"), rule.team
        )
    for key, email in [
        ("owner", rule.owner),
        *[(("owners", j), e) for j, e in enumerate(rule.owners)],
    ]:
        where = (*loc, *(key if isinstance(key, tuple) else (key,)))
        if email is not None and email not in owners:
            yield _error(
                where, "is not a declared owner", _did_you_mean(email, owners, "owners"), email
            )
    picks = [k for k in ("team", "owner", "owners") if raw.get(k)]
    if strategy in TEAM_STRATEGIES and rule.team is None:
        yield _error(
            (*loc, "strategy"),
            f"{strategy.value} picks from a team",
            f"add `team: …` ({', '.join(teams) or 'declare one under `teams:`'})",
            strategy.value,
        )
    if strategy is StrategyName.FIXED and len(picks) != 1:
        yield _error(
            (*loc, "strategy"),
            "fixed needs exactly one of `owner`, `owners` or `team`",
            "e.g. `owner: li.na@example.com`",
            strategy.value,
        )
    allowed = {
        StrategyName.FIXED: {"team", "owner", "owners"},
        StrategyName.EXPERTISE: {"team"},
        StrategyName.POOL: set(),
    }.get(strategy, {"team"})
    for key in picks:
        if key not in allowed:
            yield _error((*loc, key), f"{strategy.value} does not use `{key}`", f"remove `{key}:`")
    if "match" in raw and strategy is not StrategyName.EXPERTISE:
        yield _error((*loc, "match"), "only the expertise strategy uses `match`", "remove `match:`")
    if strategy is StrategyName.EXPERTISE and not rule.match:
        yield _error(
            (*loc, "match"), "expertise needs something to match", "`match: [industry, region]`"
        )


def _fallback_errors(config: AssignmentConfig) -> Iterator[InitErrorDetails]:
    for i, rule in enumerate(config.rules[:-1]):
        if rule.when is None:
            yield _error(
                ("rules", i),
                f"rule `{rule.id}` has no `when`, so the rules after it are never reached",
                "add `when:` to it, or move it last as the fallback",
            )
    if config.rules[-1].when is not None:
        yield _error(
            ("rules",),
            "the last rule must be a fallback (a rule without `when`)",
            "add a last rule such as `{id: fallback, strategy: pool}`",
        )


def _tier_errors(tiers: TierSettings | None) -> Iterator[InitErrorDetails]:
    if tiers is None:
        return
    loc: Loc = ("tiers",)
    if tiers.by is TierBasis.FIELD:
        yield from _field_tier_errors(tiers)
        return
    for key in ("field", "values"):
        if getattr(tiers, key):
            yield _error(
                (*loc, key), f"`by: {tiers.by.value}` does not use `{key}`", f"remove `{key}:`"
            )
    if not tiers.thresholds:
        yield _error(loc, "no thresholds", "e.g. `thresholds: {A: 100000000 CNY, B: 10000000 CNY}`")
    amounts: list[tuple[Tier, Amount]] = []
    for tier, raw in tiers.thresholds.items():
        try:
            amounts.append((tier, Amount.parse(raw)))
        except TransformError as exc:
            yield _error((*loc, "thresholds", tier.value), exc.reason, "e.g. `100000000 CNY`", raw)
    if len({a.currency for _, a in amounts}) > 1:
        yield _error(
            (*loc, "thresholds"),
            "thresholds in several currencies",
            "give every threshold in one currency",
        )
    else:
        yield from _order_errors([(t, a.value) for t, a in amounts], loc)


def _field_tier_errors(tiers: TierSettings) -> Iterator[InitErrorDetails]:
    loc: Loc = ("tiers",)
    kind = field_type(tiers.field) if tiers.field else None
    if tiers.field is None:
        yield _error(
            loc, "`by: field` needs the field", "add `field: employee_count` (or custom.…)"
        )
        return
    if kind is None:
        fix = _did_you_mean(tiers.field, known_field_names(), "fields")
        yield _error((*loc, "field"), "is not a field assignment rules can test", fix, tiers.field)
        return
    if bool(tiers.thresholds) == bool(tiers.values):
        yield _error(
            loc,
            "give either `thresholds` (numbers) or `values` (text)",
            "e.g. `values: {A: [VIP]}`",
        )
    numbers: list[tuple[Tier, Any]] = []
    for tier, raw in tiers.thresholds.items():
        if (
            kind not in (FieldType.INTEGER, FieldType.CUSTOM)
            or not isinstance(raw, int)
            or isinstance(raw, bool)
        ):
            yield _error(
                (*loc, "thresholds", tier.value),
                f"{tiers.field} has no whole-number thresholds",
                "use `values:`",
                raw,
            )
        else:
            numbers.append((tier, raw))
    yield from _order_errors(numbers, loc)


def _order_errors(values: list[tuple[Tier, Any]], loc: Loc) -> Iterator[InitErrorDetails]:
    ordered = sorted(values, key=lambda item: item[0].value)
    for (high, a), (low, b) in pairwise(ordered):
        if a < b:
            yield _error(
                (*loc, "thresholds", low.value),
                f"tier {low.value}'s threshold is above tier {high.value}'s",
                "thresholds go down from A to C",
                str(b),
            )


def _other_errors(config: AssignmentConfig) -> Iterator[InitErrorDetails]:
    disputes = config.disputes
    if disputes.policy is DisputePolicy.SOURCE_PRIORITY and not disputes.sources:
        yield _error(
            ("disputes", "policy"),
            "source_priority needs `sources`",
            "list connections in order of authority: `sources: [fxiaoke, zoho]`",
            disputes.policy.value,
        )
    if disputes.sources and disputes.policy is not DisputePolicy.SOURCE_PRIORITY:
        yield _error(
            ("disputes", "sources"), "only source_priority uses `sources`", "remove `sources:`"
        )
    currency = config.currency
    if currency is not None and currency.base in currency.rates:
        yield _error(
            ("currency", "rates", currency.base), "the base currency needs no rate", "remove it"
        )
