"""Ownership disputes in the engine: detected, settled by policy or sent to an operator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from assignment_builders import Build

from core.assignment import DecisionKind, OwnerInfo, SourceOwner

RULES = """\
owners: [{email: a@x.com}, {email: b@x.com}, {email: c@x.com}]
teams: {abc: {members: [a@x.com, b@x.com, c@x.com]}}
rules:
  - {id: rr, when: {country: CN}, strategy: round_robin, team: abc}
  - {id: pool, strategy: pool}
"""
EARLY, LATE = datetime(2021, 3, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture
def owners(build: Build) -> list[OwnerInfo]:
    return [build.owner(e) for e in ("a@x.com", "b@x.com", "c@x.com")]


def sides(owners: list[OwnerInfo]) -> list[SourceOwner]:
    return [
        SourceOwner("zoho", "Z1", owners[0].id, "111", LATE),
        SourceOwner("fxiaoke", "F1", owners[1].id, "FSUID_B", EARLY),
    ]


def test_manual_policy_opens_a_review_and_changes_nothing(
    build: Build, owners: list[OwnerInfo]
) -> None:
    assigner = build.assigner(RULES, owners)
    case = build.case(address={"country": "CN"}, sides=sides(owners))
    decision = build.run(assigner, [case])[0]
    assert decision.kind is DecisionKind.DISPUTE_REVIEW
    assert decision.owner_id is None
    assert (
        decision.reason
        == "CRMs disagree (zoho says a <a@x.com>, fxiaoke says b <b@x.com>): an operator chooses"
    )
    review = decision.review
    assert review is not None
    assert [c["owner"] for c in review["claims"]] == ["a <a@x.com>", "b <b@x.com>"]
    assert review["proposal"]["rule_id"] == "rr"
    assert review["proposal"]["owner"] == "a <a@x.com>"


def test_the_proposal_does_not_use_up_a_turn(build: Build, owners: list[OwnerInfo]) -> None:
    assigner = build.assigner(RULES, owners)
    state = build.state()
    disputed = build.case(address={"country": "CN"}, sides=sides(owners))
    plain = build.case(address={"country": "CN"})
    decisions = build.run(assigner, [disputed, plain], state)
    assert decisions[1].owner_id == owners[0].id


@pytest.mark.parametrize(
    ("policy", "winner", "why"),
    [
        ("{policy: source_priority, sources: [fxiaoke, zoho]}", 1, "fxiaoke > zoho: fxiaoke wins"),
        ("{policy: source_priority, sources: [zoho]}", 0, "source priority zoho: zoho wins"),
        ("{policy: earliest}", 1, "earliest owner: b <b@x.com> in fxiaoke since 2021-03-01"),
    ],
)
def test_policies_choose_and_say_why(
    build: Build, owners: list[OwnerInfo], policy: str, winner: int, why: str
) -> None:
    assigner = build.assigner(f"disputes: {policy}\n" + RULES, owners)
    decision = build.run(assigner, [build.case(owners[2].id, sides=sides(owners))])[0]
    assert decision.kind is DecisionKind.DISPUTE_POLICY
    assert decision.owner_id == owners[winner].id
    assert decision.previous_owner_id == owners[2].id
    assert why in decision.reason


def test_priority_without_a_listed_connection_goes_to_an_operator(
    build: Build, owners: list[OwnerInfo]
) -> None:
    assigner = build.assigner(
        "disputes: {policy: source_priority, sources: [hubspot]}\n" + RULES, owners
    )
    decision = build.run(assigner, [build.case(sides=sides(owners))])[0]
    assert decision.kind is DecisionKind.DISPUTE_REVIEW


def test_claims_already_decided_are_not_a_new_dispute(
    build: Build, owners: list[OwnerInfo]
) -> None:
    assigner = build.assigner(RULES, owners)
    claims = sides(owners)
    recorded = {s.key: str(s.owner_id) for s in claims}
    # an operator chose c; both CRMs still show their old owners until the write-back
    decided = build.case(owners[2].id, sides=claims, last_sides=recorded)
    assert build.run(assigner, [decided])[0].kind is DecisionKind.KEEP
    # zoho has been written back (c), fxiaoke not yet (b, as before): still no dispute
    half = [SourceOwner("zoho", "Z1", owners[2].id), claims[1]]
    assert (
        build.run(assigner, [build.case(owners[2].id, sides=half, last_sides=recorded)])[0].kind
        is DecisionKind.KEEP
    )
    # someone changes fxiaoke to a: a new claim against the decided owner is a dispute again
    changed = [SourceOwner("zoho", "Z1", owners[2].id), SourceOwner("fxiaoke", "F1", owners[0].id)]
    again = build.run(assigner, [build.case(owners[2].id, sides=changed, last_sides=recorded)])
    assert again[0].kind is DecisionKind.DISPUTE_REVIEW


def test_inactive_claimants_do_not_make_a_dispute(build: Build, owners: list[OwnerInfo]) -> None:
    gone = [owners[0], build.owner("b@x.com", active=False), owners[2]]
    assigner = build.assigner(RULES, gone)
    decision = build.run(assigner, [build.case(sides=sides(owners))])[0]
    assert decision.kind is DecisionKind.ADOPT
    assert decision.owner_id == owners[0].id


def test_an_open_review_waits_for_its_operator(build: Build, owners: list[OwnerInfo]) -> None:
    assigner = build.assigner(RULES, owners)
    case = build.case(address={"country": "CN"}, sides=sides(owners))
    waiting = type(case)(case.entity_id, case.data, None, sides=case.sides, open_review=7)
    decision = build.run(assigner, [waiting])[0]
    assert decision.kind is DecisionKind.KEEP
    assert decision.reason == "waiting for an operator on dispute review #7"
