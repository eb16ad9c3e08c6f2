"""One phone number read in two countries: a US customer's ``415-586-5647`` in a Zoho record
without a country reads as a Dandong landline (+864155865647, the connection's region is CN),
while its Fxiaoke twin has a US address. The reading in the customer's country becomes the
golden phone and reaches both CRMs in the first sync, even when the guess is the newer value
(the default policy, newest, would keep it). Emulators on loopback, the shipped field maps."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sync_harness import SyncWorld, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from core.audit import audit_trail
from core.store import Entity, Link, Store

WORLD = generate_world(WorldSpec(customers=3, contacts=0, opportunities=0, seed=5))
NAME, SITE = "Golden Gate Robotics Inc.", "https://goldengaterobotics.com"


def _seed_twins(sw: SyncWorld, newer: str) -> None:
    zoho, fxiaoke = sw.crms["zoho"].emulator, sw.crms["fxiaoke"].emulator
    sw.crms[newer].emulator.clock.advance(3600)
    with zoho.lock:
        zoho.create_row(
            "Accounts",
            {"Account_Name": NAME, "Website": SITE, "Phone": "415-586-5647"},
            zoho.api_user_id,
        )
    acting = fxiaoke.credentials()["currentOpenUserId"]
    with fxiaoke.lock:
        fxiaoke.create_row(
            "AccountObj",
            {
                "name": NAME,
                "url": SITE,
                "tel": "415-586-5647",
                "country": "美国",
                "owner": [acting],
            },
            acting,
        )


@pytest.mark.parametrize("newer", ["zoho", "fxiaoke"])
def test_the_reading_in_the_customers_country_reaches_both_crms(store: Store, newer: str) -> None:
    with sync_world(store, WORLD) as sw:
        _seed_twins(sw, newer)
        writes = sw.settle(max_cycles=4)
        assert writes[-1] == 0, writes
        with store.transaction() as session:
            entity = session.scalars(
                sa.select(Entity)
                .where(Entity.kind == "customer", Entity.status == "active")
                .where(Entity.data["name"].as_string() == NAME)
            ).one()
            assert entity.data["phones"] == ["+14155865647"]
            assert entity.data["address"]["country"] == "US"
            linked = session.scalars(
                sa.select(Link.connection).where(Link.entity_id == entity.id)
            ).all()
            assert sorted(linked) == ["fxiaoke", "zoho"]
            # the Dandong reading was never written anywhere: Fxiaoke's phone, read in the
            # customer's country from the start, was not touched; Zoho's was, once, with the
            # country that makes it read +1 from now on
            trail = audit_trail(session, entity_id=entity.id)
            phone_writes = sorted(
                e.after["connection"]
                for e in trail
                if e.action.startswith("write.") and "phones" in e.after["fields"]
            )
            assert phone_writes == ["zoho"], phone_writes
        zoho_row = next(r for r in sw.crms["zoho"].rows("customer").values()
                        if r["Account_Name"] == NAME)  # fmt: skip
        fxiaoke_row = next(r for r in sw.crms["fxiaoke"].rows("customer").values()
                           if r["name"] == NAME)  # fmt: skip
        assert zoho_row["Phone"].replace(" ", "").replace("-", "") == "+14155865647"
        assert zoho_row["Billing_Country"] in {"US", "United States"}
        assert "4155865647" in fxiaoke_row["tel"].replace(" ", "").replace("-", "")
