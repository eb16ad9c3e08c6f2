"""Assigning in the store: golden owner, decision rows, audit, followers, restarts, tiers."""

from __future__ import annotations

from collections import Counter

from assignment_seed import POLICY, USERS, Seed, policy_of

from connectors.protocol import RemoteUser
from core.assignment import (
    AssignmentPolicy,
    DecisionKind,
    assign_customers,
    inherit_owner,
    prepare_assigner,
    run_assignment,
    sync_crm_users,
)
from core.store import AssignmentTurn, Entity, Store


def test_run_assigns_records_and_audits_every_decision(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    gd = seed.customer("华为技术有限公司", address={"country": "CN", "region": "CN-GD"}, tier="B")
    us = seed.customer("Zylker Inc", address={"country": "US"})
    summary = run_assignment(store, policy, batch_size=1)
    assert summary.customers == 2
    assert summary.kinds == {"assign": 1, "pool": 1}
    assert summary.batches == 2
    customer = seed.entity(gd)
    wang = seed.owner_id("wang.fang@example.com")
    assert customer.owner_id == wang
    assert customer.data["owner"] == {"owner_id": str(wang)}
    assert customer.version == 2
    (decision,) = seed.decisions(gd)
    assert (decision.rule_id, decision.strategy, decision.owner_id) == ("cn", "round_robin", wang)
    assert decision.criteria["facts"]["country"] == "CN"
    assert decision.criteria["outcome"]["why"] == "next in turn in team all (turn 1)"
    assert decision.reason.startswith("rule cn (round_robin) chose 王芳 <wang.fang@example.com>")
    (audit,) = seed.audits(gd, "owner.")
    assert audit.action == "owner.assign"
    assert audit.actor_kind == "rule"
    assert audit.actor == "cn"
    assert audit.before == {"owner_id": None}
    assert audit.after["owner_id"] == str(wang)
    assert audit.after["criteria"]["country"] == "CN"
    assert audit.after["outcome"]["strategy"] == "round_robin"
    pooled = seed.entity(us)
    assert pooled.owner_id is None
    assert "owner" not in pooled.data
    assert seed.decisions(us)[0].rule_id == "pool"


def test_a_second_run_changes_nothing(store: Store, seed: Seed, policy: AssignmentPolicy) -> None:
    seed.directory(policy)
    for i in range(5):
        seed.customer(f"客户{i}", address={"country": "CN"} if i % 2 else {"country": "JP"})
    run_assignment(store, policy)
    before = len(seed.decisions())
    again = run_assignment(store, policy)
    assert again.kinds == {"keep": 5}
    assert len(seed.decisions()) == before == 5


def test_round_robin_continues_after_a_restart(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    first = [seed.customer(f"A{i}", address={"country": "CN"}) for i in range(2)]
    run_assignment(store, policy)
    store.close()
    reopened = Store.open(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        later = [Seed(reopened).customer(f"B{i}", address={"country": "CN"}) for i in range(4)]
        run_assignment(reopened, policy)
        owners = Seed(reopened).owners_of([*first, *later])
        with reopened.transaction() as session:
            turn = session.get(AssignmentTurn, "round_robin:all")
            assert turn is not None
            assert turn.turns == 6
    finally:
        reopened.close()
    # a rotation restarting from the first owner would give 3/2/1; continuing gives 2 each
    assert sorted(Counter(owners).values()) == [2, 2, 2]


def test_contacts_and_opportunities_follow_their_customer(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    customer = seed.customer("腾讯", address={"country": "CN"})
    contact = seed.follower("contact", customer, full_name="马化腾")
    deal = seed.follower("opportunity", customer, name="企业微信", stage="proposal")
    other = seed.follower(
        "contact", seed.customer("其他", address={"country": "JP"}), full_name="x"
    )
    summary = run_assignment(store, policy)
    assert summary.followers == 2
    owner = seed.entity(customer).owner_id
    assert owner is not None
    assert seed.owners_of([contact, deal, other]) == [owner, owner, None]
    assert seed.entity(contact).data["owner"] == {"owner_id": str(owner)}
    (followed,) = seed.decisions(deal)
    assert (followed.rule_id, followed.owner_id) == ("inherit", owner)
    assert seed.audits(deal, "owner.")[0].action == "owner.inherit"


def test_inherit_owner_for_one_record_the_sync_engine_just_wrote(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    wang = seed.owner_id("wang.fang@example.com")
    customer = seed.customer("阿里巴巴", owner=wang)
    contact = seed.follower("contact", customer, full_name="张勇")
    with store.transaction() as session:
        entity = session.get(Entity, contact)
        assert entity is not None
        decision = inherit_owner(session, entity)
        assert decision is not None
        assert decision.kind is DecisionKind.INHERIT
        assert inherit_owner(session, entity) is None  # already follows
    assert seed.entity(contact).owner_id == wang


def test_assign_customers_in_the_callers_transaction(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    ids = [seed.customer(f"C{i}", address={"country": "CN"}) for i in range(3)]
    with store.transaction() as session:
        assigner = prepare_assigner(session, policy)
    with store.transaction() as session:
        decisions = assign_customers(session, assigner, ids)
    assert [d.kind for d in decisions] == [DecisionKind.ASSIGN] * 3
    assert len(set(seed.owners_of(ids))) == 3


def test_tiers_are_written_with_audit_and_count_against_capacity(store: Store, seed: Seed) -> None:
    text = "tiers: {by: annual_revenue, thresholds: {A: 100000000 CNY, B: 10000000 CNY}}\n"
    policy = policy_of(
        text
        + POLICY.replace("team: all}", "team: wangs}").replace(
            "teams:\n", "teams:\n  wangs: {members: [wang.fang@example.com]}\n"
        )
    )
    seed.directory(policy)
    big = [
        seed.customer(
            f"大客户{i}",
            address={"country": "CN"},
            annual_revenue={"amount": "300000000", "currency": "CNY"},
        )
        for i in range(3)
    ]
    run_assignment(store, policy)
    wang = seed.owner_id("wang.fang@example.com")
    # 王芳 carries at most 2 A-tier customers: the third waits in the pool
    assert sorted(map(str, seed.owners_of(big))) == sorted([str(wang), str(wang), "None"])
    data = seed.entity(big[0]).data
    assert data["tier"] == "A"
    (tier,) = seed.audits(big[0], "field.set")
    assert (tier.field, tier.before, tier.after, tier.actor) == ("tier", None, "A", "tiering")
    assert tier.reason == "annual revenue 300000000 CNY ≥ 100000000 CNY"


def test_inactive_owner_customers_are_reassigned_on_the_next_run(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    zhang = seed.owner_id("zhang.wei@example.com")
    customer = seed.customer("小米", address={"country": "CN"}, owner=zhang)
    user = USERS["zoho"][2]
    with store.transaction() as session:  # what a sync does when Zoho reports the user disabled
        gone = RemoteUser(user.remote_id, user.name, user.email, active=False)
        sync_crm_users(session, "zoho", [gone], settings=policy.owners)
    run_assignment(store, policy)
    assert seed.entity(customer).owner_id not in (None, zhang)
    (decision,) = seed.decisions(customer)
    assert decision.previous_owner_id == zhang
    assert decision.criteria["moved_because"] == "owner 张伟 <zhang.wei@example.com> is inactive"
