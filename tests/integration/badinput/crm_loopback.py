"""Both emulators on loopback with a config pointing at them, for runs of the real `crmhub` CLI.

`BodyTap` wraps an emulator's ASGI app: it keeps every response body (to learn the access
tokens the emulators issue) and can corrupt bytes in bodies on the way out (a CRM sending bytes
that are not UTF-8). `seed_row` puts a record straight into an emulator's store, past the
emulator's own validation, the way a misbehaving CRM would hold it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from connectors.emulator.loopback import config_text, connections, credentials_env
from connectors.emulator.serve import running
from connectors.emulator.store import Row
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.zoho.emulator import ZohoEmulator

__all__ = ["BodyTap", "Loopback", "loopback", "seed_row"]

MAPS = Path(__file__).resolve().parents[3] / "config" / "mappings"


@dataclass
class BodyTap:
    """ASGI middleware: records response bodies, replaces `corrupt` keys by their values."""

    app: Any
    corrupt: dict[bytes, bytes] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def tapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                for old, new in self.corrupt.items():
                    assert len(old) == len(new)  # Content-Length was already sent
                    body = body.replace(old, new)
                self.bodies.append(body)
                message = {**message, "body": body}
            await send(message)

        await self.app(scope, receive, tapped)

    def issued_tokens(self) -> set[str]:
        """Access tokens the emulator handed out (Zoho `access_token`, Fxiaoke
        `corpAccessToken`)."""
        found: set[str] = set()
        for body in self.bodies:
            if b"access_token" not in body and b"corpAccessToken" not in body:
                continue
            try:
                data = json.loads(body)
            except ValueError:
                continue
            if isinstance(data, dict):
                for key in ("access_token", "corpAccessToken"):
                    if isinstance(data.get(key), str):
                        found.add(data[key])
        return found


@dataclass
class Loopback:
    zoho: ZohoEmulator
    fxiaoke: FxiaokeEmulator
    taps: dict[str, BodyTap]
    config: Path
    secrets: dict[str, str]  # env name -> the secret value the run uses


def seed_row(
    emulator: ZohoEmulator | FxiaokeEmulator,
    module: str,
    number: int,
    changes: Mapping[str, Any],
) -> str:
    """Store a copy of the module's first record with `changes` (a value None removes the
    field) under a new id; returns the id. Nothing checks the values: that is the point."""
    store = emulator.modules[module]
    template = min(store.rows.values(), key=lambda r: (r.created, r.id))
    row_id = template.id[:-6] + f"9{number:05d}"
    assert row_id not in store
    fields = {k: v for k, v in {**template.fields, **changes}.items() if v is not None}
    with emulator.lock:
        # created later than the template, so the template stays the first record
        store.put(Row(row_id, template.created + number, template.modified + number * 1000, fields))
    return row_id


@contextmanager
def loopback(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    customers: int = 20,
    corrupt: dict[bytes, bytes] | None = None,
) -> Iterator[Loopback]:
    """Emulators seeded with a small world, served on loopback; the environment names the
    config, the database and the secrets, and $CRMHUB_HOME is a folder of `tmp_path`."""
    world = generate_world(
        WorldSpec(
            customers=customers, contacts=customers // 2, opportunities=customers // 2, seed=4
        )
    )
    zoho, fxiaoke = ZohoEmulator.from_world(world), FxiaokeEmulator.from_world(world)
    secrets = credentials_env("T", {"zoho": zoho, "fxiaoke": fxiaoke})
    for name, value in {**secrets, "CRMHUB_DATABASE_URL": database_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CRMHUB_HOME", str(tmp_path / "home"))
    taps = {"zoho": BodyTap(zoho, dict(corrupt or {})), "fxiaoke": BodyTap(fxiaoke)}
    with ExitStack() as stack:
        zoho_url = stack.enter_context(running(taps["zoho"]))
        fx_url = stack.enter_context(running(taps["fxiaoke"]))
        config = tmp_path / "crmhub.yaml"
        urls = {"zoho": zoho_url, "fxiaoke": fx_url}
        user = fxiaoke.credentials()["currentOpenUserId"]
        crms = connections("T", urls, MAPS, fxiaoke_user=user)
        config.write_text(config_text({"connections": crms}))
        monkeypatch.setenv("CRMHUB_CONFIG", str(config))
        yield Loopback(zoho, fxiaoke, taps, config, secrets)
