"""A corpus of malformed payloads: one clear error per bad record, and no good record lost."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from mapping.maps import Mapper

ZOHO_ACCOUNT = {
    "id": "5725767000001234001",
    "Account_Name": "Zylker Inc",
    "Phone": "+1 512 555 0100",
    "Website": "zylker.com",
    "Annual_Revenue": Decimal("10.5"),
    "Currency": "USD",
    "Owner": {"name": "Pat", "id": "5725767000000411001"},
    "Modified_Time": "2024-05-02T11:17:33+05:30",
}
ZOHO_CONTACT = {
    "id": "5725767000001235002",
    "First_Name": "Jane",
    "Last_Name": "Doe",
    "Email": "jane@zylker.com",
    "Account_Name": {"name": "Zylker", "id": "57257670001"},
}
ZOHO_DEAL = {
    "id": "5725767000001236003",
    "Deal_Name": "Renewal",
    "Stage": "Qualification",
    "Amount": Decimal("12500.50"),
    "Closing_Date": "2024-09-30",
    "Probability": 10,
}
FX_ACCOUNT = {
    "_id": "650c09e8dc044f0001973eab",
    "name": "腾讯科技有限公司",
    "tel": "0755-86013388",
    "account_level": "A",
    "owner": ["FSUID_6A1B2C3D4E5F60718293A4B5C6D7E8F9"],
    "create_time": 1695287785275,
}
FX_CONTACT = {
    "_id": "6708dc09167d290001b33a6d",
    "name": "李娜",
    "mobile1": "13800138000",
    "account_id": "650c09e8dc044f0001973eab",
}
FX_DEAL = {
    "_id": "66f1c2a9e4b0a1b2c3d4e5f6",
    "name": "续约",
    "account_id": "650c09e8dc044f0001973eab",
    "amount": "21739535.00",
    "close_date": 1690214400000,
    "sales_stage": "3",
    "sales_status": "1",
}

# (connector, entity, good payload, changes that spoil it, the remote field the error names)
BAD: list[tuple[str, str, dict[str, Any], dict[str, Any], str]] = [
    ("zoho", "customer", ZOHO_ACCOUNT, {"Account_Name": None}, "Account_Name"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Account_Name": "   "}, "Account_Name"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Phone": "555-CALL-NOW"}, "Phone"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Phone": "010-1234 / 010-5678"}, "Phone"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Annual_Revenue": "1.234,56"}, "Annual_Revenue"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Annual_Revenue": "NaN"}, "Annual_Revenue"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Currency": "¥"}, "Annual_Revenue"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Employees": "about 50"}, "Employees"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Employees": Decimal("12.5")}, "Employees"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Customer_Tier": "Gold"}, "Customer_Tier"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Owner": {"name": "Pat"}}, "Owner"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Owner": "Pat Boyle"}, "Owner"),
    (
        "zoho",
        "customer",
        ZOHO_ACCOUNT,
        {"Modified_Time": "2024-13-02T11:17:33+05:30"},
        "Modified_Time",
    ),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Modified_Time": "yesterday"}, "Modified_Time"),
    ("zoho", "customer", ZOHO_ACCOUNT, {"Tag": "vip"}, "Tag"),
    ("zoho", "contact", ZOHO_CONTACT, {"Last_Name": None}, "Last_Name"),
    ("zoho", "contact", ZOHO_CONTACT, {"Email": "jane(at)zylker.com"}, "Email"),
    ("zoho", "contact", ZOHO_CONTACT, {"Secondary_Email": "jane@"}, "Secondary_Email"),
    ("zoho", "contact", ZOHO_CONTACT, {"Mobile": "+86 138"}, "Mobile"),
    ("zoho", "contact", ZOHO_CONTACT, {"Account_Name": {"name": "Zylker"}}, "Account_Name"),
    ("zoho", "contact", ZOHO_CONTACT, {"Account_Name": ["57257670001"]}, "Account_Name"),
    ("zoho", "opportunity", ZOHO_DEAL, {"Stage": "Won!"}, "Stage"),
    ("zoho", "opportunity", ZOHO_DEAL, {"Stage": None}, "Stage"),
    ("zoho", "opportunity", ZOHO_DEAL, {"Closing_Date": "2024-02-30"}, "Closing_Date"),
    ("zoho", "opportunity", ZOHO_DEAL, {"Probability": 150}, "Probability"),
    ("zoho", "opportunity", ZOHO_DEAL, {"Amount": True}, "Amount"),
    ("zoho", "opportunity", ZOHO_DEAL, {"Deal_Name": "x" * 300}, "Deal_Name"),
    ("fxiaoke", "customer", FX_ACCOUNT, {"name": ""}, "name"),
    ("fxiaoke", "customer", FX_ACCOUNT, {"tel": "０７５５－８６"}, "tel"),
    ("fxiaoke", "customer", FX_ACCOUNT, {"account_level": "VIP"}, "account_level"),
    ("fxiaoke", "customer", FX_ACCOUNT, {"owner": ["FSUID_1", "FSUID_2"]}, "owner"),
    ("fxiaoke", "customer", FX_ACCOUNT, {"create_time": "September 21"}, "create_time"),
    ("fxiaoke", "customer", FX_ACCOUNT, {"create_time": 10**20}, "create_time"),
    ("fxiaoke", "customer", FX_ACCOUNT, {"email": "info@腾讯"}, "email"),
    ("fxiaoke", "contact", FX_CONTACT, {"name": None}, "name"),
    ("fxiaoke", "contact", FX_CONTACT, {"mobile1": "138001380001380013800"}, "mobile1"),
    ("fxiaoke", "contact", FX_CONTACT, {"account_id": {"id": "650c"}}, "account_id"),
    ("fxiaoke", "contact", FX_CONTACT, {"owner": "FSUID_1"}, "owner"),
    ("fxiaoke", "opportunity", FX_DEAL, {"amount": "12,50.0"}, "amount"),
    ("fxiaoke", "opportunity", FX_DEAL, {"amount": "¥一万"}, "amount"),
    ("fxiaoke", "opportunity", FX_DEAL, {"close_date": None}, "close_date"),
    ("fxiaoke", "opportunity", FX_DEAL, {"close_date": "下周"}, "close_date"),
    ("fxiaoke", "opportunity", FX_DEAL, {"sales_stage": "9"}, "sales_stage"),
    ("fxiaoke", "opportunity", FX_DEAL, {"sales_status": "4"}, "sales_status"),
    ("fxiaoke", "opportunity", FX_DEAL, {"account_id": None}, "account_id"),
    ("fxiaoke", "opportunity", FX_DEAL, {"probability": "六十"}, "probability"),
]


@dataclass(frozen=True)
class Remote:
    remote_id: str
    payload: dict[str, Any]


@pytest.mark.parametrize("connector", ["zoho", "fxiaoke"])
@pytest.mark.parametrize("entity", ["customer", "contact", "opportunity"])
def test_malformed_corpus_one_error_per_bad_record_no_good_record_lost(
    connector: str, entity: str, request: pytest.FixtureRequest
) -> None:
    mapper: Mapper = request.getfixturevalue(connector)
    cases = [case for case in BAD if case[:2] == (connector, entity)]
    assert cases
    good = cases[0][2]
    page: list[Remote] = []
    expected: dict[str, str] = {}
    for number, (_, _, base, spoil, field) in enumerate(cases):
        page.append(Remote(f"good-{number}", dict(good)))
        page.append(Remote(f"bad-{number}", {**base, **spoil}))
        expected[f"bad-{number}"] = field
    page.append(Remote("good-last", dict(good)))

    batch = mapper.pull_batch(entity, page)

    assert [m.remote_id for m in batch.mapped] == [
        r.remote_id for r in page if r.remote_id.startswith("good")
    ]
    assert [q.remote_id for q in batch.quarantined] == list(expected)
    for item in batch.quarantined:
        error = item.error
        assert len(error.problems) == 1, str(error)  # one clear error, not a cascade
        assert error.problems[0].remote_field == expected[item.remote_id], str(error)
        assert (error.connection, error.entity, error.remote_id) == (
            mapper.connection,
            entity,
            item.remote_id,
        )
        assert error.reason
        text = str(error)
        assert text.startswith(f"cannot map {entity} {item.remote_id} from {mapper.connection}: ")
        assert expected[item.remote_id] in text
        assert item.payload is not None  # the raw payload travels with it to the quarantine
