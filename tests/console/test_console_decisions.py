"""Decisions through the pages: each one carried out by the core function, under the operator's
name in the audit log; a value the canonical model refuses is shown beside the field."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa
from console_seed import OPERATOR, Seeded, sign_in

from core.audit import ActorKind, record_audit
from core.store import (
    AuditEntry,
    Conflict,
    DeadLetter,
    Entity,
    EntityMerge,
    KeepApart,
    OutboxItem,
    ReviewItem,
    Store,
)


def audits(store: Store, action: str) -> list[AuditEntry]:
    with store.sessions() as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_conflict_take_a_side(client: httpx.Client, seeded: Seeded, store: Store) -> None:
    token = sign_in(client)
    url = f"/conflicts/{seeded.conflict_id}"
    data = {"csrf_token": token, "choice": "take:fxiaoke", "reason": "客户确认的新号码"}
    response = client.post(f"{url}/resolve", data=data)
    assert response.status_code == 303
    assert "Resolved." in client.get(response.headers["location"]).text
    with store.sessions() as session:
        entity = session.get(Entity, seeded.conflict_entity)
        conflict = session.get(Conflict, seeded.conflict_id)
        assert entity is not None
        assert conflict is not None
        assert entity.data["phones"] == ["+8675589888802"]
        assert (conflict.status, conflict.resolved_by) == ("resolved", OPERATOR)
        review = session.get(ReviewItem, conflict.review_item_id)
        assert review is not None
        assert review.status == "resolved"
    (entry,) = audits(store, "golden.set")
    assert (entry.actor_kind, entry.actor, entry.field) == ("operator", OPERATOR, "phones")
    assert entry.reason == f"conflict {seeded.conflict_id}: took fxiaoke: 客户确认的新号码"
    assert entry.before == ["+8675589888888"]
    assert entry.after == ["+8675589888802"]
    # decided once: the form is gone and a second post is refused with the reason
    again = client.post(f"{url}/resolve", data=data)
    assert again.status_code == 422
    assert "already resolved" in again.text


def test_conflict_typed_value_is_validated_and_the_error_shown_beside_the_field(
    client: httpx.Client, seeded: Seeded, store: Store
) -> None:
    token = sign_in(client)
    url = f"/conflicts/{seeded.conflict_id}/resolve"
    bad = {"csrf_token": token, "choice": "value", "value": '["not a phone"]', "reason": "r"}
    response = client.post(url, data=bad)
    assert response.status_code == 422
    field = response.text.split('class="field invalid"', 1)[1].split("</div>", 1)[0]
    assert "phones" in field
    assert 'role="alert"' in field
    assert 'value="[&#34;not a phone&#34;]"' in field  # what was typed is kept, escaped
    with store.sessions() as session:
        conflict = session.get(Conflict, seeded.conflict_id)
        assert conflict is not None
        assert conflict.status == "open"
    spaced = client.post(url, data={**bad, "value": '["+86 755 8988 8899"]'})
    assert "not an E.164 phone number" in spaced.text  # the model's own reason
    good = {**bad, "value": '["+8675589888899"]'}
    assert client.post(url, data=good).status_code == 303
    with store.sessions() as session:
        entity = session.get(Entity, seeded.conflict_entity)
        assert entity is not None
        assert entity.data["phones"] == ["+8675589888899"]


def test_conflict_needs_a_choice(client: httpx.Client, seeded: Seeded) -> None:
    token = sign_in(client)
    response = client.post(f"/conflicts/{seeded.conflict_id}/resolve", data={"csrf_token": token})
    assert response.status_code == 422
    assert "Take a side or type a value." in response.text


def test_match_merge_then_unmerge(client: httpx.Client, seeded: Seeded, store: Store) -> None:
    token = sign_in(client)
    page = client.get(f"/matches/{seeded.match_review}").text
    assert "same_brand" in page
    assert "深圳市华腾科技有限公司" in page
    decision = f"merge:{seeded.match_candidate}"
    response = client.post(
        f"/matches/{seeded.match_review}/decide",
        data={"csrf_token": token, "decision": decision, "reason": "同一家公司"},
    )
    assert response.status_code == 303
    with store.sessions() as session:
        merged = session.get(Entity, seeded.match_entity)
        assert merged is not None
        assert merged.status == "merged"
        assert merged.merged_into == seeded.match_candidate
    assert audits(store, "review.resolved")[0].actor == OPERATOR
    page = client.get(f"/matches/{seeded.match_review}").text
    assert 'id="unmerge"' in page
    response = client.post(
        f"/matches/merges/{seeded.match_entity}/unmerge",
        data={
            "csrf_token": token,
            "reason": "two companies",
            "back": f"/matches/{seeded.match_review}",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/matches/{seeded.match_review}?done=unmerged"
    with store.sessions() as session:
        entity = session.get(Entity, seeded.match_entity)
        assert entity is not None
        assert entity.status == "active"
        undone = session.scalar(sa.select(EntityMerge.undone_by))
        assert undone == OPERATOR
        assert session.scalar(sa.select(sa.func.count()).select_from(KeepApart)) == 1


def test_match_keep_apart_is_remembered(client: httpx.Client, seeded: Seeded, store: Store) -> None:
    token = sign_in(client)
    response = client.post(
        f"/matches/{seeded.match_review}/decide",
        data={"csrf_token": token, "decision": "keep_apart:", "reason": "子公司"},
    )
    assert response.status_code == 303
    with store.sessions() as session:
        pair = session.scalar(sa.select(KeepApart))
        assert pair is not None
        assert pair.actor == OPERATOR
        assert {pair.entity_a, pair.entity_b} == {seeded.match_entity, seeded.match_candidate}


def test_dispute_choose_an_owner(client: httpx.Client, seeded: Seeded, store: Store) -> None:
    token = sign_in(client)
    page = client.get(f"/disputes/{seeded.dispute_review}").text
    assert "王芳 &lt;wang.fang@example.com&gt;" in page
    assert "round robin in team south-china" in page
    wang = seeded.owners["wang.fang@example.com"]
    response = client.post(
        f"/disputes/{seeded.dispute_review}/resolve",
        data={"csrf_token": token, "owner": str(wang), "reason": "区域调整"},
    )
    assert response.status_code == 303
    with store.sessions() as session:
        entity = session.get(Entity, seeded.dispute_entity)
        assert entity is not None
        assert entity.owner_id == wang
    (entry,) = audits(store, "owner.dispute_operator")
    assert entry.actor == OPERATOR


def test_dead_letter_retry_queues_the_write_again(
    client: httpx.Client, seeded: Seeded, store: Store
) -> None:
    token = sign_in(client)
    assert "电话号码格式不正确" in client.get(f"/dead-letters/{seeded.dead_letter}").text
    response = client.post(f"/dead-letters/{seeded.dead_letter}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    with store.sessions() as session:
        letter = session.get(DeadLetter, seeded.dead_letter)
        assert letter is not None
        assert (letter.status, letter.decided_by) == ("retried", OPERATOR)
        pending = session.scalars(sa.select(OutboxItem).where(OutboxItem.status == "pending")).all()
        assert [(p.entity_id, p.payload) for p in pending] == [
            (seeded.dead_letter_entity, letter.payload)
        ]
        review = session.scalars(
            sa.select(ReviewItem).where(ReviewItem.kind == "dead_letter")
        ).one()
        assert (review.status, review.resolved_by) == ("resolved", OPERATOR)
        assert review.resolution == {
            "dead_letter_id": letter.id, "action": "retry", "outbox_id": pending[0].id,
        }  # fmt: skip


def test_dead_letter_discard_needs_a_reason(
    client: httpx.Client, seeded: Seeded, store: Store
) -> None:
    token = sign_in(client)
    url = f"/dead-letters/{seeded.dead_letter}/discard"
    response = client.post(url, data={"csrf_token": token, "reason": "  "})
    assert response.status_code == 422
    assert "Say why" in response.text
    assert client.post(url, data={"csrf_token": token, "reason": "客户已删除"}).status_code == 303
    with store.sessions() as session:
        letter = session.get(DeadLetter, seeded.dead_letter)
        assert letter is not None
        assert (letter.status, letter.reason) == ("discarded", "客户已删除")


def test_dashboard_shows_runs_queue_and_open_items(client: httpx.Client, seeded: Seeded) -> None:
    sign_in(client)
    page = client.get("/").text
    runs = page.split('id="runs"', 1)[1].split("</table>", 1)[0]
    assert ">1200<" in runs
    assert ">17<" in runs
    assert ">42<" in runs
    assert "quarantined 3" in runs
    outbox = page.split('id="outbox"', 1)[1].split("</table>", 1)[0]
    assert "zoho" in outbox
    for kind in ("match", "conflict", "dispute", "dead_letter"):
        card = re.search(rf'id="open-{kind}">\s*<span class="figure">(\d+)</span>', page)
        assert card is not None, kind
        assert card.group(1) == "1", kind


def test_audit_search_by_entity_name_operator_and_date(
    client: httpx.Client, seeded: Seeded, store: Store
) -> None:
    token = sign_in(client)
    client.post(
        f"/conflicts/{seeded.conflict_id}/resolve",
        data={"csrf_token": token, "choice": "take:zoho", "reason": "核实"},
    )
    by_name = client.get("/audit", params={"entity": "比亚迪", "action": "golden."}).text
    assert "golden.set" in by_name
    assert "+8675589888801" in by_name
    assert "huateng" not in by_name.lower()
    by_operator = client.get("/audit", params={"actor": OPERATOR}).text
    assert "operator.login" in by_operator
    assert "golden.set" in by_operator
    assert "entity.created" not in by_operator
    old = client.get("/audit", params={"until": "2020-01-01"}).text
    assert "No entries match." in old
    bad = client.get("/audit", params={"since": "yesterday"}).text
    assert "is not a date" in bad


def test_lists_filter_sort_and_page(client: httpx.Client, seeded: Seeded, store: Store) -> None:
    sign_in(client)
    with store.transaction() as session:  # more entries than a page holds (5 in these tests)
        for n in range(7):
            record_audit(session, actor_kind=ActorKind.SYSTEM, actor="t", action=f"test.{n}")
    first = client.get("/audit", params={"sort": "action", "order": "asc"}).text
    assert "page 1 of" in first
    assert "next →" in first
    actions = [a.split("<", 1)[0] for a in first.split("<td><code>")[1:]]
    assert actions == sorted(actions)
    second = client.get("/audit", params={"sort": "action", "order": "asc", "page": "2"}).text
    assert "← previous" in second
    assert client.get("/dead-letters", params={"status": "discarded"}).text.count("#1<") == 0
    assert "格力电器" not in client.get("/dead-letters", params={"connection": "fxiaoke"}).text
    listed = client.get("/dead-letters", params={"sort": "nonsense; drop table"})
    assert listed.status_code == 200  # unknown sorts fall back to the default
