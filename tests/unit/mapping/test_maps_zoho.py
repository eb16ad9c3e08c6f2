"""The Zoho map on payloads shaped as Zoho v8 sends them (reference §2.1, §5), and back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from mapping.maps import Mapper, RecordMappingError
from mapping.model import Contact, Customer, Money, Opportunity, OwnerRef, Ref, Stage

OWNER = {"name": "Pat Boyle", "id": "5725767000000411001", "email": "pat@zylker.com"}


def zoho_json(text: str) -> Any:
    """As the connector parses a response: numbers with a fraction become Decimal."""
    return json.loads(text, parse_float=Decimal)


ACCOUNT_EN = zoho_json("""{
  "id": "5725767000001234001", "Account_Name": "Zylker  Inc.", "Website": "https://www.zylker.com/",
  "Phone": "+1 (512) 555-0100", "Industry": "Capital", "Annual_Revenue": 1250000.5,
  "Currency": "USD", "Employees": 120, "Billing_Street": "1 Main St", "Billing_City": "Austin",
  "Billing_State": "TX", "Billing_Code": "73301", "Billing_Country": "USA",
  "Description": "Key account", "Tag": [{"name": "vip", "id": "1"}], "Customer_Tier": "A",
  "Credit_Code": null, "Owner": {"name": "Pat Boyle", "id": "5725767000000411001",
  "email": "pat@zylker.com"}, "Created_Time": "2024-05-01T09:00:00+05:30",
  "Modified_Time": "2024-05-02T11:17:33+05:30", "$currency_symbol": "$", "Exchange_Rate": 1
}""")

ACCOUNT_CN = {
    "id": "5725767000001234002",
    "Account_Name": "深圳市腾讯计算机系统有限公司",
    "Website": "www.tencent.com",
    "Phone": "0755-8601 3388",
    "Industry": "互联网",
    "Annual_Revenue": 21739535,
    "Currency": None,
    "Employees": "1,200",
    "Billing_Street": "南山区科技中一路",
    "Billing_City": "深圳",
    "Billing_State": "广东省",
    "Billing_Code": "518057",
    "Billing_Country": "中国",
    "Description": None,
    "Tag": [],
    "Customer_Tier": "B",
    "Credit_Code": "91440300708461136T",
    "Owner": OWNER,
    "Created_Time": "2024-05-01T09:00:00+08:00",
    "Modified_Time": "2024-05-02T10:00:00+08:00",
}


def test_english_account(zoho: Mapper) -> None:
    customer = zoho.pull("customer", ACCOUNT_EN)
    assert isinstance(customer, Customer)
    assert customer.name == "Zylker Inc."
    assert customer.website == "https://www.zylker.com/"
    assert customer.domain == "zylker.com"
    assert customer.phones == ["+15125550100"]
    assert customer.industry == "finance"
    assert customer.tier == "A"
    assert customer.annual_revenue == Money(amount=Decimal("1250000.50"), currency="USD")
    assert customer.employee_count == 120
    assert customer.address is not None
    assert (customer.address.city, customer.address.region, customer.address.country) == (
        "Austin",
        "US-TX",
        "US",
    )
    assert customer.address.postal_code == "73301"
    assert customer.tags == ["vip"]
    assert customer.custom == {"description": "Key account"}
    assert customer.owner == OwnerRef(
        remote_id="5725767000000411001", name="Pat Boyle", email="pat@zylker.com"
    )
    assert customer.created_at == datetime(2024, 5, 1, 3, 30, tzinfo=UTC)
    assert customer.modified_at == datetime(2024, 5, 2, 5, 47, 33, tzinfo=UTC)


def test_chinese_account(zoho: Mapper) -> None:
    customer = zoho.pull("customer", ACCOUNT_CN)
    assert isinstance(customer, Customer)
    assert customer.name == "深圳市腾讯计算机系统有限公司"
    assert customer.phones == ["+8675586013388"]
    assert customer.industry == "互联网"  # not in the picklist: `unknown: keep`
    assert customer.tier == "B"
    # no Currency in the record: the org's home currency
    assert customer.annual_revenue == Money(amount=Decimal("21739535.00"), currency="CNY")
    assert customer.employee_count == 1200
    assert customer.address is not None
    assert (customer.address.region, customer.address.country) == ("CN-GD", "CN")
    assert customer.custom == {"credit_code": "91440300708461136T"}
    assert customer.created_at == datetime(2024, 5, 1, 1, 0, tzinfo=UTC)


def test_account_written_back_in_zoho_formats(zoho: Mapper) -> None:
    customer = zoho.pull("customer", ACCOUNT_EN)
    assert isinstance(customer, Customer)
    payload = zoho.push("customer", customer)
    assert payload == {
        "Account_Name": "Zylker Inc.",
        "Website": "https://www.zylker.com/",
        "Phone": "+15125550100",
        "Industry": "Capital",
        "Customer_Tier": "A",
        "Annual_Revenue": 1250000.5,
        "Currency": "USD",
        "Employees": 120,
        "Billing_Street": "1 Main St",
        "Billing_City": "Austin",
        "Billing_Country": "United States",
        "Billing_State": "Texas",
        "Billing_Code": "73301",
        "Description": "Key account",
        "Owner": {"id": "5725767000000411001"},
    }
    # read-only and derived fields are never written
    assert not {"Created_Time", "Modified_Time", "Tag", "Full_Name"} & payload.keys()
    json.dumps(payload)  # JSON-safe: no Decimal, no datetime


def test_partial_write_carries_only_the_changed_fields(zoho: Mapper) -> None:
    customer = zoho.pull("customer", ACCOUNT_CN)
    assert isinstance(customer, Customer)
    changed = customer.model_copy(update={"phones": [], "annual_revenue": None})
    payload = zoho.push("customer", changed, fields={"phones", "annual_revenue", "address.city"})
    assert payload == {
        "Phone": None,
        "Annual_Revenue": None,
        "Currency": None,
        "Billing_City": "深圳",
    }


CONTACT = zoho_json("""{
  "id": "5725767000001235002", "First_Name": "Jane", "Last_Name": "Doe", "Full_Name": "Jane Doe",
  "Email": "Jane.Doe@Zylker.com", "Secondary_Email": "jane@gmail.com", "Phone": "+1 512 555 0199",
  "Mobile": null, "Title": "CTO", "Department": "IT",
  "Account_Name": {"name": "Zylker Inc", "id": "5725767000001234001"},
  "Mailing_Street": "1 Main St", "Mailing_City": "Austin", "Mailing_State": "TX",
  "Mailing_Zip": "73301", "Mailing_Country": "USA",
  "Owner": {"name": "Pat Boyle", "id": "5725767000000411001", "email": "pat@zylker.com"},
  "Created_Time": "2024-05-01T09:00:00-05:00", "Modified_Time": "2024-05-02T10:00:00-05:00"
}""")


def test_contact(zoho: Mapper) -> None:
    contact = zoho.pull("contact", CONTACT)
    assert isinstance(contact, Contact)
    assert (contact.first_name, contact.last_name, contact.full_name) == ("Jane", "Doe", "Jane Doe")
    assert contact.emails == ["jane.doe@zylker.com", "jane@gmail.com"]
    assert contact.phone == "+15125550199"
    assert contact.mobile is None
    assert contact.customer == Ref(remote_id="5725767000001234001", name="Zylker Inc")
    assert contact.custom == {"department": "IT"}
    payload = zoho.push("contact", contact)
    assert payload["Account_Name"] == {"id": "5725767000001234001"}
    assert payload["Email"] == "jane.doe@zylker.com"
    assert payload["Secondary_Email"] == "jane@gmail.com"
    assert "Full_Name" not in payload


def test_chinese_contact_with_only_secondary_email(zoho: Mapper) -> None:
    payload = {
        **CONTACT,
        "First_Name": "伟",
        "Last_Name": "张",
        "Full_Name": "伟 张",  # Zoho's concatenation
        "Email": None,
        "Secondary_Email": "zhang.wei@qq.com",
        "Mobile": "138 0013 8000",
        "Mailing_State": "广东",
        "Mailing_Country": "中国",
    }
    contact = zoho.pull("contact", payload)
    assert isinstance(contact, Contact)
    assert contact.full_name == "张伟"  # derived in the name's own culture, not Zoho's
    assert contact.emails == ["zhang.wei@qq.com"]
    assert contact.mobile == "+8613800138000"
    assert contact.address is not None
    assert contact.address.region == "CN-GD"


DEAL = zoho_json("""{
  "id": "5725767000001236003", "Deal_Name": "Zylker renewal 2024", "Stage": "Id. Decision Makers",
  "Pipeline": "Standard (Standard)", "Amount": 12500.50, "Currency": "EUR",
  "Closing_Date": "2024-09-30", "Probability": 60,
  "Account_Name": {"name": "Zylker Inc", "id": "5725767000001234001"},
  "Contact_Name": {"name": "Jane Doe", "id": "5725767000001235002"},
  "Owner": {"name": "Pat Boyle", "id": "5725767000000411001", "email": "pat@zylker.com"},
  "Created_Time": "2024-05-01T09:00:00+08:00", "Modified_Time": "2024-05-02T10:00:00+08:00"
}""")


@pytest.mark.parametrize(
    ("label", "stage"),
    [
        ("Qualification", Stage.QUALIFICATION),
        ("Needs Analysis", Stage.NEEDS_ANALYSIS),
        ("Value Proposition", Stage.NEEDS_ANALYSIS),
        ("Id. Decision Makers", Stage.NEEDS_ANALYSIS),
        ("Perception Analysis", Stage.NEEDS_ANALYSIS),
        ("Proposal/Price Quote", Stage.PROPOSAL),
        ("Negotiation/Review", Stage.NEGOTIATION),
        ("Closed Won", Stage.CLOSED_WON),
        ("Closed Lost", Stage.CLOSED_LOST),
        ("Closed Lost to Competition", Stage.CLOSED_LOST),
    ],
)
def test_every_standard_stage(zoho: Mapper, label: str, stage: Stage) -> None:
    deal = zoho.pull("opportunity", {**DEAL, "Stage": label})
    assert isinstance(deal, Opportunity)
    assert deal.stage is stage


def test_deal_both_ways(zoho: Mapper) -> None:
    deal = zoho.pull("opportunity", DEAL)
    assert isinstance(deal, Opportunity)
    assert deal.amount == Money(amount=Decimal("12500.50"), currency="EUR")
    assert deal.close_date == date(2024, 9, 30)
    assert deal.contact == Ref(remote_id="5725767000001235002", name="Jane Doe")
    assert deal.pipeline == "Standard (Standard)"
    assert zoho.push("opportunity", deal) == {
        "Deal_Name": "Zylker renewal 2024",
        "Stage": "Needs Analysis",
        "Pipeline": "Standard (Standard)",
        "Amount": 12500.5,
        "Currency": "EUR",
        "Closing_Date": "2024-09-30",
        "Probability": 60,
        "Account_Name": {"id": "5725767000001234001"},
        "Contact_Name": {"id": "5725767000001235002"},
        "Owner": {"id": "5725767000000411001"},
    }


def test_prospecting_is_written_as_the_first_zoho_stage(zoho: Mapper) -> None:
    deal = Opportunity(name="New", stage=Stage.PROSPECTING)
    assert zoho.push("opportunity", deal)["Stage"] == "Qualification"


def test_unknown_stage_quarantines_the_deal_naming_field_and_value(zoho: Mapper) -> None:
    with pytest.raises(RecordMappingError) as caught:
        zoho.pull("opportunity", {**DEAL, "Stage": "Closed Maybe"})
    error = caught.value
    assert (error.connection, error.entity, error.remote_id) == (
        "zoho_cn",
        "opportunity",
        "5725767000001236003",
    )
    assert error.field == "Stage (→ stage)"
    assert error.value == "Closed Maybe"
    assert "not in the stage picklist" in error.reason
    assert "'Qualification'" in error.reason


def test_zoho_amounts_beyond_a_json_number_are_refused_not_rounded(zoho: Mapper) -> None:
    deal = Opportunity(
        name="Big",
        stage=Stage.PROPOSAL,
        amount=Money(amount=Decimal("12345678901234567.89"), currency="CNY"),
    )
    with pytest.raises(RecordMappingError) as caught:
        zoho.push("opportunity", deal)
    assert caught.value.field == "Amount (→ amount)"
    assert "significant digits" in caught.value.reason
