"""The audit log and the review queue every feature writes to."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from core.audit import ActorKind, audit_trail, record_audit
from core.reviews import ReviewKind, ReviewStatus, close_review, list_reviews, open_review
from core.store import Entity, Store


def test_audit_trail_filters_by_entity_actor_and_time(store: Store) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    with store.transaction() as session:
        record_audit(
            session,
            actor_kind=ActorKind.SYNC,
            actor="sync",
            action="field.set",
            entity_id=a,
            field="name",
            before="Zylker",
            after="Zylker Inc",
            source="zoho",
        )
        record_audit(
            session,
            actor_kind=ActorKind.OPERATOR,
            actor="李娜",
            action="field.set",
            entity_id=b,
            field="phone",
            before=None,
            after="+8613800138000",
        )
    with store.transaction() as session:
        assert [e.field for e in audit_trail(session, entity_id=a)] == ["name"]
        assert [e.entity_id for e in audit_trail(session, actor="李娜")] == [b]
        later = datetime.now(UTC) + timedelta(minutes=1)
        assert audit_trail(session, since=later) == []
        assert len(audit_trail(session)) == 2


def test_review_open_close_is_audited_and_final(store: Store) -> None:
    with store.transaction() as session:
        entity = Entity(kind="customer", data={"name": "华为"})
        session.add(entity)
        session.flush()
        item = open_review(
            session,
            ReviewKind.MATCH,
            "华为 vs 华为技术",
            {"candidates": []},
            entity_id=entity.id,
            entity_kind="customer",
        )
        item_id = item.id
    with store.transaction() as session:
        assert [r.id for r in list_reviews(session, kind=ReviewKind.MATCH)] == [item_id]
        assert list_reviews(session, kind=ReviewKind.CONFLICT) == []
        item = list_reviews(session)[0]
        close_review(
            session,
            item,
            status=ReviewStatus.RESOLVED,
            actor="op1",
            resolution={"decision": "merge"},
            reason="same credit code",
        )
    with store.transaction() as session:
        assert list_reviews(session) == []
        done = list_reviews(session, status=ReviewStatus.RESOLVED)[0]
        assert done.resolved_by == "op1"
        trail = audit_trail(session, entity_id=done.entity_id)
        assert trail[0].action == "review.resolved"
        assert trail[0].after["decision"] == "merge"
        with pytest.raises(ValueError, match="already resolved"):
            close_review(session, done, status=ReviewStatus.DISMISSED, actor="op2", resolution={})
