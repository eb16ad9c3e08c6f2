"""Echo suppression over many cycles: connections syncing each other through the emulators over
real HTTP settle with zero writes, and writes stop within a few cycles after an edit storm."""

from __future__ import annotations

import random

from sync_harness import EDITABLE, disagreements, duplicates, edit, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from core.store import Store
from core.sync.cycle import preview_plan

WORLD = generate_world(WorldSpec(customers=14, contacts=18, opportunities=10, seed=11))


def test_two_crms_settle_and_stay_settled(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        _, drained = sw.cycle()
        assert drained.pushed > 0  # the first sync fills each CRM with the other's records
        assert drained.results.dead == 0
        writes = [sw.cycle()[1].pushed for _ in range(7)]
        assert writes == [0] * 7, writes
        # the echoes of our own writes were recognised as such
        echoed = sum(
            counts.outcomes["echo"]
            for per in sw.history[1][0].pulls.values()
            for counts in per.values()
        )
        assert echoed >= drained.pushed - drained.results.dead - 1
        assert disagreements(sw) == []
        assert duplicates(sw) == []
        # a second sync with no remote changes plans nothing
        assert not preview_plan(store, sw.ctx)
        assert sw.pending() == 0
        # the check sees a CRM that differs, until the next cycle brings it in line
        zoho = sw.crms["zoho"]
        some = sorted(zoho.rows("customer"))[0]
        edit(zoho, "customer", some, "address.city", "乌鲁木齐")
        assert [p.split(" ")[2:4] for p in disagreements(sw)] == [[some, "address.city:"]]
        assert sw.cycle()[1].writes == {"fxiaoke": {"update": 1}}
        assert disagreements(sw) == []


def test_three_crms_settle(store: Store) -> None:
    with sync_world(store, WORLD, extra_zoho=True) as sw:
        writes = sw.settle(max_cycles=5)
        assert writes[-1] == 0, writes
        assert len(writes) <= 3, writes
        zoho_b = sw.crms["zoho_b"]
        # the empty CRM received every customer the others hold
        assert len(zoho_b.rows("customer")) == len(sw.entities("customer"))
        assert [sw.cycle()[1].pushed for _ in range(3)] == [0, 0, 0]
        assert disagreements(sw) == []
        assert duplicates(sw) == []


def test_writes_reach_zero_within_a_few_cycles_after_an_edit_storm(store: Store) -> None:
    rng = random.Random(5)
    with sync_world(store, WORLD) as sw:
        sw.settle()
        for _ in range(4):  # the storm: edits in both CRMs between cycles
            for _ in range(6):
                crm = sw.crms[rng.choice(["zoho", "fxiaoke"])]
                kind = rng.choice(["customer", "contact", "opportunity"])
                rows = sorted(crm.rows(kind))
                if not rows:
                    continue
                path = rng.choice(sorted(EDITABLE[crm.type][kind]))
                value = rng.randrange(1, 99) if path == "probability" else f"v{rng.randrange(999)}"
                edit(crm, kind, rng.choice(rows), path, value)
            assert sw.cycle()[1].pushed > 0
        after = sw.settle(max_cycles=4)
        assert after[-1] == 0, after
        assert len(after) <= 3, after
        assert disagreements(sw) == []
