"""`crmhub db reindex`: every entity's keys become what the current config makes of its records."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from core.config.matching import MatchingConfig
from core.matching import Decision, match_record, reindex_entities
from core.store import BlockingKey, Store
from workers.cli import app

CONFIG = MatchingConfig()
HUATENG = {"name": "达丰软件(重庆)有限公司", "phones": ["+862368881234"], "website": "dafeng.cn"}
LI = {"full_name": "李思远", "emails": ["li.siyuan@dafeng.cn"]}


def keys(store: Store) -> set[tuple[str, str, str]]:
    with store.transaction() as session:
        rows = session.execute(
            sa.select(BlockingKey.entity_id, BlockingKey.key_type, BlockingKey.key_value)
        )
        return {(str(e), t, v) for e, t, v in rows}


def seeded(store: Store) -> tuple[uuid.UUID, uuid.UUID]:
    with store.transaction() as session:
        made = [
            match_record(session, kind, data, connection="zoho", remote_id=rid, config=CONFIG)
            for kind, data, rid in (("customer", HUATENG, "Z1"), ("contact", LI, "Z2"))
        ]
    assert [m.decision for m in made] == [Decision.NEW, Decision.NEW]
    return made[0].entity_id, made[1].entity_id


def test_reindex_restores_missing_keys_drops_stale_ones_and_reruns_as_a_no_op(
    store: Store,
) -> None:
    company, person = seeded(store)
    current = keys(store)
    assert "brand" in {t for e, t, _ in current if e == str(company)}
    with store.transaction() as session:
        # a store written by an older crmhub: no brand keys, and a key no rule makes any more
        session.execute(sa.delete(BlockingKey).where(BlockingKey.key_type == "brand"))
        session.execute(
            sa.insert(BlockingKey),
            [{"entity_id": person, "kind": "contact", "key_type": "phone", "key_value": "+1555"}],
        )
    counts = reindex_entities(store, CONFIG, chunk=1)
    assert (counts.entities, counts.changed) == (2, 2)
    assert keys(store) == current
    again = reindex_entities(store, CONFIG)
    assert (again.entities, again.changed) == (2, 0)

    narrower = MatchingConfig.model_validate({"customer": {"blocking": [{"key": "phone"}]}})
    assert reindex_entities(store, narrower).changed == 1
    company_keys = {(t, v) for e, t, v in keys(store) if e == str(company)}
    assert company_keys == {("phone", "+862368881234")}


def test_crmhub_db_reindex(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(store)
    with store.transaction() as session:
        session.execute(sa.delete(BlockingKey).where(BlockingKey.key_type == "domain"))
    (tmp_path / "crmhub.yaml").write_text("connections: {}\n", encoding="utf-8")
    monkeypatch.setenv("CRMHUB_CONFIG", str(tmp_path / "crmhub.yaml"))
    monkeypatch.setenv("CRMHUB_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["db", "reindex"])
    assert result.exit_code == 0, result.output
    assert (
        "2 customers and contacts looked at; keys rebuilt for 1" in result.output
    )  # the customer: contacts have no domain key
    assert ("domain", "dafeng.cn") in {(t, v) for _, t, v in keys(store)}
