"""The engine without a database: strategies, rule order, capacity, the pool, stickiness."""

from __future__ import annotations

from collections import Counter

from assignment_builders import Build

from core.assignment import DecisionKind, SourceOwner

OWNERS = """\
owners:
  - {email: a@x.com, regions: [CN-GD], industries: [Retail], capacity: {A: 1}}
  - {email: b@x.com, regions: [CN-GD, CN-SH], industries: [Banking]}
  - {email: c@x.com, regions: [SG], industries: [Retail, Banking]}
teams:
  abc: {members: [a@x.com, b@x.com, c@x.com]}
  weighted: {members: [{email: a@x.com, weight: 2}, {email: b@x.com, weight: 1}]}
"""


def directory(build: Build, *inactive: str, **capacity: dict[str, int]) -> list:
    specs = {
        "a@x.com": {"regions": ("CN-GD",), "industries": ("Retail",), "capacity": {"A": 1}},
        "b@x.com": {"regions": ("CN-GD", "CN-SH"), "industries": ("Banking",)},
        "c@x.com": {"regions": ("SG",), "industries": ("Retail", "Banking")},
    }
    out = []
    for email, fields in specs.items():
        fields = dict(fields)
        if email.split("@")[0] in capacity:
            fields["capacity"] = capacity[email.split("@")[0]]
        out.append(build.owner(email, active=email not in inactive, **fields))
    return out


def rules(text: str) -> str:
    return OWNERS + "rules:\n" + text + "  - {id: pool, strategy: pool}\n"


def test_round_robin_takes_turns_and_skips_who_cannot_take_more(build: Build) -> None:
    assigner = build.assigner(
        rules("  - {id: rr, when: {country: CN}, strategy: round_robin, team: abc}\n"),
        directory(build, "b@x.com"),
    )
    cases = [build.case(address={"country": "CN"}, tier="B") for _ in range(4)]
    decisions = build.run(assigner, cases)
    assert build.emails(decisions, assigner) == ["a@x.com", "c@x.com", "a@x.com", "c@x.com"]
    assert [d.kind for d in decisions] == [DecisionKind.ASSIGN] * 4
    skipped = decisions[1].details["outcome"]["skipped"]
    assert skipped == [{"owner": "b <b@x.com>", "why": "inactive"}]
    # a carries at most one A-tier customer: after that the rotation passes a over
    a_tier = build.run(
        assigner, [build.case(address={"country": "CN"}, tier="A") for _ in range(3)]
    )
    assert build.emails(a_tier, assigner) == ["a@x.com", "c@x.com", "c@x.com"]


def test_weighted_gives_shares_by_weight_in_a_smooth_order(build: Build) -> None:
    assigner = build.assigner(
        rules("  - {id: w, when: {country: CN}, strategy: weighted, team: weighted}\n"),
        directory(build),
    )
    decisions = build.run(assigner, [build.case(address={"country": "CN"}) for _ in range(9)])
    emails = build.emails(decisions, assigner)
    assert Counter(emails) == {"a@x.com": 6, "b@x.com": 3}
    # each pick goes to whoever is furthest behind their share: never more than one turn behind
    assert emails == ["a@x.com", "a@x.com", "b@x.com"] * 3


def test_least_loaded_picks_the_lightest_then_by_total_then_order(build: Build) -> None:
    owners = directory(build)
    assigner = build.assigner(
        rules("  - {id: ll, when: {country: CN}, strategy: least_loaded, team: abc}\n"), owners
    )
    a, b, c = (o.id for o in owners)
    state = build.state({a: {"B": 5}, b: {"B": 2, "C": 9}, c: {"B": 2}})
    decisions = build.run(assigner, [build.case(address={"country": "CN"}, tier="B")] * 4, state)
    assert build.emails(decisions, assigner) == ["c@x.com", "b@x.com", "c@x.com", "b@x.com"]
    assert "least loaded: 2 tier B, 2 in all" in decisions[0].details["outcome"]["why"]


