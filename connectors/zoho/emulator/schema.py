"""The emulated org's modules: field API names, types, mandatory and unique fields.

Values are stored as written (numbers, strings, dates as `yyyy-MM-dd`); lookups and users are
stored as the target id and rendered as `{name, id}` (users add `email`) when read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CURRENCIES",
    "MODULES",
    "PIPELINE",
    "STAGES",
    "FieldSpec",
    "Kind",
    "ModuleSpec",
]


class Kind(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    EMAIL = "email"
    PHONE = "phone"
    WEBSITE = "website"
    PICKLIST = "picklist"  # any text (Zoho may accept unknown values) unless `values` is set
    INTEGER = "integer"
    CURRENCY = "currency"
    DOUBLE = "double"
    DATE = "date"
    LOOKUP = "lookup"
    OWNER = "ownerlookup"
    READ_ONLY = "read_only"  # ignored when written (system fields)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    api_name: str
    kind: Kind
    values: tuple[str, ...] | None = None
    lookup: str | None = None  # target module
    maximum: int | None = None  # length, or value for integers/percent


@dataclass(frozen=True, slots=True)
class ModuleSpec:
    api_name: str
    module_id: str
    name_field: str  # what a lookup to this module shows as `name`
    fields: dict[str, FieldSpec]
    mandatory: tuple[str, ...]
    dup_check: str  # the system duplicate-check field (upsert's default match)
    unique: tuple[str, ...]  # checked on every insert/update (DUPLICATE_DATA)
    scope_name: str  # ZohoCRM.modules.<scope_name>.READ


STAGES = (
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
    "Closed Lost to Competition",
)
PIPELINE = "Standard (Standard)"
CURRENCIES = ("CNY", "USD", "EUR", "HKD")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fields(*specs: FieldSpec) -> dict[str, FieldSpec]:
    system = (
        "id",
        "Created_Time",
        "Modified_Time",
        "Created_By",
        "Modified_By",
        "Last_Activity_Time",
        "Tag",
    )
    every = [FieldSpec(n, Kind.READ_ONLY) for n in system]
    every.append(FieldSpec("Owner", Kind.OWNER))
    return {f.api_name: f for f in (*every, *specs)}


def _text(*names: str, kind: Kind = Kind.TEXT, maximum: int = 255) -> list[FieldSpec]:
    return [FieldSpec(n, kind, maximum=maximum) for n in names]


ACCOUNTS = ModuleSpec(
    api_name="Accounts",
    module_id="5000000000000000003",
    name_field="Account_Name",
    fields=_fields(
        *_text("Account_Name", "Billing_Street", "Billing_City", "Billing_State"),
        *_text("Billing_Code", "Billing_Country", "Credit_Code"),
        FieldSpec("Website", Kind.WEBSITE, maximum=255),
        FieldSpec("Phone", Kind.PHONE, maximum=30),
        FieldSpec("Industry", Kind.PICKLIST),
        FieldSpec("Annual_Revenue", Kind.CURRENCY),
        FieldSpec("Currency", Kind.PICKLIST, values=CURRENCIES),
        FieldSpec("Exchange_Rate", Kind.DOUBLE),
        FieldSpec("Employees", Kind.INTEGER, maximum=999_999_999),
        FieldSpec("Description", Kind.TEXTAREA, maximum=32_000),
        FieldSpec("Customer_Tier", Kind.PICKLIST, values=("A", "B", "C")),
    ),
    mandatory=("Account_Name",),
    dup_check="Account_Name",
    unique=("Account_Name", "Credit_Code"),
    scope_name="accounts",
)
CONTACTS = ModuleSpec(
    api_name="Contacts",
    module_id="5000000000000000005",
    name_field="Full_Name",
    fields=_fields(
        *_text("First_Name", "Last_Name", "Title", "Department", "Mailing_Street"),
        *_text("Mailing_City", "Mailing_State", "Mailing_Zip", "Mailing_Country"),
        FieldSpec("Full_Name", Kind.READ_ONLY),
        FieldSpec("Email", Kind.EMAIL, maximum=100),
        FieldSpec("Secondary_Email", Kind.EMAIL, maximum=100),
        FieldSpec("Phone", Kind.PHONE, maximum=30),
        FieldSpec("Mobile", Kind.PHONE, maximum=30),
        FieldSpec("Account_Name", Kind.LOOKUP, lookup="Accounts"),
        FieldSpec("Description", Kind.TEXTAREA, maximum=32_000),
    ),
    mandatory=("Last_Name",),
    dup_check="Email",
    unique=("Email",),
    scope_name="contacts",
)
DEALS = ModuleSpec(
    api_name="Deals",
    module_id="5000000000000000007",
    name_field="Deal_Name",
    fields=_fields(
        *_text("Deal_Name"),
        FieldSpec("Stage", Kind.PICKLIST, values=STAGES),
        FieldSpec("Pipeline", Kind.PICKLIST, values=(PIPELINE,)),
        FieldSpec("Amount", Kind.CURRENCY),
        FieldSpec("Currency", Kind.PICKLIST, values=CURRENCIES),
        FieldSpec("Exchange_Rate", Kind.DOUBLE),
        FieldSpec("Closing_Date", Kind.DATE),
        FieldSpec("Probability", Kind.INTEGER, maximum=100),
        FieldSpec("Account_Name", Kind.LOOKUP, lookup="Accounts"),
        FieldSpec("Contact_Name", Kind.LOOKUP, lookup="Contacts"),
        FieldSpec("Description", Kind.TEXTAREA, maximum=32_000),
    ),
    mandatory=("Deal_Name", "Stage", "Pipeline"),
    dup_check="Deal_Name",
    unique=(),  # real orgs hold many deals of one name: Deal_Name only matches upserts
    scope_name="deals",
)
MODULES: dict[str, ModuleSpec] = {m.api_name: m for m in (ACCOUNTS, CONTACTS, DEALS)}
