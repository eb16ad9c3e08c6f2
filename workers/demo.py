"""The demo's world: both CRM emulators on loopback holding one generated world (the same
companies and people, overlapping, held differently), and a crmhub config pointing at them with
its own database and broker under `$CRMHUB_HOME/demo/` (never the user's own).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.connect import open_connector
from connectors.emulator.serve import running
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.protocol import Connector
from connectors.zoho.emulator import ZohoEmulator
from core.config import LoadedConfig, load_config

__all__ = ["DemoWorld", "demo_world", "shipped_config"]

CONFIG = """\
# Written by `crmhub demo`: the two emulators it ran, this folder's database and broker.
database:
  url: sqlite:///{folder}/crmhub.db
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
      client_id: env:CRMHUB_DEMO_ZOHO_CLIENT_ID
      client_secret: env:CRMHUB_DEMO_ZOHO_CLIENT_SECRET
      refresh_token: env:CRMHUB_DEMO_ZOHO_REFRESH_TOKEN
  fxiaoke:
    type: fxiaoke
    base_url: {fxiaoke}
    default_region: CN
    timezone: Asia/Shanghai
    mapping: {shipped}/mappings/fxiaoke.yaml
    credentials:
      app_id: env:CRMHUB_DEMO_FXIAOKE_APP_ID
      app_secret: env:CRMHUB_DEMO_FXIAOKE_APP_SECRET
      permanent_code: env:CRMHUB_DEMO_FXIAOKE_PERMANENT_CODE
    options:
      current_open_user_id: {fxiaoke_user}
matching: {shipped}/matching.yaml
assignment: {shipped}/assignment.yaml
policies: {shipped}/policies.yaml
"""


def shipped_config() -> Path:
    """The repository's `config/` folder (field maps, matching, assignment, policies)."""
    return Path(__file__).resolve().parents[1] / "config"


@dataclass
class DemoWorld:
    folder: Path
    config: LoadedConfig
    emulators: dict[str, Any]
    urls: dict[str, str]

    def connectors(self, stack: ExitStack) -> dict[str, Connector]:
        """Connectors on the emulators' clocks (closed with `stack`)."""
        made: dict[str, Connector] = {}
        for name, emulator in self.emulators.items():
            clock = emulator.clock

            def now(clock: Any = clock) -> datetime:
                return datetime.fromtimestamp(clock.now(), UTC)

            made[name] = open_connector(name, self.config.hub.connections[name], now=now)
            stack.callback(made[name].close)
        return made


@contextmanager
def demo_world(folder: Path, spec: WorldSpec) -> Iterator[DemoWorld]:
    """Fresh demo folder, emulators serving the generated world, config loaded."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    world = generate_world(spec)
    zoho = ZohoEmulator.from_world(world)
    fxiaoke = FxiaokeEmulator.from_world(world)
    # Fxiaoke allows 100 calls / 20 s per endpoint and writes one record a call: the demo's
    # emulator is a generous tenant so a first sync of hundreds of records takes seconds
    fxiaoke.set_limits(endpoint_calls=100_000, token_calls_per_min=1000)
    for emulator in (zoho, fxiaoke):
        emulator.clock.advance(2)  # the generated records lie in finished seconds
    with running(zoho) as zoho_url, running(fxiaoke) as fxiaoke_url:
        zc, fc = zoho.credentials(), fxiaoke.credentials()
        secrets = {
            "CRMHUB_DEMO_ZOHO_CLIENT_ID": zc["client_id"],
            "CRMHUB_DEMO_ZOHO_CLIENT_SECRET": zc["client_secret"],
            "CRMHUB_DEMO_ZOHO_REFRESH_TOKEN": zc["refresh_token"],
            "CRMHUB_DEMO_FXIAOKE_APP_ID": fc["appId"],
            "CRMHUB_DEMO_FXIAOKE_APP_SECRET": fc["appSecret"],
            "CRMHUB_DEMO_FXIAOKE_PERMANENT_CODE": fc["permanentCode"],
        }
        os.environ.update(secrets)  # this process only: the emulators' generated credentials
        path = folder / "crmhub.yaml"
        path.write_text(
            CONFIG.format(
                folder=folder.resolve(),
                shipped=shipped_config(),
                zoho=zoho_url,
                fxiaoke=fxiaoke_url,
                fxiaoke_user=fc["currentOpenUserId"],
            ),
            encoding="utf-8",
        )
        yield DemoWorld(
            folder,
            load_config(path),
            {"zoho": zoho, "fxiaoke": fxiaoke},
            {"zoho": zoho_url, "fxiaoke": fxiaoke_url},
        )
