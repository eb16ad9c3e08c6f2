"""The demo's world: both CRM emulators on loopback holding one generated world (the same
companies and people, overlapping, held differently), and a crmhub config pointing at them with
its own database and broker under `$CRMHUB_HOME/demo/` (never the user's own).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.connect import open_connector
from connectors.emulator.loopback import config_text, connections, credentials_env
from connectors.emulator.serve import running
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.protocol import Connector
from connectors.zoho.emulator import ZohoEmulator
from core.config import LoadedConfig, load_config

__all__ = ["DemoWorld", "demo_world", "emulator_hub", "shipped_config"]

SHIPPED_PARTS = ("matching", "assignment", "policies")


def emulator_hub(
    prefix: str,
    folder: Path,
    urls: Mapping[str, str],
    fxiaoke_user: str,
    *,
    database: str | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The config sections of a hub on the emulators at `urls`: database (SQLite in `folder`
    unless given) and embedded broker in `folder`, the connections (secrets named by
    `prefix`), the shipped field maps, matching, assignment and policies."""
    shipped = shipped_config()
    return {
        "database": {"url": database or f"sqlite:///{folder.resolve()}/crmhub.db"},
        "broker": {"url": f"filesystem://{folder.resolve()}/broker"},
        "connections": connections(
            prefix,
            urls,
            shipped / "mappings",
            fxiaoke_user=fxiaoke_user,
            common={"default_region": "CN", "timezone": "Asia/Shanghai"},
            options=options,
        ),
        **{part: str(shipped / f"{part}.yaml") for part in SHIPPED_PARTS},
    }


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
        emulators = {"zoho": zoho, "fxiaoke": fxiaoke}
        urls = {"zoho": zoho_url, "fxiaoke": fxiaoke_url}
        # this process only: the emulators' generated credentials
        os.environ.update(credentials_env("CRMHUB_DEMO", emulators))
        sections = emulator_hub(
            "CRMHUB_DEMO", folder, urls, fxiaoke.credentials()["currentOpenUserId"]
        )
        path = folder / "crmhub.yaml"
        heading = (
            "Written by `crmhub demo`: the emulators it ran, this folder's database and broker."
        )
        path.write_text(config_text(sections, heading), encoding="utf-8")
        yield DemoWorld(folder, load_config(path), emulators, urls)
