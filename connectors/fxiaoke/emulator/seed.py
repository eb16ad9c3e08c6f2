"""Filling a Fxiaoke emulator from a generated world: rows in Fxiaoke's formats, 24-hex ids."""

from __future__ import annotations

import datetime as dt
import random
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from connectors.emulator.store import Row
from connectors.emulator.world import CrmView
from connectors.emulator.world.pools import INDUSTRIES
from connectors.emulator.world.truth import WORLD_NOW
from connectors.fxiaoke.emulator.employees import mobile_for, open_user_id
from connectors.fxiaoke.emulator.objects import OBJECTS, SALES_PROCESS_ID

if TYPE_CHECKING:
    from connectors.fxiaoke.emulator.emulator import FxiaokeEmulator

__all__ = ["ObjectIds", "date_ms", "seed_view"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAGE_CODE = {
    "prospecting": "1",
    "qualification": "1",
    "needs_analysis": "2",
    "proposal": "3",
    "negotiation": "4",
    "closed_won": "5",
    "closed_lost": "6",
}
_INDUSTRY_CODE = {code: str(i + 1) for i, (code, _, _) in enumerate(INDUSTRIES)}
# rows created before this were written before the tenant added the "newer" fields
LEGACY_BEFORE = WORLD_NOW - dt.timedelta(days=600)


class ObjectIds:
    """Mongo-style 24-hex ids: creation second, then 16 hex from a seeded generator."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"fxiaoke-ids-{seed}")

    def __call__(self, created_ms: int) -> str:
        return f"{created_ms // 1000:08x}{self._rng.getrandbits(64):016x}"


def date_ms(day: dt.date) -> int:
    """A date as Fxiaoke holds it: epoch ms at 00:00 Asia/Shanghai."""
    return int(datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp() * 1000)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _system(owner: str, legacy: bool) -> dict[str, Any]:
    return {
        "owner": [owner],
        "created_by": [owner],
        "last_modified_by": [owner],
        "life_status": "normal",
        "is_deleted": False,
        "lock_status": "0",
        "version": 1 if legacy else 3,
        "record_type": "default__c",
    }


def _drop_newer(api_name: str, fields: dict[str, Any], created: datetime) -> dict[str, Any]:
    if created >= LEGACY_BEFORE:
        return fields
    newer = OBJECTS[api_name].newer
    return {k: v for k, v in fields.items() if not (k in newer and v is None)}


def seed_view(emulator: FxiaokeEmulator, view: CrmView) -> None:
    """Replace the emulator's employees and records with what `view` holds."""
    for owner in view.owners:
        emulator.add_employee(owner.name, owner.email, mobile_for(owner.email))
    ids = ObjectIds(emulator.seed)
    account_ids: dict[str, str] = {}
    accounts, contacts, deals = [], [], []
    for c in view.customers:
        created = _ms(c.created_at)
        row_id = ids(created)
        account_ids[c.truth_id] = row_id
        emulator.truth_ids[row_id] = c.truth_id
        fields = _system(open_user_id(c.owner_email), c.created_at < LEGACY_BEFORE) | {
            "name": c.name,
            "tel": c.phones[0] if c.phones else None,
            "email": c.email,
            "url": c.website,
            "industry_level1": _INDUSTRY_CODE.get(c.industry or ""),
            "account_level": c.tier,
            "country": c.country,
            "province": c.region,
            "city": c.city,
            "address": c.street,
            "remark": None,
            "uniform_social_credit_code": c.credit_code,
        }
        fields = _drop_newer("AccountObj", fields, c.created_at)
        accounts.append(Row(row_id, created, _ms(c.modified_at), fields))
    for p in view.contacts:
        created = _ms(p.created_at)
        first = p.first_name or ""
        name = f"{first} {p.last_name}" if p.last_name.isascii() else f"{p.last_name}{first}"
        fields = _system(open_user_id(p.owner_email), p.created_at < LEGACY_BEFORE) | {
            "name": name.strip(),
            "account_id": account_ids.get(p.customer_truth_id),
            "email": p.email,
            "tel1": p.phone,
            "mobile1": p.mobile,
            "job_title": p.title,
            "department": p.department,
        }
        fields = _drop_newer("ContactObj", fields, p.created_at)
        contacts.append(Row(ids(created), created, _ms(p.modified_at), fields))
        emulator.truth_ids[contacts[-1].id] = p.truth_id
    for o in view.opportunities:
        created = _ms(o.created_at)
        stage = STAGE_CODE.get(o.stage, "1")
        fields = _system(open_user_id(o.owner_email), o.created_at < LEGACY_BEFORE) | {
            "name": o.name,
            "account_id": account_ids.get(o.customer_truth_id),
            "amount": f"{o.amount.quantize(Decimal('0.01'))}",
            "close_date": date_ms(o.close_date),
            "sales_process_id": SALES_PROCESS_ID,
            "sales_stage": stage,
            "sales_status": {"5": "2", "6": "3"}.get(stage, "1"),
            "probability": o.probability,
        }
        if o.currency != "CNY":
            fields["mc_currency"] = o.currency
        deals.append(Row(ids(created), created, _ms(o.modified_at), fields))
        emulator.truth_ids[deals[-1].id] = o.truth_id
    emulator.modules["AccountObj"].load(accounts)
    emulator.modules["ContactObj"].load(contacts)
    emulator.modules["NewOpportunityObj"].load(deals)
