"""The Zoho connector against the Zoho emulator over real HTTP: thousands of rows, faults."""

from __future__ import annotations

from collections.abc import Callable

from connectors.emulator.served import Served
from connectors.protocol import PushItem, PushOutcome, WriteMode, WriteOp
from connectors.zoho import ZohoConnector
from mapping.model import EntityKind


def test_a_full_pull_past_the_wall_through_token_expiry_and_429_bursts(
    zoho: Served, zoho_connector: Callable[..., ZohoConnector]
) -> None:
    expected = zoho.ids("Accounts")
    assert len(expected) > 2500
    connector = zoho_connector()
    zoho.faults(seed=5, rate_limit_rate=0.25, error_rate=0.1)
    got: list[str] = []
    for number, page in enumerate(connector.pull(EntityKind.CUSTOMER, None)):
        got += [r.remote_id for r in page.records]
        if number == 5:
            zoho.advance(3601)  # the access token expires mid-pull
    assert len(got) == len(set(got))  # nothing pulled twice
    assert set(got) == expected  # nothing missed
    counts = connector.counters.snapshot()
    assert counts.calls["POST /oauth/v2/token"] >= 2  # faults may hit it too
    assert counts.retries.get("GET /crm/v8/Accounts", 0) > 0
    listed = zoho.admin.get("/counts").json()
    assert listed["total"] >= counts.calls["GET /crm/v8/Accounts"]


def test_incremental_pulls_hand_out_exactly_the_rows_changed(
    zoho: Served, zoho_connector: Callable[..., ZohoConnector]
) -> None:
    connector = zoho_connector()
    last = list(connector.pull(EntityKind.CUSTOMER, None))[-1].cursor
    changed = sorted(zoho.ids("Accounts"))[100:160]
    # a server-side bulk edit: sixty rows share one Modified_Time second
    edit = {"module": "Accounts", "ids": changed, "changes": {"Phone": "+86 21 5555 0000"}}
    zoho.post("/automation", {**edit, "same_time": True})
    zoho.advance(2)
    pages = list(zoho_connector().pull(EntityKind.CUSTOMER, last))
    got = [r.remote_id for p in pages for r in p.records]
    assert sorted(got) == changed
    assert all(r.payload["Phone"] == "+86 21 5555 0000" for p in pages for r in p.records)
    again = list(zoho_connector().pull(EntityKind.CUSTOMER, pages[-1].cursor))
    # re-read, none handed out twice (at most a last page moving the cursor on)
    assert [r for p in again for r in p.records] == []


def test_batch_writes_with_partial_failures_settle_without_duplicates(
    zoho: Served, zoho_connector: Callable[..., ZohoConnector]
) -> None:
    connector = zoho_connector()
    before = len(zoho.ids("Accounts"))
    items = [
        PushItem(f"k{n}", WriteOp.CREATE, {"Account_Name": f"Batch Company {n} Ltd"})
        for n in range(250)
    ]
    zoho.faults(seed=9, batch_failure_rate=0.2)
    results = connector.push(EntityKind.CUSTOMER, items)
    assert [r.key for r in results] == [i.key for i in items]
    outcomes = {r.outcome for r in results}
    assert PushOutcome.OK in outcomes
    assert outcomes - {PushOutcome.OK}, "the plan failed some rows"
    zoho.faults(batch_failure_rate=0.0)
    pending = [i for i, r in zip(items, results, strict=True) if r.outcome is not PushOutcome.OK]
    retried = connector.push(EntityKind.CUSTOMER, pending)
    assert all(r.outcome is PushOutcome.OK for r in retried), retried[:3]
    calls = connector.counters.snapshot().calls
    assert calls["POST /crm/v8/Accounts/upsert"] == 3 + (len(pending) + 99) // 100
    assert len(zoho.ids("Accounts")) == before + 250  # upserts: no duplicates
    again = connector.push(EntityKind.CUSTOMER, items)  # the whole batch replayed
    assert all(r.outcome is PushOutcome.OK for r in again)
    assert len(zoho.ids("Accounts")) == before + 250
    ids = {r.remote_id for r in again}
    assert ids == {r.remote_id for r in [*results, *retried] if r.outcome is PushOutcome.OK}


def test_insert_only_duplicates_are_linked(
    zoho: Served, zoho_connector: Callable[..., ZohoConnector]
) -> None:
    connector = zoho_connector()
    existing = next(iter(zoho.emulator.modules["Accounts"].rows.values()))
    name = existing.fields["Account_Name"]
    item = PushItem("k", WriteOp.CREATE, {"Account_Name": name}, mode=WriteMode.INSERT_ONLY)
    [result] = connector.push(EntityKind.CUSTOMER, [item])
    assert result.outcome is PushOutcome.ALREADY_EXISTS, result
    assert result.remote_id == existing.id


def test_deletions_and_owners(zoho: Served, zoho_connector: Callable[..., ZohoConnector]) -> None:
    connector = zoho_connector()
    since = zoho.now()
    victims = sorted(zoho.ids("Contacts"))[:3]
    results = connector.push(
        EntityKind.CONTACT, [PushItem(v, WriteOp.DELETE, {}, remote_id=v) for v in victims]
    )
    assert all(r.outcome is PushOutcome.OK for r in results)
    deleted = [d for batch in connector.pull_deletions(EntityKind.CONTACT, since) for d in batch]
    assert sorted(d.remote_id for d in deleted) == victims
    assert {d.how for d in deleted} == {"recycle"}
    owners = connector.list_owners()
    assert any(o.email and o.email.startswith("crmhub.admin") for o in owners)
    assert connector.check().ok


def test_field_descriptions_include_custom_fields(
    zoho_connector: Callable[..., ZohoConnector],
) -> None:
    fields = {f.name: f for f in zoho_connector().describe(EntityKind.CUSTOMER)}
    assert fields["Account_Name"].required  # system_mandatory
    assert not fields["Website"].required
    assert fields["Customer_Tier"].picklist == ["A", "B", "C"]  # the org's custom picklist
    assert fields["Modified_Time"].type == "datetime"
