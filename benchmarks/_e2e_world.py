"""Shared by e2e_sync.py and soak.py: both emulators on loopback holding one generated world,
with latency, limits and faults as asked, and a crmhub config (database, broker, connection
budgets matched to the emulators' limits) in a folder of its own.

A run longer than a session pauses: `save_emulators` writes what the emulators hold (records,
users, deletions, the ids of the seeded records, their clocks) beside crmhub's database and
broker, and `e2e_world(..., resume=True)` serves that again instead of a fresh world.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.connect import open_connector
from connectors.emulator.faults import FaultPlan
from connectors.emulator.loopback import config_text, credentials_env
from connectors.emulator.serve import running
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.protocol import Connector
from connectors.zoho.emulator import ZohoEmulator
from core.config import LoadedConfig, load_config
from workers.demo import emulator_hub

# Fxiaoke's real limit (reference §6/§11) and what the benchmark raises it to by default
REAL_FXIAOKE_CALLS, REAL_FXIAOKE_WINDOW_S = 100, 20.0
ZOHO_MODULES = {"customer": "Accounts", "contact": "Contacts", "opportunity": "Deals"}
FXIAOKE_OBJECTS = {
    "customer": "AccountObj",
    "contact": "ContactObj",
    "opportunity": "NewOpportunityObj",
}


@dataclass(frozen=True)
class WorldOptions:
    spec: WorldSpec
    zoho_faults: FaultPlan
    fxiaoke_faults: FaultPlan
    fxiaoke_endpoint_calls: int = 100_000  # per 20 s window
    zoho_concurrency: int = 15
    client: Mapping[str, Any] | None = None  # ClientSettings overrides (timeouts, retry)
    database: str | None = None  # default: SQLite in the folder
    workers: Mapping[str, Any] | None = None  # the workers section (republish, leases…)


@dataclass
class E2EWorld:
    folder: Path
    config_path: Path
    config: LoadedConfig
    emulators: dict[str, Any]
    urls: dict[str, str]
    env: dict[str, str]

    def connectors(self, stack: ExitStack) -> dict[str, Connector]:
        made: dict[str, Connector] = {}
        for name, emulator in self.emulators.items():

            def now(clock: Any = emulator.clock) -> datetime:
                return datetime.fromtimestamp(clock.now(), UTC)

            made[name] = open_connector(name, self.config.hub.connections[name], now=now)
            stack.callback(made[name].close)
        return made

    def truth(self) -> dict[tuple[str, str], str]:
        """(connection, remote id) -> truth id of every seeded record."""
        return {
            (name, remote_id): truth_id
            for name, emulator in self.emulators.items()
            for remote_id, truth_id in emulator.truth_ids.items()
        }


EMULATORS_FILE = "emulators.json"


def save_emulators(world: E2EWorld) -> Path:
    """What the emulators hold now, for `e2e_world(..., resume=True)` (call it while nothing
    is calling them: a write after this is not in the file)."""
    saved = {
        name: {
            "state": emulator.export_state(),
            "truth_ids": emulator.truth_ids,
            "clock_offset_s": emulator.clock.offset_s,
        }
        for name, emulator in world.emulators.items()
    }
    path = world.folder / EMULATORS_FILE
    part = path.with_suffix(".part")
    with part.open("w", encoding="utf-8") as out:
        json.dump(saved, out, ensure_ascii=False)
    part.replace(path)  # a pause killed while saving keeps the previous file
    return path


def _restore(emulators: dict[str, Any], path: Path) -> None:
    with path.open(encoding="utf-8") as saved_file:
        saved = json.load(saved_file)
    for name, emulator in emulators.items():
        emulator.import_state(saved[name]["state"])
        emulator.truth_ids = dict(saved[name]["truth_ids"])
        # the clock goes on from where it was (plus the real time since: CRMs' clocks run on)
        emulator.clock.advance(max(0.0, saved[name]["clock_offset_s"] - emulator.clock.offset_s))


@contextmanager
def e2e_world(folder: Path, options: WorldOptions, *, resume: bool = False) -> Iterator[E2EWorld]:
    """The emulators holding `options.spec`'s world, or with `resume` what a paused run saved
    in `folder` (its database and broker are kept)."""
    if not resume:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    world = generate_world(options.spec)
    zoho = ZohoEmulator.from_world(world, faults=options.zoho_faults)
    fxiaoke = FxiaokeEmulator.from_world(world, faults=options.fxiaoke_faults)
    zoho.set_limits(concurrency=options.zoho_concurrency, credits=10_000_000)
    fxiaoke.set_limits(endpoint_calls=options.fxiaoke_endpoint_calls, token_calls_per_min=1000)
    for emulator in (zoho, fxiaoke):
        emulator.clock.advance(2)  # the generated records lie in finished seconds
    if resume:
        _restore({"zoho": zoho, "fxiaoke": fxiaoke}, folder / EMULATORS_FILE)
    with running(zoho) as zoho_url, running(fxiaoke) as fxiaoke_url:
        emulators = {"zoho": zoho, "fxiaoke": fxiaoke}
        urls = {"zoho": zoho_url, "fxiaoke": fxiaoke_url}
        env = credentials_env("CRMHUB_E2E", emulators)
        os.environ.update(env)
        database = options.database or f"sqlite:///{folder.resolve()}/crmhub.db"
        # the client's own budget matches the emulators' (raised) limits, so the run measures
        # crmhub and not a client pacing itself to limits the server does not have
        budgets = {
            "zoho": {"concurrency": min(10, options.zoho_concurrency)},
            "fxiaoke": {
                "concurrency": 5,
                "calls_per_endpoint": options.fxiaoke_endpoint_calls,
                "endpoint_window": REAL_FXIAOKE_WINDOW_S,
            },
        }
        sections: dict[str, Any] = {}
        if options.workers is not None:
            (folder / "workers.yaml").write_text(json.dumps(dict(options.workers)), "utf-8")
            sections["workers"] = "workers.yaml"
        sections |= emulator_hub(
            "CRMHUB_E2E",
            folder,
            urls,
            fxiaoke.credentials()["currentOpenUserId"],
            database=database,
            options={
                name: {"client": {**(options.client or {}), "budget": budget}}
                for name, budget in budgets.items()
            },
        )
        path = folder / "crmhub.yaml"
        path.write_text(config_text(sections), encoding="utf-8")
        yield E2EWorld(folder, path, load_config(path), emulators, urls, env)


def edit_remote(world: E2EWorld, count: int, rng: random.Random) -> dict[str, int]:
    """`count` remote edits spread over both CRMs' customers and contacts, in-process, as a
    user would make them there (modified times move; the next incremental pull sees them)."""
    done = {"zoho": 0, "fxiaoke": 0}
    edits = {
        "zoho": ("Accounts", "Description", "Contacts", "Title"),
        "fxiaoke": ("AccountObj", "remark", "ContactObj", "job_title"),
    }
    for step in range(count):
        name = "zoho" if step % 2 == 0 else "fxiaoke"
        emulator = world.emulators[name]
        customers, c_field, contacts, p_field = edits[name]
        module, field = (customers, c_field) if rng.random() < 0.5 else (contacts, p_field)
        with emulator.lock:
            ids = list(emulator.modules[module].rows)
            if not ids:
                continue
            row_id = rng.choice(ids)
            emulator.automation(module, [row_id], {field: f"edit {step} {rng.randrange(10**6)}"},
                                True)  # fmt: skip
        done[name] += 1
    for emulator in world.emulators.values():
        emulator.clock.advance(2)  # the edits lie in finished seconds (the pull.s signpost)
    return done
