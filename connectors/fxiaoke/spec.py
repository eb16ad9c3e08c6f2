"""Fxiaoke (纷享销客) Open API v2, declared: paths, auth and paging kinds, entities, error codes.

Every answer is HTTP 200; success or failure is the body's `errorCode` (0 = ok), classified by
`error_codes` (unknown non-zero codes: a business error, not retried).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from connectors.http.errors import Action, FailureKind, Rule
from connectors.spec import EntitySpec
from mapping.model import EntityKind

__all__ = ["FXIAOKE", "FxiaokePaths", "FxiaokeSpec"]


class FxiaokePaths(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    token: str = "/cgi/corpAccessToken/get/V2"  # noqa: S105 (a path)
    query: str = "/cgi/crm/v2/data/query"
    create: str = "/cgi/crm/v2/data/create"
    update: str = "/cgi/crm/v2/data/update"
    invalid: str = "/cgi/crm/v2/data/invalid"
    change_owner: str = "/cgi/crm/v2/data/changeOwner"
    describe: str = "/cgi/crm/v2/object/describe"
    employees: str = "/cgi/user/get/batchByUpdTime"


class FxiaokeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_base_url: str
    auth: Literal["corp_access_token"]
    paginator: Literal["watermark_offset"]
    paths: FxiaokePaths
    # the server rejects offsets past this; the watermark paginator keeps offset at 0
    max_offset: int
    employees_page_size: int
    entities: dict[EntityKind, EntitySpec]
    error_codes: dict[str, Rule]
    unknown_code: Rule
    # body codes that mean "the token is refused": refresh once and replay
    token_refused_codes: frozenset[int]

    def entity(self, kind: EntityKind) -> EntitySpec:
        return self.entities[kind]


def _entity(kind: EntityKind, path: str, *keys: list[str]) -> EntitySpec:
    return EntitySpec(
        kind=kind,
        path=path,
        records_path="data.dataList",
        id_field="_id",
        cursor_field="last_modified_time",
        page_size=100,
        write_batch_size=1,  # no bulk create/update in the Open API: one call per record
        fields=[],  # every field the tenant has (custom `__c` ones included)
        duplicate_keys=list(keys),
    )


def _rules(action: Action, kind: FailureKind, reason: str, *codes: int) -> dict[str, Rule]:
    return {str(code): Rule(action, kind, reason) for code in codes}


# fmt: off
_CONFIG_CODES = (
    10001, 10002, 10006, 10010, 10012, 10014, 11001, 11002, 11008, 11013, 11015,
    15003, 20006, 20012, 20014, 20015, 20017, 20020, 20021, 20022, 20023, 30003,
)
# fmt: on
_config, _transient, _system = FailureKind.CONFIG, FailureKind.TRANSIENT, FailureKind.SYSTEM

FXIAOKE = FxiaokeSpec(
    default_base_url="https://open.fxiaoke.com",
    auth="corp_access_token",
    paginator="watermark_offset",
    paths=FxiaokePaths(),
    max_offset=10_000,
    employees_page_size=100,
    entities={
        EntityKind.CUSTOMER: _entity(
            EntityKind.CUSTOMER, "AccountObj", ["uniform_social_credit_code"], ["name"]
        ),
        EntityKind.CONTACT: _entity(
            EntityKind.CONTACT, "ContactObj", ["email"], ["mobile1"], ["name", "account_id"]
        ),
        EntityKind.OPPORTUNITY: _entity(
            EntityKind.OPPORTUNITY, "NewOpportunityObj", ["name", "account_id"]
        ),
    },
    error_codes={
        **_rules(Action.RETRY, _transient, "system busy or failing", -1, -2, 50009),
        **_rules(Action.RATE_LIMITED, _transient, "call frequency exceeded", 14001, 30004),
        # the quota resets at midnight (Asia/Shanghai): waiting in a loop is pointless
        **_rules(Action.FAIL, _transient, "daily API quota used up", 30002),
        **_rules(Action.REFRESH_TOKEN, _config, "token expired or invalid", 20016, 11014, 20005),
        **_rules(Action.FAIL, _config, "credentials, acting user or permissions", *_CONFIG_CODES),
        **_rules(Action.FAIL, _system, "bad request", 10013, 15002, 32000),
    },
    unknown_code=Rule(Action.FAIL, _system, "business error"),
    token_refused_codes=frozenset({20016, 11014}),
)
