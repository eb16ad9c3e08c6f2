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

from connectors.emulator.serve import running
from connectors.emulator.store import Row
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.zoho.emulator import ZohoEmulator

__all__ = ["BodyTap", "Loopback", "loopback", "seed_row"]

MAPS = Path(__file__).resolve().parents[3] / "config" / "mappings"

CONFIG = """
connections:
  zoho:
    type: zoho
    base_url: {zoho}
    mapping: {maps}/zoho.yaml
    credentials:
      client_id: env:T_ZOHO_ID
      client_secret: env:T_ZOHO_SECRET
      refresh_token: env:T_ZOHO_REFRESH
  fxiaoke:
    type: fxiaoke
    base_url: {fxiaoke}
    mapping: {maps}/fxiaoke.yaml
    credentials:
      app_id: env:T_FX_ID
      app_secret: env:T_FX_SECRET
      permanent_code: env:T_FX_CODE
    options:
      current_open_user_id: {user}
"""


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
    zc, fc = zoho.credentials(), fxiaoke.credentials()
    secrets = {
        "T_ZOHO_ID": zc["client_id"],
        "T_ZOHO_SECRET": zc["client_secret"],
        "T_ZOHO_REFRESH": zc["refresh_token"],
        "T_FX_ID": fc["appId"],
        "T_FX_SECRET": fc["appSecret"],
        "T_FX_CODE": fc["permanentCode"],
    }
    for name, value in {**secrets, "CRMHUB_DATABASE_URL": database_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CRMHUB_HOME", str(tmp_path / "home"))
    taps = {"zoho": BodyTap(zoho, dict(corrupt or {})), "fxiaoke": BodyTap(fxiaoke)}
    with ExitStack() as stack:
        zoho_url = stack.enter_context(running(taps["zoho"]))
        fx_url = stack.enter_context(running(taps["fxiaoke"]))
        config = tmp_path / "crmhub.yaml"
        config.write_text(
            CONFIG.format(zoho=zoho_url, fxiaoke=fx_url, user=fc["currentOpenUserId"], maps=MAPS)
        )
        monkeypatch.setenv("CRMHUB_CONFIG", str(config))
        yield Loopback(zoho, fxiaoke, taps, config, secrets)
