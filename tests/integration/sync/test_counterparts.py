"""A held create's other half (`hold_counterparts`), on a real store: the guard held the
Chinese customer out of Zoho because Zoho holds the English one, but (its candidates cut at a
crowded brand key, as in the 10k run) did not find the pair the other way, so the plan still
creates the English one in Fxiaoke, which holds the Chinese one: that create waits too."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from connectors.protocol import WriteMode, WriteOp
from core.config.matching import MatchingConfig
from core.matching import Decision, match_record
from core.reviews import ReviewKind, list_reviews, match_review_names
from core.store import Store
from core.sync.counterparts import hold_counterparts
from core.sync.create_guard import HeldCreate
from core.sync.outbox import commit_plan
from core.sync.plan import Plan, PlannedWrite
from core.sync.waits import WaitReason

CONFIG = MatchingConfig()


def _customer(session: Session, connection: str, remote_id: str, **data: Any) -> uuid.UUID:
    outcome = match_record(
        session, "customer", data, connection=connection, remote_id=remote_id, config=CONFIG
    )
    assert outcome.decision == Decision.NEW
    return outcome.entity_id


def _create(entity_id: uuid.UUID, connection: str) -> PlannedWrite:
    return PlannedWrite(
        connection, "customer", entity_id, WriteOp.CREATE, WriteMode.UPSERT,
        {"name": "x"}, None, {"name": "x"}, 1, None,
    )  # fmt: skip


def test_the_create_of_a_held_creates_candidate_into_the_crm_holding_it_waits(
    store: Store,
) -> None:
    with store.transaction() as session:
        chinese = _customer(session, "fxiaoke", "F1", name="峰智建设工程(上海)有限公司",
                            phones=["+862130441850"])  # fmt: skip
        english = _customer(session, "zoho", "Z1", name="Shanghai Fengzhi Construction Co., Ltd.",
                            phones=["+862130444338"])  # fmt: skip
        other = _customer(session, "zoho", "Z2", name="北京银行股份有限公司")
        plan = Plan()
        plan.held.append(HeldCreate("zoho", "customer", chinese, english, "Z1", 0.08, []))
        plan.writes += [_create(english, "fxiaoke"), _create(other, "fxiaoke")]

        assert hold_counterparts(session, plan) == 1

        assert [(w.entity_id, w.connection) for w in plan.writes] == [(other, "fxiaoke")]
        counterpart = plan.held[-1]
        assert (counterpart.connection, counterpart.entity_id, counterpart.candidate_id) == (
            "fxiaoke", english, chinese,
        )  # fmt: skip
        assert counterpart.remote_id == "F1"
        assert [(w.connection, w.reason, w.subject_id) for w in plan.waits[english]] == [
            ("fxiaoke", WaitReason.HELD, chinese)
        ]
        committed = commit_plan(session, plan)
        assert committed.queued == 1  # only the unrelated create
        # one question to the operator for the pair, not one per direction
        reviews = list_reviews(session, kind=ReviewKind.MATCH)
        assert len(reviews) == 1
        assert match_review_names(reviews[0].payload) == {str(chinese), str(english)}


def test_a_candidate_is_still_created_where_the_held_entity_is_not(store: Store) -> None:
    with store.transaction() as session:
        chinese = _customer(session, "fxiaoke", "F1", name="峰智建设工程(上海)有限公司")
        english = _customer(session, "zoho", "Z1", name="Shanghai Fengzhi Construction Co., Ltd.")
        plan = Plan()
        plan.held.append(HeldCreate("zoho", "customer", chinese, english, "Z1", 0.08, []))
        plan.writes.append(_create(english, "hubspot"))  # the Chinese one is not in HubSpot

        assert hold_counterparts(session, plan) == 0
        assert [w.connection for w in plan.writes] == ["hubspot"]
