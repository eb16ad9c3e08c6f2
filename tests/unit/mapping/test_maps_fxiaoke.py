"""The Fxiaoke map on payloads shaped as Fxiaoke v2 sends them (reference §4, §11), and back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from mapping.maps import Mapper, RecordMappingError
from mapping.model import Contact, Customer, Money, Opportunity, OwnerRef, Ref, Stage

OWNER_ID = "FSUID_6A1B2C3D4E5F60718293A4B5C6D7E8F9"


def fx_json(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


ACCOUNT = fx_json("""{
  "_id": "650c09e8dc044f0001973eab", "name": "腾讯科技（深圳）有限公司", "tel": "0755-86013388",
  "email": "Contact@Tencent.COM", "url": "https://www.tencent.com", "industry_level1": "1",
  "account_level": "A", "country": "中国", "province": "广东", "city": "深圳市",
  "address": "南山区科技中一路腾讯大厦", "remark": "战略客户",
  "uniform_social_credit_code": "9144030071526726XG",
  "owner": ["FSUID_6A1B2C3D4E5F60718293A4B5C6D7E8F9"], "owner__r": {"name": "王芳"},
  "owner__l": [{"id": "FSUID_6A1B2C3D4E5F60718293A4B5C6D7E8F9", "name": "王芳"}],
  "create_time": 1695287785275, "last_modified_time": 1719800000000, "life_status": "normal",
  "is_deleted": false, "lock_status": "0", "version": "7", "record_type": "default__c",
  "searchAfterId": ["1719800000000", "1"], "total_num": 506,
  "field_2b7Kx__c": "华南大区", "field_9mQ1p__c": 3
}""")


def test_account(fxiaoke: Mapper) -> None:
    mapped = fxiaoke.pull_one("customer", ACCOUNT)
    customer = mapped.record
    assert isinstance(customer, Customer)
    assert mapped.remote_id == "650c09e8dc044f0001973eab"  # from `_id`
    assert customer.name == "腾讯科技(深圳)有限公司"  # full-width brackets folded
    assert customer.phones == ["+8675586013388"]
    assert customer.email == "contact@tencent.com"
    assert customer.domain == "tencent.com"
    assert customer.industry == "technology"
    assert customer.tier == "A"
    assert customer.address is not None
    assert customer.address.model_dump(exclude_none=True) == {
        "street": "南山区科技中一路腾讯大厦",
        "city": "深圳市",
        "region": "CN-GD",
        "country": "CN",
    }
    assert customer.owner == OwnerRef(remote_id=OWNER_ID, name="王芳")
    assert customer.custom == {
        "description": "战略客户",
        "credit_code": "9144030071526726XG",
        "field_2b7Kx": "华南大区",
        "field_9mQ1p": 3,
    }
    assert customer.created_at == datetime(2023, 9, 21, 9, 16, 25, 275000, tzinfo=UTC)
    assert mapped.dropped == ()


def test_a_foreign_customers_phone_is_read_in_its_own_country(fxiaoke: Mapper) -> None:
    # the connection's region is CN: without the record's country this US number would be a
    # landline in Dandong (0415), which no Zoho copy of the customer would ever match
    us = {**ACCOUNT, "country": "美国", "province": None, "city": None, "tel": "415-719-7050"}
    customer = fxiaoke.pull("customer", us)
    assert isinstance(customer, Customer)
    assert customer.phones == ["+14157197050"]
    mobile = fxiaoke.pull("customer", {**us, "tel": "13800138000"})
    assert isinstance(mobile, Customer)
    assert mobile.phones == ["+8613800138000"]


def test_account_written_back_in_fxiaoke_formats(fxiaoke: Mapper) -> None:
    customer = fxiaoke.pull("customer", ACCOUNT)
    assert isinstance(customer, Customer)
    payload = fxiaoke.push("customer", customer)
    assert payload == {
        "name": "腾讯科技(深圳)有限公司",
        "tel": "+8675586013388",
        "email": "contact@tencent.com",
        "url": "https://www.tencent.com",
        "industry_level1": "1",
        "account_level": "A",
        "country": "中国",
        "province": "广东省",
        "city": "深圳市",
        "address": "南山区科技中一路腾讯大厦",
        "remark": "战略客户",
        "uniform_social_credit_code": "9144030071526726XG",
        "owner": [OWNER_ID],
        "field_2b7Kx__c": "华南大区",
        "field_9mQ1p__c": 3,
    }
    assert "dataObjectApiName" not in payload  # the connector's business


def test_partial_write_of_one_custom_field(fxiaoke: Mapper) -> None:
    customer = fxiaoke.pull("customer", ACCOUNT)
    assert isinstance(customer, Customer)
    payload = fxiaoke.push("customer", customer, fields={"custom.field_2b7Kx", "custom.gone"})
    assert payload == {"field_2b7Kx__c": "华南大区", "gone__c": None}


def test_account_in_the_high_seas_pool_has_no_owner(fxiaoke: Mapper) -> None:
    customer = fxiaoke.pull("customer", {**ACCOUNT, "owner": [], "owner__r": None})
    assert customer.owner is None


def test_foreign_pass_through_values_are_dropped_and_reported(fxiaoke: Mapper) -> None:
    mapped = fxiaoke.pull_one("customer", {**ACCOUNT, "field_loc__c": {"lat": 22.5}})
    assert "field_loc" not in mapped.record.custom
    assert [(p.remote_field, p.canonical_field) for p in mapped.dropped] == [
        ("field_loc__c", "custom.field_loc")
    ]


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("张伟", "伟", "张"),
        ("欧阳娜娜", "娜娜", "欧阳"),
        ("司马 懿", "懿", "司马"),
        ("迈克尔·乔丹", "迈克尔", "乔丹"),
        ("John Smith", "John", "Smith"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("王", None, "王"),
    ],
)
def test_contact_full_name_is_split_in_its_own_culture(
    fxiaoke: Mapper, full: str, first: str | None, last: str
) -> None:
    contact = fxiaoke.pull("contact", {"_id": "c1", "name": full})
    assert isinstance(contact, Contact)
    assert (contact.first_name, contact.last_name, contact.full_name) == (first, last, full)
    assert fxiaoke.push("contact", contact)["name"] == full


def test_a_changed_name_part_is_joined_into_the_full_name(fxiaoke: Mapper) -> None:
    contact = fxiaoke.pull("contact", {"_id": "c1", "name": "迈克尔·乔丹"})
    renamed = contact.model_copy(update={"first_name": "杰弗里"})
    # 乔丹杰弗里 would read back as 乔 + 丹杰弗里: the space keeps the two-character surname
    assert fxiaoke.push("contact", renamed, fields={"first_name"}) == {"name": "乔丹 杰弗里"}
    english = fxiaoke.pull("contact", {"_id": "c2", "name": "John Smith"})
    assert fxiaoke.push("contact", english.model_copy(update={"last_name": "Doe"}))["name"] == (
        "John Doe"
    )


CONTACT = fx_json("""{
  "_id": "6708dc09167d290001b33a6d", "name": "李娜", "account_id": "650c09e8dc044f0001973eab",
  "account_id__r": "腾讯科技（深圳）有限公司", "email": "li.na@tencent.com",
  "tel1": "(0755) 8601-3388",
  "mobile1": "+86 138-0013-8000", "job_title": "采购总监", "department": "采购部",
  "owner": ["FSUID_6A1B2C3D4E5F60718293A4B5C6D7E8F9"], "create_time": 1695287785275,
  "last_modified_time": 1719800000000, "life_status": "normal"
}""")


def test_contact(fxiaoke: Mapper) -> None:
    contact = fxiaoke.pull("contact", CONTACT)
    assert isinstance(contact, Contact)
    assert contact.customer == Ref(
        remote_id="650c09e8dc044f0001973eab", name="腾讯科技（深圳）有限公司"
    )
    assert contact.phone == "+8675586013388"
    assert contact.mobile == "+8613800138000"
    assert contact.title == "采购总监"
    assert contact.custom == {"department": "采购部"}
    payload = fxiaoke.push("contact", contact)
    assert payload["account_id"] == "650c09e8dc044f0001973eab"
    assert payload["owner"] == [OWNER_ID]
    assert payload["tel1"] == "+8675586013388"


OPPORTUNITY = fx_json("""{
  "_id": "66f1c2a9e4b0a1b2c3d4e5f6", "name": "腾讯云 2024 续约",
  "account_id": "650c09e8dc044f0001973eab",
  "account_id__r": "腾讯科技（深圳）有限公司", "amount": "21739535.00", "close_date": 1690214400000,
  "sales_process_id": "64a0c0ffee0000000000beef", "sales_process_id__r": "默认销售流程",
  "sales_stage": "3", "sales_stage__r": "方案/报价", "sales_status": "1", "probability": 60,
  "probability_amount": "13043721.00", "owner": ["FSUID_6A1B2C3D4E5F60718293A4B5C6D7E8F9"],
  "create_time": 1695287785275, "last_modified_time": 1719800000000, "life_status": "normal"
}""")


def test_opportunity(fxiaoke: Mapper) -> None:
    deal = fxiaoke.pull("opportunity", OPPORTUNITY)
    assert isinstance(deal, Opportunity)
    assert deal.stage is Stage.PROPOSAL
    assert deal.amount == Money(amount=Decimal("21739535.00"), currency="CNY")
    assert deal.close_date == date(2023, 7, 25)  # midnight in Shanghai, not in UTC
    assert deal.probability == 60
    assert fxiaoke.push("opportunity", deal) == {
        "name": "腾讯云 2024 续约",
        "sales_status": "1",
        "sales_stage": "3",
        "amount": "21739535.00",
        "mc_currency": "CNY",
        "close_date": 1690214400000,
        "probability": 60,
        "account_id": "650c09e8dc044f0001973eab",
        "owner": [OWNER_ID],
    }


@pytest.mark.parametrize(
    ("sales_stage", "sales_status", "stage", "written"),
    [
        ("1", "1", Stage.QUALIFICATION, ("1", "1")),
        ("4", "1", Stage.NEGOTIATION, ("4", "1")),
        ("5", "2", Stage.CLOSED_WON, ("5", "2")),
        ("6", "3", Stage.CLOSED_LOST, ("6", "3")),
        ("7", "3", Stage.CLOSED_LOST, ("6", "3")),  # 无效 is read as lost, written as 输单
        ("4", "2", Stage.CLOSED_WON, ("5", "2")),  # won decides, whatever the stage code
        ("4", None, Stage.NEGOTIATION, ("4", "1")),
    ],
)
def test_stage_comes_from_code_and_status(
    fxiaoke: Mapper,
    sales_stage: str,
    sales_status: str | None,
    stage: Stage,
    written: tuple[str, str],
) -> None:
    payload = {**OPPORTUNITY, "sales_stage": sales_stage, "sales_status": sales_status}
    deal = fxiaoke.pull("opportunity", payload)
    assert isinstance(deal, Opportunity)
    assert deal.stage is stage
    pushed = fxiaoke.push("opportunity", deal, fields={"stage"})
    assert (pushed["sales_stage"], pushed["sales_status"]) == written


def test_amounts_as_numbers_and_floats_are_read_too(fxiaoke: Mapper) -> None:
    for amount in (Decimal("12500.5"), 12500.5, 12500.50, "12,500.50"):
        deal = fxiaoke.pull("opportunity", {**OPPORTUNITY, "amount": amount})
        assert isinstance(deal, Opportunity)
        assert deal.amount == Money(amount=Decimal("12500.50"), currency="CNY")
        assert deal.model_dump(mode="json")["amount"]["amount"] == "12500.50"


def test_multi_currency_amounts_carry_mc_currency(fxiaoke: Mapper) -> None:
    deal = fxiaoke.pull("opportunity", {**OPPORTUNITY, "mc_currency": "USD"})
    assert isinstance(deal, Opportunity)
    assert deal.amount == Money(amount=Decimal("21739535.00"), currency="USD")
    pushed = fxiaoke.push("opportunity", deal, fields={"amount"})
    assert pushed == {"amount": "21739535.00", "mc_currency": "USD"}


def test_a_reference_without_this_connections_id_is_an_error_naming_the_field(
    fxiaoke: Mapper,
) -> None:
    deal = Opportunity(
        name="商机",
        stage=Stage.PROPOSAL,
        close_date=date(2024, 9, 30),
        customer=Ref(name="腾讯", entity_id="7d3c6a1e-1f6b-4f4e-9a38-3d2a4c1b9e00"),
        owner=OwnerRef(owner_id="1b0f7c6e-55d3-4a8e-9bd1-0c9f1f0a7e11"),
    )
    with pytest.raises(RecordMappingError) as caught:
        fxiaoke.push("opportunity", deal)
    assert [p.remote_field for p in caught.value.problems] == ["account_id", "owner"]
    assert "has no id in this connection" in caught.value.reason
    assert "new opportunity" in str(caught.value)


def test_required_fields_are_refused_empty_on_a_full_write(fxiaoke: Mapper) -> None:
    deal = Opportunity(name="商机", stage=Stage.PROPOSAL)
    with pytest.raises(RecordMappingError) as caught:
        fxiaoke.push("opportunity", deal)
    assert {p.remote_field for p in caught.value.problems} == {"close_date", "account_id"}
    # a partial write of other fields does not need them
    assert fxiaoke.push("opportunity", deal, fields={"name"}) == {"name": "商机"}
