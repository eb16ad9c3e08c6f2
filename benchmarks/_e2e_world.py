"""Shared by e2e_sync.py and soak.py: both emulators on loopback holding one generated world,
with latency, limits and faults as asked, and a crmhub config (database, broker, connection
budgets matched to the emulators' limits) in a folder of its own.
"""

from __future__ import annotations

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
from connectors.emulator.serve import running
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.protocol import Connector
from connectors.zoho.emulator import ZohoEmulator
from core.config import LoadedConfig, load_config
from workers.demo import shipped_config

CONFIG = """\
database:
  url: {database}
broker:
  url: filesystem://{folder}/broker
connections:
  zoho:
    type: zoho
    base_url: {zoho}
    default_region: CN
    timezone: Asia/Shanghai
    mapping: {shipped}/mappings/zoho.yaml
    credentials:
      client_id: env:CRMHUB_E2E_ZOHO_CLIENT_ID
      client_secret: env:CRMHUB_E2E_ZOHO_CLIENT_SECRET
      refresh_token: env:CRMHUB_E2E_ZOHO_REFRESH_TOKEN
    options:
      client: {zoho_client}
  fxiaoke:
    type: fxiaoke
    base_url: {fxiaoke}
    default_region: CN
    timezone: Asia/Shanghai
    mapping: {shipped}/mappings/fxiaoke.yaml
    credentials:
      app_id: env:CRMHUB_E2E_FXIAOKE_APP_ID
      app_secret: env:CRMHUB_E2E_FXIAOKE_APP_SECRET
      permanent_code: env:CRMHUB_E2E_FXIAOKE_PERMANENT_CODE
    options:
      current_open_user_id: {fxiaoke_user}
      client: {fxiaoke_client}
matching: {shipped}/matching.yaml
assignment: {shipped}/assignment.yaml
policies: {shipped}/policies.yaml
"""

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


def _client(options: WorldOptions, budget: dict[str, Any]) -> str:
    data = {**(options.client or {}), "budget": budget}
    return _flow(data)


def _flow(value: Any) -> str:
    """A YAML flow mapping (JSON is YAML)."""
    import json

    return json.dumps(value)


@contextmanager
def e2e_world(folder: Path, options: WorldOptions) -> Iterator[E2EWorld]:
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
    with running(zoho) as zoho_url, running(fxiaoke) as fxiaoke_url:
        zc, fc = zoho.credentials(), fxiaoke.credentials()
        env = {
            "CRMHUB_E2E_ZOHO_CLIENT_ID": zc["client_id"],
            "CRMHUB_E2E_ZOHO_CLIENT_SECRET": zc["client_secret"],
            "CRMHUB_E2E_ZOHO_REFRESH_TOKEN": zc["refresh_token"],
            "CRMHUB_E2E_FXIAOKE_APP_ID": fc["appId"],
            "CRMHUB_E2E_FXIAOKE_APP_SECRET": fc["appSecret"],
            "CRMHUB_E2E_FXIAOKE_PERMANENT_CODE": fc["permanentCode"],
        }
        os.environ.update(env)
        database = options.database or f"sqlite:///{folder.resolve()}/crmhub.db"
        # the client's own budget matches the emulators' (raised) limits, so the run measures
        # crmhub and not a client pacing itself to limits the server does not have
        fx_budget = {
            "concurrency": 5,
            "calls_per_endpoint": options.fxiaoke_endpoint_calls,
            "endpoint_window": REAL_FXIAOKE_WINDOW_S,
        }
        path = folder / "crmhub.yaml"
        workers = ""
        if options.workers is not None:
            (folder / "workers.yaml").write_text(_flow(dict(options.workers)), encoding="utf-8")
            workers = "workers: workers.yaml\n"
        path.write_text(
            workers
            + CONFIG.format(
                database=database,
                folder=folder.resolve(),
                shipped=shipped_config(),
                zoho=zoho_url,
                fxiaoke=fxiaoke_url,
                fxiaoke_user=fc["currentOpenUserId"],
                zoho_client=_client(options, {"concurrency": min(10, options.zoho_concurrency)}),
                fxiaoke_client=_client(options, fx_budget),
            ),
            encoding="utf-8",
        )
        yield E2EWorld(
            folder,
            path,
            load_config(path),
            {"zoho": zoho, "fxiaoke": fxiaoke},
            {"zoho": zoho_url, "fxiaoke": fxiaoke_url},
            env,
        )


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