def test_expertise_matches_industry_and_region(build: Build) -> None:
    assigner = build.assigner(
        rules("  - {id: ex, when: {industry: {exists: true}}, strategy: expertise}\n"),
        directory(build),
    )
    retail_sg = build.case(industry="retail", address={"country": "SG"})
    banking_sh = build.case(industry="Banking", address={"country": "CN", "region": "CN-SH"})
    nobody = build.case(industry="Mining", address={"country": "CN", "region": "CN-GD"})
    decisions = build.run(assigner, [retail_sg, banking_sh, nobody])
    assert build.emails(decisions, assigner) == ["c@x.com", "b@x.com", None]
    assert decisions[2].kind is DecisionKind.POOL
    assert decisions[2].rule_id == "pool"  # the expertise rule found nobody and passed it on
    assert decisions[2].details["rules"][0]["outcome"]["why"] == (
        "nobody available in the experts on industry and region of the directory"
        " (3 others are not experts)"
    )


def test_fixed_owner_list_takes_the_first_available(build: Build) -> None:
    assigner = build.assigner(
        rules("  - {id: f, when: {tier: A}, strategy: fixed, owners: [a@x.com, c@x.com]}\n"),
        directory(build),
    )
    decisions = build.run(assigner, [build.case(tier="A"), build.case(tier="A")])
    assert build.emails(decisions, assigner) == ["a@x.com", "c@x.com"]
    assert decisions[0].details["outcome"]["why"] == "first available of a@x.com, c@x.com"


def test_first_matching_rule_wins_and_a_full_rule_passes_to_the_next(build: Build) -> None:
    text = rules(
        "  - {id: key, when: {tier: A}, strategy: fixed, owner: a@x.com}\n"
        "  - {id: sg, when: {country: SG}, strategy: fixed, owner: c@x.com}\n"
        "  - {id: any-cn, when: {country: {exists: true}}, strategy: fixed, owner: b@x.com}\n"
    )
    assigner = build.assigner(text, directory(build))
    first = build.case(tier="A", address={"country": "SG"})
    second = build.case(tier="A", address={"country": "CN"})  # a is full for A now
    decisions = build.run(assigner, [first, second])
    assert [d.rule_id for d in decisions] == ["key", "any-cn"]
    tried = decisions[1].details["rules"]
    assert [(r["rule"], r["matched"]) for r in tried] == [
        ("key", True),
        ("sg", False),
        ("any-cn", True),
    ]
    assert tried[0]["outcome"]["why"] == "nobody available in a@x.com"
    assert tried[1]["checks"] == [{"field": "country", "op": "==", "expected": "SG", "ok": False}]
    assert decisions[1].details["facts"]["country"] == "CN"


def test_the_pool_is_recorded_once_per_rule(build: Build) -> None:
    assigner = build.assigner(rules(""), directory(build))
    case = build.case()
    (first,) = build.run(assigner, [case])
    assert first.kind is DecisionKind.POOL
    assert first.owner_id is None
    assert first.reason == "rule pool (pool): to the pool (公海)"
    again = type(case)(case.entity_id, case.data, None, last_rule="pool", last_owner_id=None)
    assert build.run(assigner, [again])[0].kind is DecisionKind.KEEP


def test_owned_customers_are_sticky(build: Build) -> None:
    owners = directory(build)
    assigner = build.assigner(
        rules("  - {id: rr, when: {country: CN}, strategy: round_robin, team: abc}\n"), owners
    )
    decision = build.run(assigner, [build.case(owners[2].id, address={"country": "CN"})])[0]
    assert decision.kind is DecisionKind.KEEP
    assert decision.owner_id == owners[2].id


def test_inactive_owner_hands_customers_on_unless_config_says_keep(build: Build) -> None:
    owners = directory(build, "c@x.com")
    text = rules("  - {id: rr, when: {country: CN}, strategy: round_robin, team: abc}\n")
    case = build.case(owners[2].id, address={"country": "CN"})
    decision = build.run(build.assigner(text, owners), [case])[0]
    assert decision.kind is DecisionKind.REASSIGN
    assert decision.owner_id == owners[0].id
    assert decision.details["moved_because"] == "owner c <c@x.com> is inactive"
    kept = build.run(build.assigner("reassign: {owner_inactive: false}\n" + text, owners), [case])
    assert kept[0].kind is DecisionKind.KEEP


