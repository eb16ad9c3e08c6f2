"""Simulation writes nothing and shows moves and loads; explain shows why."""

from __future__ import annotations

from assignment_seed import POLICY, Seed, policy_of

from core.assignment import AssignmentPolicy, DecisionKind, run_assignment
from core.assignment.explain import explain_customer, find_customers
from core.assignment.simulate import simulate
from core.store import Store


def counts(store: Store) -> dict[str, int]:
    status = store.status()
    return {t: status.counts[t] for t in ("assignment_decisions", "audit_log", "assignment_turns")}


def test_simulation_lists_moves_and_loads_without_writing(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    ids = [seed.customer(f"客户{i}", address={"country": "CN"}, tier="B") for i in range(6)]
    run_assignment(store, policy)
    before = counts(store)
    owners_before = seed.owners_of(ids)
    new = policy_of(
        POLICY.replace(
            "{email: zhang.wei@example.com,", "{email: zhang.wei@example.com, active: false,"
        )
    )
    with store.sessions() as session:
        result = simulate(session, new)
        session.rollback()
    assert counts(store) == before
    assert seed.owners_of(ids) == owners_before
    assert result.customers == 6
    zhang = str(seed.owner_id("zhang.wei@example.com"))
    assert {c.before for c in result.changes} == {seed.owner_id("zhang.wei@example.com")}
    assert len(result.changes) == 2
    assert all("is inactive" in c.short for c in result.changes)
    assert result.before[zhang] == {"B": 2}
    assert result.after.get(zhang, {}) == {}
    assert sum(sum(t.values()) for t in result.after.values()) == 6
    data = result.to_data()
    assert {row["owner"] for row in data["loads"]} >= {"张伟 <zhang.wei@example.com>"}


def test_from_scratch_ignores_current_owners(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    li = seed.owner_id("li.na@example.com")
    for i in range(3):
        seed.customer(f"客户{i}", address={"country": "CN"}, owner=li)
    with store.sessions() as session:
        sticky = simulate(session, policy)
        fresh = simulate(session, policy, from_scratch=True)
    assert sticky.changes == []
    assert len(fresh.changes) == 2  # round robin gives one of three back to 李娜


def test_explain_shows_decision_values_and_the_rules_now(
    store: Store, seed: Seed, policy: AssignmentPolicy
) -> None:
    seed.directory(policy)
    customer = seed.customer(
        "宁德时代新能源科技股份有限公司",
        address={"country": "CN", "region": "CN-FJ"},
        links=[("zoho", "Z7", "4150868000000225013")],
    )
    run_assignment(store, policy)
    with store.sessions() as session:
        (entity,) = find_customers(session, "宁德时代")
        assert find_customers(session, str(customer)) == [entity]
        explanation = explain_customer(session, entity, policy)
    assert explanation.owner == "王芳 <wang.fang@example.com>"
    (decision,) = explanation.decisions
    assert decision["kind"] == "adopt"
    assert decision["rule_id"] == "source-owner"
    assert explanation.claims[0]["owner"] == "王芳 <wang.fang@example.com>"
    assert explanation.now is not None
    assert explanation.now.kind is DecisionKind.KEEP
    assert explanation.if_unowned is not None
    assert explanation.if_unowned.rule_id == "cn"
    assert explanation.to_data()["if_unowned"]["details"]["facts"]["country"] == "CN"
