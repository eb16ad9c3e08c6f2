"""Merges are reversible: unmerge restores entities, links, keys and golden values exactly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.audit import ActorKind, audit_trail
from core.config.matching import MatchingConfig
from core.matching import (
    Decision,
    ReviewAction,
    decide_match_review,
    index_entity,
    match_record,
    rematch_entity,
    unmerge_entity,
)
from core.merging import MergeError, merge_entities, remember_keep_apart
from core.reviews import ReviewKind, list_reviews
from core.store import BlockingKey, Entity, EntityMerge, Link, MatchDecision, SourceRecord, Store

CONFIG = MatchingConfig()


def state(session: Session) -> dict[str, Any]:
    """Everything a merge touches: entities, links, blocking keys (golden values included)."""
    entities = {
        e.id: (e.kind, e.status, e.merged_into, e.data)
        for e in session.scalars(sa.select(Entity)).all()
    }
    links = {
        (row.connection, row.kind, row.remote_id): row.entity_id
        for row in session.scalars(sa.select(Link)).all()
    }
    keys = sorted(
        (str(row[0]), row[1], row[2])
        for row in session.execute(
            sa.select(BlockingKey.entity_id, BlockingKey.key_type, BlockingKey.key_value)
        ).all()
    )
    return {"entities": entities, "links": links, "keys": keys}


def new_entity(
    session: Session, data: dict[str, Any], connection: str, remote_id: str
) -> uuid.UUID:
    outcome = match_record(
        session, "customer", data, connection=connection, remote_id=remote_id, config=CONFIG
    )
    assert outcome.decision == Decision.NEW
    return outcome.entity_id


def two_entities(store: Store) -> tuple[uuid.UUID, uuid.UUID]:
    with store.transaction() as session:
        a = new_entity(
            session,
            {"name": "华腾科技有限公司", "phones": ["+8675523456789"], "industry": "technology"},
            "fxiaoke", "A1",
        )  # fmt: skip
        b = new_entity(
            session,
            {"name": "Huateng Technology Co., Ltd.", "website": "huateng.com",
             "phones": ["+8675500000000"], "address": {"city": "深圳"}},
            "zoho", "Z1",
        )  # fmt: skip
    return a, b


def merge(session: Session, into: uuid.UUID, merged: uuid.UUID) -> EntityMerge:
    return merge_entities(
        session, survivor_id=into, merged_id=merged, survivorship=CONFIG.survivorship,
        decision="operator_merge", actor_kind=ActorKind.OPERATOR, actor="李娜",
    )  # fmt: skip


def test_merge_then_unmerge_restores_the_exact_previous_state(store: Store) -> None:
    a, b = two_entities(store)
    with store.transaction() as session:
        before = state(session)
        merge(session, a, b)
    with store.transaction() as session:
        merged = state(session)
        assert merged["entities"][b][1:3] == ("merged", a)
        assert set(merged["links"].values()) == {a}
        assert {k[0] for k in merged["keys"]} == {str(a)}  # a now found under b's keys too
        assert ("domain", "huateng.com") in {(t, v) for _, t, v in merged["keys"]}
        golden = merged["entities"][a][3]
        assert golden["website"] == "huateng.com"
        assert set(golden["phones"]) >= {"+8675500000000"} or golden["phones"]
    with store.transaction() as session:
        unmerge_entity(session, b, config=CONFIG, actor="李娜", reason="two companies")
    with store.transaction() as session:
        assert state(session) == before
        actions = [e.action for e in audit_trail(session, entity_id=b)]
        assert "entity.merged_into" in actions
        assert "entity.split_from" in actions
        (undone,) = session.scalars(sa.select(EntityMerge)).all()
        assert undone.undone_at is not None
        assert undone.undone_by == "李娜"
        assert session.scalars(
            sa.select(MatchDecision.decision).where(MatchDecision.decision == "unmerge")
        ).all() == ["unmerge"]


def test_unmerge_after_the_survivor_changed_recomputes_it_from_what_it_still_holds(
    store: Store,
) -> None:
    a, b = two_entities(store)
    with store.transaction() as session:
        merge(session, a, b)
        c = new_entity(session, {"name": "华腾科技(深圳)", "tags": ["重点客户"]}, "hubspot", "H1")
    with store.transaction() as session:
        merge(session, a, c)  # the survivor changes after b was merged
    with store.transaction() as session:
        unmerge_entity(session, b, config=CONFIG, actor="ops")
    with store.transaction() as session:
        now = state(session)
        golden = now["entities"][a][3]
        assert golden.get("website") is None  # b's value left with b
        assert golden["tags"] == ["重点客户"]  # c's contribution stays
        assert now["links"][("zoho", "customer", "Z1")] == b
        assert now["links"][("hubspot", "customer", "H1")] == a
        assert ("domain", "huateng.com") not in {(t, v) for e, t, v in now["keys"] if e == str(a)}


def test_golden_values_come_from_the_kept_source_records(store: Store) -> None:
    a, b = two_entities(store)
    with store.transaction() as session:
        for connection, remote_id, mapped, at in (
            ("fxiaoke", "A1", {"name": "深圳市华腾科技有限公司", "industry": "technology"}, 1),
            (
                "zoho",
                "Z1",
                {"name": "Huateng", "industry": "software", "website": "huateng.com"},
                2,
            ),
        ):
            session.add(SourceRecord(
                connection=connection, kind="customer", remote_id=remote_id, raw={}, mapped=mapped,
                remote_modified_at=datetime(2026, at, 1, tzinfo=UTC),
            ))  # fmt: skip
        session.flush()
        merge(session, a, b)
        golden = session.get(Entity, a).data  # type: ignore[union-attr]
    assert golden["name"] == "深圳市华腾科技有限公司"  # name: most complete
    assert golden["industry"] == "software"  # default: most recent
    assert golden["website"] == "huateng.com"


def test_merge_refuses_what_cannot_be_merged(store: Store) -> None:
    a, b = two_entities(store)
    with store.transaction() as session:
        with pytest.raises(MergeError, match="into itself"):
            merge(session, a, a)
        with pytest.raises(MergeError, match="does not exist"):
            merge(session, a, uuid.uuid4())
        remember_keep_apart(session, "customer", a, b, actor="ops")
        with pytest.raises(MergeError, match="kept apart"):
            merge_entities(session, survivor_id=a, merged_id=b, survivorship=CONFIG.survivorship)
    with store.transaction() as session, pytest.raises(MergeError, match="no merge to undo"):
        unmerge_entity(session, a, config=CONFIG, actor="ops")


def test_review_merge_keep_apart_is_remembered_and_unmerge(store: Store) -> None:
    with store.transaction() as session:
        a = new_entity(session, {"name": "华腾科技有限公司", "website": "huateng.com"}, "fx", "A1")
        grey = match_record(
            session, "customer", {"name": "Huateng Technology Co., Ltd.", "website": "huateng.com"},
            connection="zoho", remote_id="Z1", config=CONFIG,
        )  # fmt: skip
    assert grey.decision == Decision.REVIEW
    assert grey.review_id is not None
    with store.transaction() as session:
        decide_match_review(
            session, grey.review_id, ReviewAction.KEEP_APART, config=CONFIG, actor="李娜",
            reason="a subsidiary",
        )  # fmt: skip
    with store.transaction() as session:
        assert list_reviews(session, kind=ReviewKind.MATCH) == []
        # the pair is remembered: looking for duplicates again proposes nothing
        again = rematch_entity(session, grey.entity_id, config=CONFIG)
        assert again.decision == Decision.NONE
        assert list_reviews(session, kind=ReviewKind.MATCH) == []
        # an operator may still merge them, which forgets the pair
        merge(session, a, grey.entity_id)
        assert session.get(Entity, grey.entity_id).merged_into == a  # type: ignore[union-attr]


def test_review_merge_joins_the_candidate_and_rematch_does_not_repeat_open_reviews(
    store: Store,
) -> None:
    with store.transaction() as session:
        a = new_entity(session, {"name": "华腾科技有限公司", "website": "huateng.com"}, "fx", "A1")
        grey = match_record(
            session, "customer", {"name": "Huateng Technology Co., Ltd.", "website": "huateng.com"},
            connection="zoho", remote_id="Z1", config=CONFIG,
        )  # fmt: skip
        assert rematch_entity(session, grey.entity_id, config=CONFIG).decision == Decision.NONE
        assert len(list_reviews(session, kind=ReviewKind.MATCH)) == 1
    assert grey.review_id is not None
    with store.transaction() as session:
        item = decide_match_review(
            session, grey.review_id, ReviewAction.MERGE, config=CONFIG, actor="李娜"
        )
        assert item.status == "resolved"
        assert item.resolution == {"action": "merge", "into": str(a)}
        link = session.scalars(sa.select(Link).where(Link.remote_id == "Z1")).one()
        assert link.entity_id == a
    with store.transaction() as session, pytest.raises(ValueError, match="already resolved"):
        decide_match_review(session, grey.review_id, ReviewAction.MERGE, config=CONFIG, actor="x")


def test_index_entity_replaces_the_keys_when_the_golden_record_changes(store: Store) -> None:
    a, _ = two_entities(store)
    with store.transaction() as session:
        index_entity(session, a, "customer", {"name": "新名字有限公司"}, config=CONFIG)
        keys = session.execute(
            sa.select(BlockingKey.key_type, BlockingKey.key_value).where(BlockingKey.entity_id == a)
        ).all()
    assert {(t, v) for t, v in keys} == {
        ("company_name", "新名字"),
        ("company_name", "xinmingzi"),
        ("brand", "xinmingzi"),
    }


def test_pathological_blocks_are_skipped_and_reported(store: Store) -> None:
    config = MatchingConfig.model_validate({"contact": {"max_block_size": 3}})
    with store.transaction() as session:
        for index in range(4):
            match_record(
                session, "contact", {"full_name": "张伟", "emails": [f"z{index}@x.com"]},
                connection="fx", remote_id=f"C{index}", config=config,
            )  # fmt: skip
        outcome = match_record(
            session, "contact", {"full_name": "张伟", "emails": ["z1@x.com"]},
            connection="zoho", remote_id="Z", config=config,
        )  # fmt: skip
    assert outcome.skipped_keys == ("person_name=wei zhang (more than 3 entities)",)
    assert outcome.decision == Decision.AUTO_MERGE  # the e-mail still found the candidate