def test_over_capacity_moves_the_excess_only_when_someone_has_room(build: Build) -> None:
    owners = directory(build, a={"B": 1}, b={"B": 5}, c={"B": 5})
    a, b, c = (o.id for o in owners)
    text = "reassign: {over_capacity: true}\n" + rules(
        "  - {id: ll, when: {country: CN}, strategy: least_loaded, team: abc}\n"
    )
    assigner = build.assigner(text, owners)
    state = build.state({a: {"B": 3}, b: {"B": 1}, c: {"B": 5}})
    cases = [build.case(a, address={"country": "CN"}, tier="B") for _ in range(3)]
    decisions = build.run(assigner, cases, state)
    assert [d.kind for d in decisions] == [DecisionKind.REASSIGN] * 2 + [DecisionKind.KEEP]
    assert build.emails(decisions, assigner) == ["b@x.com", "b@x.com", "a@x.com"]
    assert "over capacity for tier B (3/1)" in decisions[0].reason
    # b is now full too (3/5 is not full; fill it): nobody has room, so a keeps the excess
    full = build.state({a: {"B": 3}, b: {"B": 5}, c: {"B": 5}})
    stuck = build.run(assigner, cases[:1], full)[0]
    assert stuck.kind is DecisionKind.KEEP
    assert stuck.owner_id == a
    assert "but rule pool would pool it" in stuck.reason


def test_a_reassign_rule_moves_customers_into_its_team_only(build: Build) -> None:
    owners = directory(build)
    text = rules(
        "  - {id: key, when: {tier: A}, strategy: fixed, owners: [a@x.com, b@x.com],"
        " reassign: true}\n"
        "  - {id: rest, when: {tier: {exists: true}}, strategy: fixed, owner: c@x.com}\n"
    )
    assigner = build.assigner(text, owners)
    a, b, c = (o.id for o in owners)
    moved = build.run(assigner, [build.case(c, tier="A")])[0]
    assert moved.kind is DecisionKind.REASSIGN
    assert moved.owner_id == a
    assert moved.details["moved_because"] == "rule key reassigns the customers it matches"
    in_team = build.run(assigner, [build.case(b, tier="A")])[0]
    assert in_team.kind is DecisionKind.KEEP
    # the team is full (a: 1 A-tier, b inactive): the customer stays rather than go elsewhere
    full = build.assigner(text, directory(build, "b@x.com"))
    stays = build.run(full, [build.case(c, tier="A")], build.state({a: {"A": 1}}))[0]
    assert stays.kind is DecisionKind.KEEP
    assert stays.owner_id == c


def test_unowned_customer_adopts_the_owner_its_crms_agree_on(build: Build) -> None:
    owners = directory(build)
    assigner = build.assigner(rules(""), owners)
    sides = [SourceOwner("zoho", "1", owners[1].id), SourceOwner("fxiaoke", "F1", owners[1].id)]
    decision = build.run(assigner, [build.case(sides=sides)])[0]
    assert decision.kind is DecisionKind.ADOPT
    assert decision.owner_id == owners[1].id
    assert decision.reason == "fxiaoke, zoho already has b <b@x.com> as owner: kept"
    no_adopt = build.assigner("adopt_source_owner: false\n" + rules(""), owners)
    assert build.run(no_adopt, [build.case(sides=sides)])[0].kind is DecisionKind.POOL


def test_unknown_or_inactive_crm_owners_are_not_adopted(build: Build) -> None:
    owners = directory(build, "b@x.com")
    assigner = build.assigner(rules(""), owners)
    sides = [SourceOwner("zoho", "1", owners[1].id), SourceOwner("fxiaoke", "F1", None)]
    assert build.run(assigner, [build.case(sides=sides)])[0].kind is DecisionKind.POOL


def test_tiering_sets_the_tier_and_moves_loads(build: Build) -> None:
    owners = directory(build)
    a = owners[0].id
    text = "tiers: {by: field, field: employee_count, thresholds: {A: 1000, B: 100}}\n" + rules("")
    assigner = build.assigner(text, owners)
    state = build.state({a: {"C": 1}})
    decision = build.run(assigner, [build.case(a, tier="C", employee_count=2500)], state)[0]
    assert decision.kind is DecisionKind.KEEP
    assert (decision.tier_before, decision.tier_after) == ("C", "A")
    assert decision.tier_why == "employee_count 2500 ≥ 1000"
    assert state.loads.of(a, "A") == 1
    assert state.loads.of(a, "C") == 0
