"""Zoho CRM v8, declared: data centres, auth and paging kinds, one entry per entity, code tables."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.http.errors import Action, FailureKind, Rule
from connectors.protocol import PushOutcome
from connectors.spec import EntitySpec
from mapping.model import EntityKind

__all__ = ["ZOHO", "DataCentre", "ZohoSpec"]


class DataCentre(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accounts_url: str  # the OAuth token server
    api_domain: str  # until the token answer names one


class ZohoSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    api_version: str
    auth: Literal["oauth_refresh_token"]
    paginator: Literal["page_then_token"]
    data_centres: dict[str, DataCentre]
    # records reachable with `page`; past it only `page_token`
    page_wall: int
    max_fields: int
    entities: dict[EntityKind, EntitySpec]
    # request-level codes (single error object) -> rule; overrides the shared table
    error_codes: dict[str, Rule]
    # per-record codes inside `data[]` of a write -> outcome (unlisted: failed)
    record_codes: dict[str, PushOutcome]
    # request-level codes after which a run re-anchors at its watermark instead of failing
    reanchor_codes: frozenset[str]
    # credits a batch write of n records costs: ceil(n / this) (UNCONFIRMED in the reference)
    records_per_write_credit: int = Field(default=10, ge=1)

    def entity(self, kind: EntityKind) -> EntitySpec:
        return self.entities[kind]

    def api(self, *parts: str) -> str:
        return "/".join(("", "crm", self.api_version, *parts))


def _dc(tld: str, accounts: str | None = None) -> DataCentre:
    return DataCentre(
        accounts_url=accounts or f"https://accounts.zoho.{tld}",
        api_domain=f"https://www.zohoapis.{tld}",
    )


_SYSTEM = ["Owner", "Created_Time", "Modified_Time"]
# fmt: off
_ACCOUNT_FIELDS = [
    "Account_Name", "Website", "Phone", "Industry", "Annual_Revenue", "Currency",
    "Employees", "Billing_Street", "Billing_City", "Billing_State", "Billing_Code",
    "Billing_Country", "Description", "Tag", "Customer_Tier", "Credit_Code",
    *_SYSTEM,
]
_CONTACT_FIELDS = [
    "First_Name", "Last_Name", "Full_Name", "Email", "Secondary_Email", "Phone", "Mobile",
    "Title", "Department", "Account_Name", "Mailing_Street", "Mailing_City", "Mailing_State",
    "Mailing_Zip", "Mailing_Country",
    *_SYSTEM,
]
_DEAL_FIELDS = [
    "Deal_Name", "Stage", "Pipeline", "Amount", "Currency", "Closing_Date", "Probability",
    "Account_Name", "Contact_Name",
    *_SYSTEM,
]
# fmt: on
_config = FailureKind.CONFIG
_system = FailureKind.SYSTEM

ZOHO = ZohoSpec(
    api_version="v8",
    auth="oauth_refresh_token",
    paginator="page_then_token",
    data_centres={
        "us": _dc("com"),
        "eu": _dc("eu"),
        "in": _dc("in"),
        "au": _dc("com.au"),
        "cn": _dc("com.cn"),
        "jp": _dc("jp"),
        "ca": DataCentre(
            accounts_url="https://accounts.zohocloud.ca", api_domain="https://www.zohoapis.ca"
        ),
        "sa": _dc("sa"),
    },
    page_wall=2000,
    max_fields=50,
    entities={
        EntityKind.CUSTOMER: EntitySpec(
            kind=EntityKind.CUSTOMER,
            path="Accounts",
            records_path="data",
            id_field="id",
            cursor_field="Modified_Time",
            page_size=200,
            write_batch_size=100,
            fields=_ACCOUNT_FIELDS,
            # the unique credit code first; the system duplicate-check field after it
            duplicate_keys=[["Credit_Code"], ["Account_Name"]],
        ),
        EntityKind.CONTACT: EntitySpec(
            kind=EntityKind.CONTACT,
            path="Contacts",
            records_path="data",
            id_field="id",
            cursor_field="Modified_Time",
            page_size=200,
            write_batch_size=100,
            fields=_CONTACT_FIELDS,
            duplicate_keys=[["Email"]],
        ),
        EntityKind.OPPORTUNITY: EntitySpec(
            kind=EntityKind.OPPORTUNITY,
            path="Deals",
            records_path="data",
            id_field="id",
            cursor_field="Modified_Time",
            page_size=200,
            write_batch_size=100,
            fields=_DEAL_FIELDS,
            duplicate_keys=[["Deal_Name"]],
        ),
    },
    error_codes={
        "INVALID_TOKEN": Rule(Action.REFRESH_TOKEN, _config, "access token refused"),
        "AUTHENTICATION_FAILURE": Rule(Action.REFRESH_TOKEN, _config, "authentication failed"),
        "OAUTH_SCOPE_MISMATCH": Rule(Action.FAIL, _config, "the token lacks a scope"),
        "NO_PERMISSION": Rule(Action.FAIL, _config, "the user's profile lacks a permission"),
        "AUTHORIZATION_FAILED": Rule(Action.FAIL, _config, "the user lacks a privilege"),
        "INVALID_MODULE": Rule(Action.FAIL, _config, "module unknown or not permitted"),
        "INVALID_HOST": Rule(Action.FAIL, _config, "not a www.zohoapis host"),
        "TOO_MANY_REQUESTS": Rule(
            Action.RATE_LIMITED, FailureKind.TRANSIENT, "credits/concurrency"
        ),
        "INTERNAL_ERROR": Rule(Action.RETRY, FailureKind.TRANSIENT, "Zoho internal error"),
        # a write whose every record failed answers 400 with per-record results: not an error
        "PER_RECORD_RESULTS": Rule(Action.IGNORE, _system, "per-record results"),
    },
    record_codes={
        "SUCCESS": PushOutcome.OK,
        "DUPLICATE_DATA": PushOutcome.ALREADY_EXISTS,
        "TOO_MANY_REQUESTS": PushOutcome.RETRY,
        "INTERNAL_ERROR": PushOutcome.RETRY,
        # locked by an approval process or a lock rule: writable again once that ends, so
        # the write waits and retries (dead-lettered when its attempts run out)
        "RECORD_LOCKED": PushOutcome.RETRY,
    },
    reanchor_codes=frozenset(
        {
            "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
            "PAGINATION_LIMIT_EXCEEDED",
            "TOKEN_BOUND_DATA_MISMATCH",
            "EXPIRED_VALUE",
        }
    ),
)
