"""match_record against the store: link, auto-merge, grey-zone review, new; with evidence."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from core.audit import audit_trail
from core.config.matching import MatchingConfig
from core.matching import Decision, match_record
from core.reviews import ReviewKind, list_reviews
from core.store import BlockingKey, Entity, Link, MatchDecision, Store
from mapping.model import CanonicalValidationError

CONFIG = MatchingConfig()

HUATENG = {
    "name": "深圳市华腾科技有限公司",
    "phones": ["+8675523456789"],
    "website": "www.huateng.com",
    "industry": "technology",
    "address": {"city": "深圳", "country": "CN"},
}


def match(
    store: Store, record: dict[str, Any], connection: str, remote_id: str, kind: str = "customer"
):  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        return match_record(
            session, kind, record, connection=connection, remote_id=remote_id, config=CONFIG
        )


def test_first_record_makes_an_entity_and_the_same_record_is_then_linked(store: Store) -> None:
    first = match(store, HUATENG, "fxiaoke", "A1")
    assert first.decision == Decision.NEW
    again = match(store, {**HUATENG, "name": "changed"}, "fxiaoke", "A1")
    assert again.decision == Decision.LINKED
    assert again.entity_id == first.entity_id
    with store.transaction() as session:
        entity = session.get(Entity, first.entity_id)
        assert entity is not None
        assert entity.data["name"] == "深圳市华腾科技有限公司"
        rows = session.execute(
            sa.select(BlockingKey.key_type, BlockingKey.key_value).where(
                BlockingKey.entity_id == first.entity_id
            )
        ).all()
        keys = {(row[0], row[1]) for row in rows}
        assert ("phone", "+8675523456789") in keys
        assert ("company_name", "华腾科技") in keys
        decisions = session.scalars(sa.select(MatchDecision)).all()
        assert [d.decision for d in decisions] == ["new"]


def test_another_crms_spelling_joins_the_entity_with_its_evidence(store: Store) -> None:
    first = match(store, HUATENG, "fxiaoke", "A1")
    variant = {
        "name": "华腾科技(深圳)有限公司",
        "phones": ["+8675523456789"],
        "industry": "technology",
    }
    second = match(store, variant, "zoho", "3000000000000000001")
    assert second.decision == Decision.AUTO_MERGE
    assert second.entity_id == first.entity_id
    assert second.score is not None
    assert second.score >= CONFIG.customer.thresholds.auto_merge
    assert {e["comparison"]: e["level"] for e in second.evidence} == {
        "company_name": "same_key", "phones": "same", "industry": "same", "place": "same",
    }  # fmt: skip
    with store.transaction() as session:
        links = session.scalars(sa.select(Link).order_by(Link.id)).all()
        assert {(link.connection, link.entity_id) for link in links} == {
            ("fxiaoke", first.entity_id), ("zoho", first.entity_id),
        }  # fmt: skip
        decision = session.scalars(
            sa.select(MatchDecision).where(MatchDecision.connection == "zoho")
        ).one()
        assert decision.decision == "auto_merge"
        assert decision.entity_id == first.entity_id
        assert decision.evidence["best"] == second.evidence
        actions = {e.action for e in audit_trail(session, entity_id=first.entity_id)}
        assert "entity.absorbed" in actions


def test_grey_zone_opens_a_review_with_candidates_and_evidence(store: Store) -> None:
    first = match(store, HUATENG, "fxiaoke", "A1")
    # the same brand on the same domain, nothing else: a subsidiary or the company itself?
    english = {"name": "Huateng Technology Co., Ltd.", "website": "huateng.com"}
    outcome = match(store, english, "zoho", "Z1")
    assert outcome.decision == Decision.REVIEW
    assert outcome.entity_id != first.entity_id
    assert outcome.review_id is not None
    with store.transaction() as session:
        (item,) = list_reviews(session, kind=ReviewKind.MATCH)
        assert item.id == outcome.review_id
        assert item.entity_id == outcome.entity_id
        assert item.payload["connection"] == "zoho"
        candidate = item.payload["candidates"][0]
        assert candidate["entity_id"] == str(first.entity_id)
        levels = {e["comparison"]: e["level"] for e in candidate["evidence"]}
        assert levels["company_name"] == "same_brand"
        assert levels["domains"] == "same"
        assert CONFIG.customer.thresholds.review <= candidate["score"] < 0.95


def test_a_different_company_is_a_new_entity(store: Store) -> None:
    first = match(store, HUATENG, "fxiaoke", "A1")
    other = match(
        store, {"name": "北京银行股份有限公司", "phones": ["+861012345678"]}, "zoho", "Z9"
    )
    assert other.decision == Decision.NEW
    assert other.entity_id != first.entity_id


def test_contacts_use_their_customer_as_evidence(store: Store) -> None:
    acme = match(store, HUATENG, "fxiaoke", "A1").entity_id
    bank = match(store, {"name": "北京银行股份有限公司"}, "fxiaoke", "A2").entity_id
    zoho_acme = match(store, {**HUATENG, "name": "华腾科技有限公司"}, "zoho", "Z1").entity_id
    assert zoho_acme == acme
    zhang = {"first_name": "伟", "last_name": "张", "customer": {"remote_id": "A1"}}
    first = match(store, zhang, "fxiaoke", "C1", kind="contact")
    # 张伟 at the bank is a namesake, not the same person
    namesake = match(
        store, {**zhang, "customer": {"remote_id": "A2"}}, "fxiaoke", "C2", kind="contact"
    )
    assert namesake.decision != Decision.AUTO_MERGE
    assert {e["comparison"]: e["level"] for e in namesake.evidence}["customer"] == "different"
    # Zhang Wei in Zoho works for the customer Zoho links to the same entity: the same person
    pinyin = {"first_name": "Wei", "last_name": "Zhang", "customer": {"remote_id": "Z1"}}
    same = match(store, pinyin, "zoho", "ZC1", kind="contact")
    assert same.decision == Decision.AUTO_MERGE
    assert same.entity_id == first.entity_id
    assert bank != acme


def test_entity_ids_are_uuids_that_do_not_change(store: Store) -> None:
    first = match(store, HUATENG, "fxiaoke", "A1")
    for index in range(3):
        match(store, {**HUATENG, "website": None}, "zoho", f"Z{index}")
    with store.transaction() as session:
        assert session.get(Entity, first.entity_id) is not None
        active = session.scalars(
            sa.select(Entity.id).where(Entity.status == "active", Entity.kind == "customer")
        ).all()
        assert active == [first.entity_id]
        assert isinstance(first.entity_id, uuid.UUID)


def test_a_conflicting_identifier_sends_a_high_score_to_review(store: Store) -> None:
    # a group's hotline and domain, its subsidiaries' names carry their own cities
    hotline = {"phones": ["+864008001234"], "website": "minganyong.cn", "industry": "finance"}
    hangzhou = match(store, {**hotline, "name": "杭州市明安永投资有限公司"}, "zoho", "Z1")
    guangzhou = match(store, {**hotline, "name": "广州市明安永投资有限公司"}, "fxiaoke", "F1")
    assert guangzhou.decision == Decision.REVIEW
    assert guangzhou.entity_id != hangzhou.entity_id
    assert guangzhou.score is not None
    assert guangzhou.score >= CONFIG.customer.thresholds.auto_merge
    with store.transaction() as session:
        (item,) = list_reviews(session, kind=ReviewKind.MATCH)
        assert item.summary.endswith("conflicting place")
        assert item.payload["candidates"][0]["vetoes"] == ["place"]
    # the Hangzhou company's own spelling in another CRM still joins it
    again = match(store, {**hotline, "name": "明安永投资有限公司(杭州)"}, "fxiaoke", "F2")
    assert again.decision == Decision.AUTO_MERGE
    assert again.entity_id == hangzhou.entity_id


def test_two_records_of_one_crm_join_only_on_an_email_or_phone(store: Store) -> None:
    match(store, HUATENG, "zoho", "A1")
    xie = {"first_name": "天佑", "last_name": "谢", "customer": {"remote_id": "A1"}}
    first = match(store, {**xie, "emails": ["tianyou.xie@outlook.com"]}, "zoho", "C1", "contact")
    # Zoho's users keep a second 谢天佑 at the same company: two people as often as one
    second = match(store, {**xie, "mobile": "+8618999857593"}, "zoho", "C2", "contact")
    assert second.decision == Decision.REVIEW
    assert second.entity_id != first.entity_id
    assert second.score is not None
    assert second.score >= CONFIG.contact.thresholds.auto_merge
    with store.transaction() as session:
        (item,) = list_reviews(session, kind=ReviewKind.MATCH)
        assert item.payload["candidates"][0]["vetoes"] == ["same_crm"]
    # the same e-mail in that CRM is a duplicate record of one person: joined
    again = match(store, {**xie, "emails": ["tianyou.xie@outlook.com"]}, "zoho", "C3", "contact")
    assert again.decision == Decision.AUTO_MERGE
    assert again.entity_id == first.entity_id
    # another CRM's 谢天佑 at that customer is no second record there: joined on name alone
    match(store, {**HUATENG, "name": "华腾科技有限公司"}, "fxiaoke", "F1")
    other = {**xie, "customer": {"remote_id": "F1"}}
    across = match(store, other, "fxiaoke", "FC1", "contact")
    assert across.decision == Decision.AUTO_MERGE


def test_same_crm_needs_names_comparisons_of_its_kind() -> None:
    with pytest.raises(ValueError, match="same_crm_needs names mobile"):
        MatchingConfig.model_validate({"contact": {"same_crm_needs": ["mobile"]}})
    # a section that drops a comparison keeps the rest of the default rule
    custom = MatchingConfig.model_validate(
        {"contact": {"comparisons": [{"type": "person_name"}, {"type": "phones"}]}}
    )
    assert custom.contact.same_crm_needs == ["phones"]
    assert MatchingConfig().customer.same_crm_needs == ["phones", "credit_code"]


def test_a_linked_record_is_linked_whatever_it_holds_and_an_unlinked_bad_one_is_refused(
    store: Store,
) -> None:
    first = match(store, HUATENG, "fxiaoke", "A1")
    bad = {**HUATENG, "phones": "not a list"}
    again = match(store, bad, "fxiaoke", "A1")
    assert again.decision == Decision.LINKED
    assert again.entity_id == first.entity_id
    with pytest.raises(CanonicalValidationError, match="phones"):
        match(store, bad, "fxiaoke", "A2")
    with store.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Link)) == 1


def test_a_link_the_caller_has_not_flushed_yet_counts(store: Store) -> None:
    first = match(store, HUATENG, "fxiaoke", "A1")
    with store.transaction() as session:
        session.add(Link(entity_id=first.entity_id, connection="zoho", kind="customer",
                         remote_id="Z1"))  # fmt: skip
        outcome = match_record(
            session, "customer", {"name": "another name"}, connection="zoho", remote_id="Z1",
            config=CONFIG,
        )  # fmt: skip
    assert outcome.decision == Decision.LINKED
    assert outcome.entity_id == first.entity_id
