"""Creates a CRM would refuse for a field it requires are never sent: the planner fills the
field from the connection's declared default (Fxiaoke's owner, Zoho's deal pipeline) or holds
the write with a blocked reason. Emulators on loopback, the shipped field maps."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sync_harness import POLICIES, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from connectors.protocol import WriteMode, WriteOp
from core.store import DeadLetter, ReviewItem, Store
from core.sync.context import SyncContext
from core.sync.cycle import plan_and_commit, run_cycle
from core.sync.drain import drain_outbox
from core.sync.outbox import commit_plan
from core.sync.plan import Plan

WORLD = generate_world(WorldSpec(customers=10, contacts=14, opportunities=8, seed=5))
# nobody owns what is unowned: no e-mail user names an owner for creates in any CRM
NO_PLACEHOLDER = {"unowned_users": [], "rules": [{"id": "pool", "strategy": "pool"}]}


def _with_owners(ctx: SyncContext, owners: dict[str, str | None]) -> SyncContext:
    connections = {
        name: dataclasses.replace(conn, create_owner=owners.get(name))
        for name, conn in ctx.connections.items()
    }
    return dataclasses.replace(ctx, connections=connections)


def _dead_letters(store: Store) -> list[str]:
    with store.transaction() as session:
        return [
            f"{d.connection} {d.kind} {d.operation}: {d.error_message}"
            for d in session.scalars(sa.select(DeadLetter))
        ]


def test_fxiaoke_creates_without_an_owner_are_blocked_not_dead_lettered(store: Store) -> None:
    with sync_world(store, WORLD, assignment=NO_PLACEHOLDER) as sw:
        sw.ctx = _with_owners(sw.ctx, {})
        report, drained = sw.cycle()
        blocked = [b for b in report.plan.blocked if b.connection == "fxiaoke"]
        assert blocked, "creates into Fxiaoke need an owner nobody declared"
        assert all("requires owner on a new" in b.reason for b in blocked)
        assert drained.pushed > 0  # the rest of the sync goes on
        assert _dead_letters(store) == []


def test_fxiaoke_creates_are_owned_by_the_declared_default_owner(store: Store) -> None:
    with sync_world(store, WORLD, assignment=NO_PLACEHOLDER) as sw:
        fxiaoke = sw.crms["fxiaoke"]
        acting = fxiaoke.emulator.credentials()["currentOpenUserId"]
        sw.ctx = _with_owners(sw.ctx, {"fxiaoke": acting})
        before = set(fxiaoke.rows("customer"))
        report, _ = sw.cycle()
        assert [b for b in report.plan.blocked if b.connection == "fxiaoke"] == []
        sw.settle()
        assert _dead_letters(store) == []
        made = {k: v for k, v in fxiaoke.rows("customer").items() if k not in before}
        assert made, "Zoho-only customers were created in Fxiaoke"
        owners = [tuple(row["owner"]) for row in made.values()]
        assert all(len(owner) == 1 for owner in owners)  # every one has an owner
        # those whose owner has no user in Fxiaoke are the default's
        assert (acting,) in owners
        # owned by the default, they stay so: an idle sync writes nothing
        assert sw.cycle()[1].pushed == 0


def test_zoho_deal_creates_without_a_pipeline_are_blocked(store: Store) -> None:
    # the same targets as the harness, minus Zoho's default pipeline
    zoho = {"create_modes": {"opportunity": "insert_only"}}
    policies = {"targets": {**POLICIES["targets"], "zoho": zoho}}
    with sync_world(store, WORLD, policies=policies) as sw:
        deals = set(sw.crms["zoho"].rows("opportunity"))
        run_cycle(store, sw.ctx, sw.connectors)
        drain_outbox(store, sw.connectors)  # customers first: their deals wait for them
        plan, _ = plan_and_commit(store, sw.ctx)
        blocked = [b for b in plan.blocked if b.connection == "zoho"]
        assert {b.kind for b in blocked} == {"opportunity"}
        assert all("requires pipeline on a new opportunity" in b.reason for b in blocked)
        sw.settle()
        assert _dead_letters(store) == []
        assert set(sw.crms["zoho"].rows("opportunity")) == deals


def test_a_create_meeting_another_entitys_record_links_nothing_and_overwrites_nothing(
    store: Store,
) -> None:
    with sync_world(store, WORLD) as sw:
        zoho = sw.crms["zoho"]
        report = run_cycle(store, sw.ctx, sw.connectors)
        creates = [
            w for w in report.plan.writes if w.connection == "zoho" and w.kind == "customer"
            and w.operation is WriteOp.CREATE
        ]  # fmt: skip
        assert creates
        assert {w.mode for w in creates} == {WriteMode.INSERT_ONLY}  # the default
        # a Zoho record of another entity with the very name the create carries (a name the
        # matcher did not take for the same customer)
        busy = {w.remote_id for w in report.plan.writes}  # records the plan writes anyway
        theirs, row = next(i for i in sorted(zoho.rows("customer").items()) if i[0] not in busy)
        ours = dataclasses.replace(
            creates[0], payload={**creates[0].payload, "Account_Name": row["Account_Name"]}
        )
        with store.transaction() as session:
            commit_plan(
                session, Plan(writes=[ours], entities={ours.entity_id: ours.entity_version})
            )
        drain_outbox(store, {"zoho": zoho.connector})
        assert zoho.rows("customer")[theirs] == row  # untouched
        assert theirs not in sw.remote_ids(ours.entity_id, "zoho")
        with store.transaction() as session:
            review = session.scalars(
                sa.select(ReviewItem).where(
                    ReviewItem.entity_id == ours.entity_id, ReviewItem.status == "open"
                )
            ).one()
            assert theirs in review.summary  # the operator decides whether they are one
