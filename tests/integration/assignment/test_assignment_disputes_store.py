"""Ownership disputes in the store: a review for the operator, resolved once, never silently."""

from __future__ import annotations

import uuid

import pytest
from assignment_seed import POLICY, Seed, at, policy_of

from core.assignment import (
    AssignmentPolicy,
    DisputeResolutionError,
    detect_dispute,
    resolve_dispute,
    run_assignment,
)
from core.reviews import ReviewKind, ReviewStatus, list_reviews
from core.store import Store

WANG_ZOHO, LI_FX = "4150868000000225013", "FSUID_" + "B" * 32


def disputed(seed: Seed) -> uuid.UUID:
    return seed.customer(
        "比亚迪股份有限公司",
        address={"country": "CN"},
        links=[("zoho", "Z1", WANG_ZOHO), ("fxiaoke", "F1", LI_FX)],
    )


def test_manual_dispute_opens_one_review_and_waits(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    directory = seed.directory(policy)
    customer = disputed(seed)
    with store.transaction() as session:
        found = detect_dispute(session, customer, directory)
    assert found is not None
    assert [c.connection for c in found.claims] == ["fxiaoke", "zoho"]
    summary = run_assignment(store, policy)
    assert summary.kinds == {"dispute_review": 1}
    with store.transaction() as session:
        (review,) = list_reviews(session, kind=ReviewKind.DISPUTE)
        assert review.entity_id == customer
        claims = {c["connection"]: c["owner"] for c in review.payload["claims"]}
        assert claims == {
            "zoho": "王芳 <wang.fang@example.com>",
            "fxiaoke": "李娜 <li.na@example.com>",
        }
        assert review.payload["proposal"]["rule_id"] == "cn"
    assert seed.entity(customer).owner_id is None
    (decision,) = seed.decisions(customer)
    assert decision.rule_id == "dispute"
    assert f"(review #{review.id})" in (decision.reason or "")
    # the next run leaves it to the operator: no second review, no assignment
    assert run_assignment(store, policy).kinds == {"keep": 1}
    with store.transaction() as session:
        assert len(list_reviews(session, kind=ReviewKind.DISPUTE)) == 1


def test_operator_resolution_sets_owner_closes_review_and_sticks(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    customer = disputed(seed)
    contact = seed.follower("contact", customer, full_name="王传福")
    run_assignment(store, policy)
    zhang = seed.owner_id("zhang.wei@example.com")
    with store.transaction() as session:
        (review,) = list_reviews(session, kind=ReviewKind.DISPUTE)
        decision = resolve_dispute(session, review.id, zhang, actor="op.chen", reason="区域调整")
        assert decision.reason == "operator op.chen chose 张伟 <zhang.wei@example.com>: 区域调整"
    assert seed.owners_of([customer, contact]) == [zhang, zhang]
    with store.transaction() as session:
        assert list_reviews(session, kind=ReviewKind.DISPUTE) == []
        (done,) = list_reviews(session, kind=ReviewKind.DISPUTE, status=ReviewStatus.RESOLVED)
        assert done.resolved_by == "op.chen"
        assert done.resolution == {"owner_id": str(zhang), "owner": "张伟 <zhang.wei@example.com>"}
        with pytest.raises(DisputeResolutionError, match="already resolved"):
            resolve_dispute(session, done.id, zhang, actor="op.li")
    audit = seed.audits(customer, "owner.dispute_operator")[0]
    assert (audit.actor_kind, audit.actor) == ("operator", "op.chen")
    # the CRMs still show 王芳 and 李娜 until the write-back: not a new dispute
    assert run_assignment(store, policy).kinds == {"keep": 1}
    # a CRM user changes it again afterwards: that is a new dispute
    seed.set_claim("fxiaoke", "F1", "FSUID_" + "A" * 32)  # 王芳 in Fxiaoke
    seed.set_claim("zoho", "Z1", "4150868000000225014")  # 李娜 in Zoho
    assert run_assignment(store, policy).kinds == {"dispute_review": 1}


def test_resolution_refuses_an_inactive_owner(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    gone = policy_of(
        POLICY.replace(
            "{email: zhang.wei@example.com,", "{email: zhang.wei@example.com, active: false,"
        )
    )
    seed.directory(gone)
    disputed(seed)
    run_assignment(store, gone)
    zhang = seed.owner_id("zhang.wei@example.com")
    with store.transaction() as session:
        (review,) = list_reviews(session, kind=ReviewKind.DISPUTE)
        with pytest.raises(DisputeResolutionError, match="is inactive"):
            resolve_dispute(session, review.id, zhang, actor="op")


def test_earliest_owner_policy_settles_without_an_operator(store: Store, seed: Seed) -> None:
    policy = policy_of("disputes: {policy: earliest}\n" + POLICY)
    seed.directory(policy)
    customer = seed.customer("美的集团", address={"country": "CN"})
    with store.transaction() as session:
        Seed.link(session, customer, "zoho", "Z9", WANG_ZOHO, at(2023))
        Seed.link(session, customer, "fxiaoke", "F9", LI_FX, at(2019))
    assert run_assignment(store, policy).kinds == {"dispute_policy": 1}
    assert seed.entity(customer).owner_id == seed.owner_id("li.na@example.com")
    (decision,) = seed.decisions(customer)
    assert "earliest owner: 李娜 <li.na@example.com> in fxiaoke since 2019-01-01" in (
        decision.reason or ""
    )
    with store.transaction() as session:
        assert list_reviews(session, kind=ReviewKind.DISPUTE) == []
