from __future__ import annotations

from datetime import datetime, timedelta

import respx
from fakes.zoho import API, NOW, FakeModule, account, minutes

from connectors.protocol import Page
from connectors.zoho import ZohoConnector
from mapping.model import EntityKind

ACCOUNTS_URL = f"{API}/crm/v8/Accounts"


def ids(pages: list[Page]) -> list[str]:
    return [r.remote_id for page in pages for r in page.records]


def spread(count: int, every_seconds: float = 1.0) -> list[dict[str, object]]:
    return [account(n, minutes(0) + timedelta(seconds=n * every_seconds)) for n in range(count)]


def test_a_full_pull_pages_by_number_with_fields_and_ascending_modified_time(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    module = FakeModule(spread(450))
    zoho.get(ACCOUNTS_URL).mock(side_effect=module)
    pages = list(connector.pull(EntityKind.CUSTOMER, None))
    assert [len(p.records) for p in pages] == [200, 200, 50]
    assert ids(pages) == [row["id"] for row in module.rows]
    first = module.requests[0].url.params
    assert first["sort_by"] == "Modified_Time"
    assert first["sort_order"] == "asc"
    assert first["per_page"] == "200"
    assert "Account_Name" in first["fields"].split(",")
    assert len(first["fields"].split(",")) <= 50
    assert [r.url.params["page"] for r in module.requests] == ["1", "2", "3"]
    assert "If-Modified-Since" not in module.requests[0].headers
    # each page's cursor covers exactly what was handed out so far
    assert pages[0].cursor.modified_since == pages[0].records[-1].modified_at
    assert pages[-1].cursor.last_id == module.rows[-1]["id"]


def test_past_2000_records_paging_switches_to_the_page_token(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    module = FakeModule(spread(2500))
    zoho.get(ACCOUNTS_URL).mock(side_effect=module)
    got = ids(list(connector.pull(EntityKind.CUSTOMER, None)))
    assert len(got) == 2500
    assert len(set(got)) == 2500
    params = [r.url.params for r in module.requests]
    assert [p.get("page") for p in params[:10]] == [str(n) for n in range(1, 11)]
    assert all("page" not in p and p["page_token"] for p in params[10:])
    assert len(params) == 13  # the minimum: 2500 / 200 rounded up


def test_at_the_wall_without_a_token_the_run_reanchors_at_its_watermark(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    module = FakeModule(spread(2300), tokens=False)
    zoho.get(ACCOUNTS_URL).mock(side_effect=module)
    got = ids(list(connector.pull(EntityKind.CUSTOMER, None)))
    assert got == [row["id"] for row in module.rows]  # nothing missed, nothing twice
    reanchored = module.requests[10]
    assert reanchored.url.params["page"] == "1"
    since = datetime.fromisoformat(reanchored.headers["If-Modified-Since"])
    assert since == minutes(0) + timedelta(seconds=1999 - 1)
    assert since.utcoffset() == timedelta(hours=8)  # the connection's zone, not Z


def test_a_server_side_wall_error_also_reanchors(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    module = FakeModule(spread(700), wall=400, tokens=False)  # a stricter server than ours
    zoho.get(ACCOUNTS_URL).mock(side_effect=module)
    got = ids(list(connector.pull(EntityKind.CUSTOMER, None)))
    assert got == [row["id"] for row in module.rows]


def test_an_incremental_pull_asks_since_watermark_minus_overlap(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    module = FakeModule(spread(300, every_seconds=30))
    zoho.get(ACCOUNTS_URL).mock(side_effect=module)
    first = list(connector.pull(EntityKind.CUSTOMER, None))
    cursor = first[0].cursor  # a crash after page 1 was committed
    module.requests.clear()
    resumed = list(connector.pull(EntityKind.CUSTOMER, cursor))
    assert ids(first[:1]) + ids(resumed) == [row["id"] for row in module.rows]
    header = module.requests[0].headers["If-Modified-Since"]
    assert datetime.fromisoformat(header) == cursor.modified_since - timedelta(seconds=60)


def test_nothing_changed_is_a_304_and_no_pages(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    module = FakeModule(spread(5))
    route = zoho.get(ACCOUNTS_URL).mock(side_effect=module)
    cursor = list(connector.pull(EntityKind.CUSTOMER, None))[-1].cursor
    module.rows.clear()  # nothing newer than the cursor any more
    assert list(connector.pull(EntityKind.CUSTOMER, cursor)) == []
    assert route.calls.last.response.status_code == 304


def test_an_empty_module_is_a_204_and_no_pages(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    route = zoho.get(f"{API}/crm/v8/Deals").mock(side_effect=FakeModule([]))
    assert list(connector.pull(EntityKind.OPPORTUNITY, None)) == []
    assert route.calls.last.response.status_code == 204


def test_rows_changed_after_the_run_started_wait_for_the_next_run(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    rows = [account(1, NOW - timedelta(seconds=5)), account(2, NOW), account(3, NOW + timedelta(1))]
    zoho.get(ACCOUNTS_URL).mock(side_effect=FakeModule(rows))
    pages = list(connector.pull(EntityKind.CUSTOMER, None))
    assert ids(pages) == [rows[0]["id"]]
    assert pages[-1].cursor.modified_since == NOW - timedelta(seconds=5)


def test_deleted_records_come_from_the_deleted_endpoint(
    connector: ZohoConnector, zoho: respx.MockRouter
) -> None:
    deleted = zoho.get(f"{API}/crm/v8/Contacts/deleted").respond(
        200,
        json={
            "data": [
                {"id": "41", "display_name": "Jane", "type": "recycle",
                 "deleted_time": "2026-05-01T10:00:00+08:00", "deleted_by": {"id": "9"}},
                {"id": "42", "display_name": None, "type": "permanent",
                 "deleted_time": "2026-04-26T11:44:15+08:00", "deleted_by": None},
            ],
            "info": {"per_page": 200, "count": 2, "page": 1, "more_records": False},
        },
    )  # fmt: skip
    batches = list(connector.pull_deletions(EntityKind.CONTACT, minutes(0)))
    assert [(d.remote_id, d.how) for d in batches[0]] == [("41", "recycle"), ("42", "permanent")]
    assert batches[0][0].deleted_at == datetime.fromisoformat("2026-05-01T10:00:00+08:00")
    request = deleted.calls.last.request
    assert request.url.params["type"] == "all"
    assert datetime.fromisoformat(request.headers["If-Modified-Since"]) == minutes(-1)


def test_owners_and_field_descriptions(connector: ZohoConnector, zoho: respx.MockRouter) -> None:
    zoho.get(f"{API}/crm/v8/users").respond(
        200,
        json={
            "users": [
                {"id": "7", "full_name": "王芳", "email": "wf@example.cn", "status": "active"},
                {"id": "8", "first_name": "Li", "last_name": "Lei", "status": "disabled"},
            ],
            "info": {"more_records": False},
        },
    )
    zoho.get(f"{API}/crm/v8/settings/fields", params={"module": "Accounts"}).respond(
        200,
        json={
            "fields": [
                {"api_name": "Account_Name", "data_type": "text", "field_label": "Account Name",
                 "system_mandatory": True, "custom_field": False},
                {"api_name": "Customer_Tier", "data_type": "picklist", "custom_field": True,
                 "pick_list_values": [{"display_value": "A", "actual_value": "A"},
                                      {"display_value": "B", "actual_value": "B"}]},
            ]
        },
    )  # fmt: skip
    owners = connector.list_owners()
    assert [(o.remote_id, o.name, o.email, o.active) for o in owners] == [
        ("7", "王芳", "wf@example.cn", True),
        ("8", "Li Lei", None, False),
    ]
    fields = {f.name: f for f in connector.describe(EntityKind.CUSTOMER)}
    assert fields["Account_Name"].required
    assert fields["Customer_Tier"].custom
    assert fields["Customer_Tier"].picklist == ["A", "B"]
