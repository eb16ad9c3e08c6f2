"""Filling a Zoho emulator from a generated world: rows in Zoho's formats, ids from the seed."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.emulator.store import Row
from connectors.emulator.world import CrmView
from connectors.emulator.world.pools import INDUSTRIES
from connectors.zoho.emulator.schema import PIPELINE
from connectors.zoho.emulator.users import user_id_for, zoho_user

if TYPE_CHECKING:
    from connectors.zoho.emulator.emulator import ZohoEmulator

__all__ = ["STAGE_LABELS", "IdSequence", "org_prefix", "seed_view"]

STAGE_LABELS = {
    "prospecting": "Qualification",
    "qualification": "Qualification",
    "needs_analysis": "Needs Analysis",
    "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "closed_won": "Closed Won",
    "closed_lost": "Closed Lost",
}
_INDUSTRY = {code: en for code, _, en in INDUSTRIES}


def org_prefix(seed: int) -> str:
    """The 7 leading digits every id of this org shares (like 5725767 in 5725767000001234001)."""
    digest = int(hashlib.sha256(f"zoho-org-{seed}".encode()).hexdigest(), 16)
    return str(1_000_000 + digest % 9_000_000)


class IdSequence:
    """19-digit record ids that grow with creation time, as Zoho's do."""

    def __init__(self, org: str, seed: int, start: int = 1_000_001) -> None:
        self.org = org
        self.next = start
        self._rng = random.Random(f"zoho-ids-{seed}")

    def __call__(self) -> str:
        value = f"{self.org}{self.next:012d}"
        self.next += self._rng.randrange(1, 40)
        return value

    def continue_after(self, ids: list[str]) -> None:
        tails = [int(i[len(self.org) :]) for i in ids if i.startswith(self.org)]
        if tails:
            self.next = max(self.next, max(tails) + 1)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000


def seed_view(emulator: ZohoEmulator, view: CrmView) -> None:
    """Replace the emulator's users and records with what `view` holds."""
    org = emulator.org
    for owner in view.owners:
        user = zoho_user(owner, org)
        emulator.users.setdefault(user.id, user)
    owner_id = {o.email: user_id_for(o.email, org) for o in view.owners}
    items: list[tuple[int, str, Any]] = []
    items += [(_ms(c.created_at), "Accounts", c) for c in view.customers]
    items += [(_ms(c.created_at), "Contacts", c) for c in view.contacts]
    items += [(_ms(o.created_at), "Deals", o) for o in view.opportunities]
    items.sort(key=lambda item: (item[0], item[1], item[2].truth_id))
    ids: dict[tuple[str, str], str] = {}
    for _, module, variant in items:
        ids[(module, variant.truth_id)] = emulator.ids()
        emulator.truth_ids[ids[(module, variant.truth_id)]] = variant.truth_id
    rows: dict[str, list[Row]] = {"Accounts": [], "Contacts": [], "Deals": []}
    for _, module, v in items:
        holder = owner_id[v.owner_email]
        fields: dict[str, Any] = {"Owner": holder, "Created_By": holder, "Modified_By": holder}
        if module == "Accounts":
            fields |= {
                "Account_Name": v.name,
                "Website": v.website,
                "Phone": v.phones[0] if v.phones else None,
                "Industry": _INDUSTRY.get(v.industry or "", v.industry),
                "Annual_Revenue": float(v.annual_revenue) if v.annual_revenue else None,
                "Currency": v.currency,
                "Employees": v.employees,
                "Billing_Street": v.street,
                "Billing_City": v.city,
                "Billing_State": v.region,
                "Billing_Code": v.postal_code,
                "Billing_Country": v.country,
                "Description": None,
                "Tag": list(v.tags),
                "Customer_Tier": v.tier,
                "Credit_Code": v.credit_code,
            }
        elif module == "Contacts":
            fields |= {
                "First_Name": v.first_name,
                "Last_Name": v.last_name,
                "Full_Name": " ".join(p for p in (v.first_name, v.last_name) if p),
                "Email": v.email,
                "Secondary_Email": v.secondary_email,
                "Phone": v.phone,
                "Mobile": v.mobile,
                "Title": v.title,
                "Department": v.department,
                "Account_Name": ids.get(("Accounts", v.customer_truth_id)),
                "Mailing_City": v.city,
                "Mailing_Country": v.country,
            }
        else:
            contact = ids.get(("Contacts", v.contact_truth_id or ""))
            fields |= {
                "Deal_Name": v.name,
                "Stage": STAGE_LABELS.get(v.stage, "Qualification"),
                "Pipeline": PIPELINE,
                "Amount": float(v.amount),
                "Currency": v.currency,
                "Closing_Date": v.close_date.isoformat(),
                "Probability": v.probability,
                "Account_Name": ids.get(("Accounts", v.customer_truth_id)),
                "Contact_Name": contact,
            }
        row_id = ids[(module, v.truth_id)]
        rows[module].append(Row(row_id, _ms(v.created_at), _ms(v.modified_at), fields))
    for module, module_rows in rows.items():
        emulator.load_rows(module, module_rows)
