"""The Fxiaoke connector against the Fxiaoke emulator over real HTTP: thousands of rows, faults."""

from __future__ import annotations

from collections.abc import Callable

from connectors.emulator.served import Served
from connectors.fxiaoke import FxiaokeConnector
from connectors.protocol import PushItem, PushOutcome, WriteMode, WriteOp
from mapping.model import EntityKind


def live(row: object) -> bool:
    return getattr(row, "fields", {}).get("life_status") != "invalid"


def test_a_full_pull_through_token_expiry_throttling_and_edits_between_pages(
    fxiaoke: Served, fxiaoke_connector: Callable[..., FxiaokeConnector]
) -> None:
    expected = fxiaoke.ids("AccountObj", live)
    assert len(expected) > 2500
    connector = fxiaoke_connector()
    fxiaoke.faults(seed=4, rate_limit_rate=0.2, error_rate=0.1)
    got: list[str] = []
    for number, page in enumerate(connector.pull(EntityKind.CUSTOMER, None)):
        got += [r.remote_id for r in page.records]
        if number == 3:
            fxiaoke.advance(7201)  # the corpAccessToken expires mid-pull
        if number == 6:  # rows already read are edited: they leave the run's range
            edit = {"module": "AccountObj", "ids": got[:40], "changes": {"tel": "010-1"}}
            fxiaoke.post("/automation", {**edit, "same_time": True})
    assert len(got) == len(set(got))
    assert set(got) == expected
    counts = connector.counters.snapshot()
    assert counts.calls["POST /cgi/corpAccessToken/get/V2"] >= 2  # faults hit it too
    assert counts.retries.get("POST /cgi/crm/v2/data/query", 0) > 0


def test_incremental_pull_after_a_bulk_edit_sharing_one_timestamp(
    fxiaoke: Served, fxiaoke_connector: Callable[..., FxiaokeConnector]
) -> None:
    last = list(fxiaoke_connector().pull(EntityKind.CUSTOMER, None))[-1].cursor
    changed = sorted(fxiaoke.ids("AccountObj", live))[:250]  # more than a page, one timestamp
    edit = {"module": "AccountObj", "ids": changed, "changes": {"remark": "bulk"}}
    fxiaoke.post("/automation", {**edit, "same_time": True})
    fxiaoke.advance(2)
    got = [
        r.remote_id for p in fxiaoke_connector().pull(EntityKind.CUSTOMER, last) for r in p.records
    ]
    assert sorted(got) == changed


def test_creates_survive_faults_without_duplicates(
    fxiaoke: Served, fxiaoke_connector: Callable[..., FxiaokeConnector]
) -> None:
    connector = fxiaoke_connector()
    owner = fxiaoke.emulator.credentials()["currentOpenUserId"]
    items = [
        PushItem(f"k{n}", WriteOp.CREATE, {"name": f"重试公司{n}", "owner": [owner]})
        for n in range(60)
    ]
    before = len(fxiaoke.ids("AccountObj"))
    fxiaoke.faults(seed=2, error_rate=0.3)
    pending, rounds = items, 0
    while pending and rounds < 10:
        results = connector.push(EntityKind.CUSTOMER, pending)
        assert {r.outcome for r in results} <= {PushOutcome.OK, PushOutcome.RETRY}
        pending = [
            i for i, r in zip(pending, results, strict=True) if r.outcome is PushOutcome.RETRY
        ]
        rounds += 1
    assert pending == []
    assert rounds > 1, "the faults made some creates wait for another round"
    assert len(fxiaoke.ids("AccountObj")) == before + 60  # search-before-create: no duplicates


def test_insert_only_links_updates_change_owner_deletes_invalidate(
    fxiaoke: Served, fxiaoke_connector: Callable[..., FxiaokeConnector]
) -> None:
    connector = fxiaoke_connector()
    emulator = fxiaoke.emulator
    row = next(r for r in emulator.modules["AccountObj"].rows.values() if live(r))
    owners = connector.list_owners()
    other = next(o.remote_id for o in owners if o.active and o.remote_id not in row.fields["owner"])
    since = fxiaoke.now()
    results = connector.push(
        EntityKind.CUSTOMER,
        [
            PushItem(
                "dup",
                WriteOp.CREATE,
                {"name": row.fields["name"], "owner": [other]},
                mode=WriteMode.INSERT_ONLY,
            ),
            PushItem(
                "upd", WriteOp.UPDATE, {"remark": "updated", "owner": [other]}, remote_id=row.id
            ),
        ],
    )
    assert [r.outcome for r in results] == [PushOutcome.ALREADY_EXISTS, PushOutcome.OK]
    assert results[0].remote_id == row.id
    assert row.fields["remark"] == "updated"
    assert row.fields["owner"] == [other]
    [gone] = connector.push(
        EntityKind.CUSTOMER, [PushItem("del", WriteOp.DELETE, {}, remote_id=row.id)]
    )
    assert gone.outcome is PushOutcome.OK
    fxiaoke.advance(2)
    deleted = [d for b in connector.pull_deletions(EntityKind.CUSTOMER, since) for d in b]
    assert [(d.remote_id, d.how) for d in deleted] == [(row.id, "invalid")]
    assert connector.check().ok


def test_owners_and_field_descriptions(
    fxiaoke_connector: Callable[..., FxiaokeConnector],
) -> None:
    connector = fxiaoke_connector()
    owners = connector.list_owners()
    assert len(owners) > 1
    assert all(o.remote_id.startswith("FSUID_") for o in owners)
    fields = {f.name: f for f in connector.describe(EntityKind.CUSTOMER)}
    assert fields["last_modified_time"].type
    assert fields["account_level"].picklist is not None
    assert "A" in fields["account_level"].picklist  # option codes, not labels
