"""The emulated tenant's objects: field types, option codes and labels, lookups, read-only keys."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.emulator.world.pools import INDUSTRIES

__all__ = [
    "OBJECTS",
    "READ_ONLY",
    "SALES_PROCESS_ID",
    "STAGE_CODES",
    "FieldDef",
    "FieldType",
    "ObjectDef",
]


class FieldType(StrEnum):
    TEXT = "text"
    OPTION = "select_one"
    EMPLOYEE = "employee"  # a one-element list of openUserIds
    LOOKUP = "object_reference"
    TIME = "date_time"  # epoch ms
    DATE = "date"  # epoch ms at 00:00 +08:00
    CURRENCY = "currency"  # stored and returned as a 2-decimal string
    NUMBER = "number"
    BOOL = "true_or_false"


@dataclass(frozen=True, slots=True)
class FieldDef:
    name: str
    type: FieldType
    options: dict[str, str] | None = None  # code -> label
    lookup: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectDef:
    api_name: str
    fields: dict[str, FieldDef]
    newer: tuple[str, ...] = ()  # fields added later: absent (not null) on older rows


SALES_PROCESS_ID = "5f1a7c2e9b3d4a0001c0ffee"
STAGE_CODES = {
    "1": "验证客户",
    "2": "需求确定",
    "3": "方案/报价",
    "4": "谈判审核",
    "5": "赢单",
    "6": "输单",
    "7": "无效",
}
INDUSTRY_CODES = {str(i + 1): cn for i, (_, cn, _) in enumerate(INDUSTRIES)}
LIFE_STATUS = {
    "normal": "正常",
    "ineffective": "未生效",
    "under_review": "审核中",
    "in_change": "变更中",
    "invalid": "作废",
}
READ_ONLY = frozenset(
    {
        "_id",
        "create_time",
        "last_modified_time",
        "created_by",
        "last_modified_by",
        "life_status",
        "life_status_before_invalid",
        "invalid_time",
        "is_deleted",
        "version",
        "lock_status",
        "object_describe_api_name",
        "tenant_id",
    }
)


def _defs(*specs: FieldDef) -> dict[str, FieldDef]:
    common = [
        FieldDef("_id", FieldType.TEXT),
        FieldDef("name", FieldType.TEXT),
        FieldDef("owner", FieldType.EMPLOYEE),
        FieldDef("created_by", FieldType.EMPLOYEE),
        FieldDef("last_modified_by", FieldType.EMPLOYEE),
        FieldDef("create_time", FieldType.TIME),
        FieldDef("last_modified_time", FieldType.TIME),
        FieldDef("invalid_time", FieldType.TIME),
        FieldDef("life_status", FieldType.OPTION, LIFE_STATUS),
        FieldDef("is_deleted", FieldType.BOOL),
        FieldDef("lock_status", FieldType.OPTION, {"0": "未锁定", "1": "锁定"}),
        FieldDef("version", FieldType.NUMBER),
        FieldDef("record_type", FieldType.OPTION, {"default__c": "预设业务类型"}),
    ]
    return {f.name: f for f in (*common, *specs)}


def _texts(*names: str) -> list[FieldDef]:
    return [FieldDef(n, FieldType.TEXT) for n in names]


OBJECTS: dict[str, ObjectDef] = {
    o.api_name: o
    for o in (
        ObjectDef(
            "AccountObj",
            _defs(
                *_texts("tel", "email", "url", "country", "province", "city", "address"),
                *_texts("remark", "uniform_social_credit_code", "high_seas_id", "biz_status"),
                FieldDef("industry_level1", FieldType.OPTION, INDUSTRY_CODES),
                FieldDef("account_level", FieldType.OPTION, {"A": "A类", "B": "B类", "C": "C类"}),
            ),
            newer=("uniform_social_credit_code", "account_level", "email"),
        ),
        ObjectDef(
            "ContactObj",
            _defs(
                *_texts("email", "tel1", "mobile1", "job_title", "department"),
                FieldDef("account_id", FieldType.LOOKUP, lookup="AccountObj"),
            ),
            newer=("department", "job_title"),
        ),
        ObjectDef(
            "NewOpportunityObj",
            _defs(
                FieldDef("account_id", FieldType.LOOKUP, lookup="AccountObj"),
                FieldDef("amount", FieldType.CURRENCY),
                FieldDef("mc_currency", FieldType.TEXT),
                FieldDef("close_date", FieldType.DATE),
                FieldDef("sales_process_id", FieldType.OPTION, {SALES_PROCESS_ID: "默认业务流程"}),
                FieldDef("sales_stage", FieldType.OPTION, STAGE_CODES),
                FieldDef(
                    "sales_status", FieldType.OPTION, {"1": "进行中", "2": "赢单", "3": "输单"}
                ),
                FieldDef("probability", FieldType.NUMBER),
            ),
        ),
    )
}
