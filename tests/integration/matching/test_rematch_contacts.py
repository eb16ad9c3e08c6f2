"""An operator merges two customers: their contacts are matched again, since two records of one
person were kept apart while they named two customers (real store, the shipped matching
config's defaults)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from core.config.matching import MatchingConfig
from core.matching import Decision, ReviewAction, decide_match_review, match_record
from core.reviews import ReviewKind, ReviewStatus, list_reviews, open_review
from core.store import Entity, ReviewItem, Store

CONFIG = MatchingConfig()
HUATENG = {"name": "深圳市华腾科技有限公司", "phones": ["+8675523456789"]}
# the same company as Zoho's users typed it: nothing shared a machine may merge on
HUATENG_EN = {"name": "Huateng Technology Co., Ltd.", "phones": ["+8675500000000"]}


def match(store: Store, kind: str, data: dict[str, Any], connection: str, remote_id: str) -> Any:
    with store.transaction() as session:
        return match_record(
            session, kind, data, connection=connection, remote_id=remote_id, config=CONFIG
        )


def status(store: Store, entity_id: uuid.UUID) -> tuple[str, uuid.UUID | None]:
    with store.transaction() as session:
        entity = session.get(Entity, entity_id)
        assert entity is not None
        return entity.status, entity.merged_into


def customers_under_review(store: Store) -> tuple[uuid.UUID, uuid.UUID, int]:
    chinese = match(store, "customer", HUATENG, "fxiaoke", "F1")
    english = match(store, "customer", HUATENG_EN, "zoho", "Z1")
    assert english.decision == Decision.NEW  # two entities for one company
    with store.transaction() as session:
        item = open_review(
            session, ReviewKind.MATCH, "华腾 / Huateng: the same company?",
            {"entity_id": str(english.entity_id),
             "candidates": [{"entity_id": str(chinese.entity_id), "score": 0.5, "evidence": []}]},
            entity_id=english.entity_id, entity_kind="customer",
        )  # fmt: skip
        session.flush()
        review_id = item.id
    return chinese.entity_id, english.entity_id, review_id


def merge_customers(store: Store, review_id: int) -> dict[str, Any]:
    with store.transaction() as session:
        item = decide_match_review(
            session, review_id, ReviewAction.MERGE, config=CONFIG, actor="李娜"
        )
        return dict(item.resolution or {})


def test_one_person_under_two_customers_is_merged_once_the_customers_are_one(
    store: Store,
) -> None:
    chinese, _, review_id = customers_under_review(store)
    zhang = {"first_name": "伟", "last_name": "张"}
    first = match(
        store, "contact", {**zhang, "mobile": "+8613912345678", "customer": {"remote_id": "F1"}},
        "fxiaoke", "FC1",
    )  # fmt: skip
    # Zoho's record of him names the English customer: a different company, so far
    second = match(
        store, "contact", {**zhang, "emails": ["zw@huateng.com"], "customer": {"remote_id": "Z1"}},
        "zoho", "ZC1",
    )  # fmt: skip
    assert second.entity_id != first.entity_id
    assert second.decision == Decision.NEW  # same name, a different customer: someone else
    with store.transaction() as session:  # an operator was asked about them, not answered yet
        open_review(
            session, ReviewKind.MATCH, "张伟 / 张伟",
            {"entity_id": str(second.entity_id),
             "candidates": [{"entity_id": str(first.entity_id), "score": 0.4, "evidence": []}]},
            entity_id=second.entity_id, entity_kind="contact",
        )  # fmt: skip
    # someone else at the company: nobody to merge with
    other = match(
        store, "contact", {"first_name": "娜", "last_name": "王", "customer": {"remote_id": "Z1"}},
        "zoho", "ZC2",
    )  # fmt: skip

    resolution = merge_customers(store, review_id)

    assert resolution["into"] == str(chinese)
    assert resolution["contacts"] == {"auto_merge": 1, "review": 0}
    merged = {status(store, first.entity_id), status(store, second.entity_id)}
    assert merged == {("active", None), ("merged", first.entity_id)} or merged == {
        ("active", None),
        ("merged", second.entity_id),
    }
    assert status(store, other.entity_id) == ("active", None)
    with store.transaction() as session:
        # a review the contacts' first meeting opened is decided by the merge, not left open
        still_open = [
            item for item in list_reviews(session, kind=ReviewKind.MATCH)
            if item.status == ReviewStatus.OPEN.value
        ]  # fmt: skip
        assert still_open == []


def test_namesakes_in_one_crm_under_the_two_customers_go_to_review_not_merge(
    store: Store,
) -> None:
    chinese, _, review_id = customers_under_review(store)
    # the Chinese customer is in Zoho too (its own record there), so Zoho holds contacts of both
    assert (
        match(store, "customer", {**HUATENG, "name": "华腾科技有限公司"}, "zoho", "Z2").entity_id
        == chinese
    )
    li = {"first_name": "娜", "last_name": "李"}
    first = match(
        store, "contact", {**li, "emails": ["li.na@huateng.com"], "customer": {"remote_id": "Z2"}},
        "zoho", "ZC1",
    )  # fmt: skip
    second = match(
        store, "contact", {**li, "mobile": "+8618999857593", "customer": {"remote_id": "Z1"}},
        "zoho", "ZC2",
    )  # fmt: skip
    assert second.entity_id != first.entity_id

    resolution = merge_customers(store, review_id)

    # one name, one company, two records in one CRM, no e-mail or phone in common: two
    # people as often as one, so an operator decides
    assert resolution["contacts"]["auto_merge"] == 0
    assert status(store, first.entity_id) == ("active", None)
    assert status(store, second.entity_id) == ("active", None)
    with store.transaction() as session:
        reviews = session.scalars(
            sa.select(ReviewItem).where(
                ReviewItem.kind == ReviewKind.MATCH.value,
                ReviewItem.status == ReviewStatus.OPEN.value,
                ReviewItem.entity_kind == "contact",
            )
        ).all()
        assert len(reviews) == 1
        assert "same_crm" in reviews[0].payload["candidates"][0]["vetoes"]
