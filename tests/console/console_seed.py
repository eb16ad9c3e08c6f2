"""A store with one of everything an operator decides: a field conflict, a grey-zone match, an
ownership dispute, a dead letter, runs; and an operator to sign in with."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from connectors.protocol import PushOutcome, PushResult
from console.accounts import add_operator
from core.config.matching import MatchingConfig
from core.matching import Decision, match_record
from core.reviews import ReviewKind, open_review
from core.store import Conflict, DeadLetter, Entity, OutboxItem, OwnerRow, Run, Store
from core.sync import apply_push_results

HASHER = PasswordHasher.from_parameters(CHEAPEST)  # the tests' passwords need no real cost
OPERATOR, PASSWORD = "李娜", "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HUATENG = {
    "name": "深圳市华腾科技有限公司",
    "phones": ["+8675523456789"],
    "website": "www.huateng.com",
}
HUATENG_EN = {"name": "Huateng Technology Co., Ltd.", "website": "huateng.com"}


@dataclass(frozen=True)
class Seeded:
    conflict_id: int
    conflict_entity: uuid.UUID
    match_review: int
    match_entity: uuid.UUID
    match_candidate: uuid.UUID
    dispute_review: int
    dispute_entity: uuid.UUID
    owners: dict[str, uuid.UUID]
    dead_letter: int
    dead_letter_entity: uuid.UUID


def add_operator_account(store: Store, name: str = OPERATOR, password: str = PASSWORD) -> None:
    with store.transaction() as session:
        add_operator(session, name, password, hasher=HASHER, actor="test")


def customer(store: Store, data: dict[str, object]) -> uuid.UUID:
    with store.transaction() as session:
        entity = Entity(kind="customer", data=data)
        session.add(entity)
        session.flush()
        return entity.id


def seed(
    store: Store,
    *,
    name: str = "比亚迪股份有限公司",
    dispute_name: str = "美的集团股份有限公司",
    error: str = "invalid data: Phone 电话号码格式不正确",
) -> Seeded:
    """Everything is created the way its feature creates it (the match through match_record);
    the names and the remote error can be chosen (hostile input for the escaping tests)."""
    config = MatchingConfig()
    conflict_entity = customer(store, {"name": name, "phones": ["+8675589888888"]})
    with store.transaction() as session:
        item = open_review(
            session, ReviewKind.CONFLICT, f"{name}: phones changed in zoho and fxiaoke",
            {"field": "phones"}, entity_id=conflict_entity, entity_kind="customer",
        )  # fmt: skip
        conflict = Conflict(
            entity_id=conflict_entity, field="phones", base=["+8675589888888"],
            sides=[
                {"connection": "zoho", "remote_id": "4150868000000300001",
                 "value": ["+8675589888801"], "modified_at": "2024-05-02T11:17:33+08:00"},
                {"connection": "fxiaoke", "remote_id": "66a1b2c3d4e5f6a7b8c9d0e1",
                 "value": ["+8675589888802"], "modified_at": "2024-05-02T12:01:05+08:00"},
            ],
            golden=["+8675589888888"], policy="manual", review_item_id=item.id,
        )  # fmt: skip
        session.add(conflict)
        session.flush()
        conflict_id = conflict.id
    with store.transaction() as session:
        first = match_record(
            session, "customer", HUATENG, connection="fxiaoke", remote_id="A1", config=config
        )
        grey = match_record(
            session, "customer", HUATENG_EN, connection="zoho", remote_id="Z1", config=config
        )
        assert grey.decision == Decision.REVIEW
        assert grey.review_id is not None
    owners: dict[str, uuid.UUID] = {}
    with store.transaction() as session:
        for who, email in (("王芳", "wang.fang@example.com"), ("张伟", "zhang.wei@example.com")):
            row = OwnerRow(name=who, email=email)
            session.add(row)
            session.flush()
            owners[email] = row.id
    dispute_entity = customer(store, {"name": dispute_name})
    wang, zhang = owners["wang.fang@example.com"], owners["zhang.wei@example.com"]
    with store.transaction() as session:
        dispute = open_review(
            session, ReviewKind.DISPUTE,
            f"{dispute_name}: owned by different managers in different CRMs (now the pool)",
            {
                "customer": {"entity_id": str(dispute_entity), "name": dispute_name},
                "claims": [
                    {"connection": "zoho", "remote_id": "Z7", "owner_id": str(wang),
                     "remote_user_id": "4150868000000225013", "since": "2023-01-05T00:00:00+00:00",
                     "owner": "王芳 <wang.fang@example.com>"},
                    {"connection": "fxiaoke", "remote_id": "F7", "owner_id": str(zhang),
                     "remote_user_id": "FSUID_" + "C" * 32, "since": "2019-03-01T00:00:00+00:00",
                     "owner": "张伟 <zhang.wei@example.com>"},
                ],
                "current_owner_id": None,
                "proposal": {"owner_id": str(zhang), "owner": "张伟 <zhang.wei@example.com>",
                             "rule_id": "south-china", "why": "round robin in team south-china"},
                "policy": "manual",
            },
            entity_id=dispute_entity, entity_kind="customer",
        )  # fmt: skip
        dispute_review = dispute.id
    letter_entity = customer(store, {"name": "格力电器"})
    with store.transaction() as session:  # a write Zoho refuses, through the sync engine
        write = OutboxItem(
            connection="zoho", kind="customer", entity_id=letter_entity, operation="update",
            mode="update_only", payload={"Account_Name": "格力电器", "Phone": "+86 756 8669999"},
            remote_id="4150868000000300009", canonical={"name": "格力电器"},
            idempotency_key=hashlib.sha256(b"write-1").hexdigest(),
        )  # fmt: skip
        session.add(write)
        session.flush()
        refused = PushResult(write.idempotency_key, PushOutcome.FAILED, error_code="INVALID_DATA",
                             error_message=error)  # fmt: skip
        assert apply_push_results(session, [write], [refused]).dead == 1
        letter = session.scalars(sa.select(DeadLetter)).one()
        session.add(
            Run(
                kind="sync", connection="zoho", status="ok",
                finished_at=datetime(2024, 5, 2, 3, 4, 5, tzinfo=UTC),
                counts={"pulled": 1200, "merged": 17, "conflicts_opened": 1,
                        "planned_updates": 40, "planned_creates": 2, "quarantined": 3},
            )
        )  # fmt: skip
        dead_letter = letter.id
    return Seeded(
        conflict_id, conflict_entity, grey.review_id, grey.entity_id, first.entity_id,
        dispute_review, dispute_entity, owners, dead_letter, letter_entity,
    )  # fmt: skip


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: httpx.Client, name: str = OPERATOR, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf_token": csrf_of(form.text), "name": name, "password": password, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)
