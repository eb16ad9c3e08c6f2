"""Planned writes for the worker tests, a Zoho emulator that records what it is sent, and the
config a `crmhub` subprocess needs to reach both (helpers in a uniquely named module)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from connectors.emulator.serve import running
from connectors.zoho.emulator import ZohoEmulator
from core.store import Entity, OutboxItem, Store
from workers.broker import PARTITIONS

ACCOUNTS = "/crm/v8/Accounts"


class WriteRecorder:
    """ASGI middleware in front of an emulator: keeps the JSON body of every Accounts write."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.bodies: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            await self.app(scope, receive, send)
            return
        if not scope["path"].startswith(ACCOUNTS):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        if raw:
            self.bodies.append(json.loads(raw))
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)

    def versions(self) -> dict[str, list[int]]:
        """Per account name, the versions (`Description: vN`) in the order they were sent."""
        seen: dict[str, list[int]] = defaultdict(list)
        for body in self.bodies:
            for record in body.get("data", []):
                name, text = record.get("Account_Name"), record.get("Description", "")
                if name and text.startswith("v"):
                    seen[name].append(int(text[1:]))
        return seen


@dataclass
class ServedZoho:
    emulator: ZohoEmulator
    recorder: WriteRecorder
    url: str
    admin: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.admin = httpx.Client(base_url=f"{self.url}/__admin", timeout=10)

    def faults(self, **plan: Any) -> None:
        assert self.admin.post("/faults", json=plan).status_code == 200

    def accounts(self) -> dict[str, list[dict[str, Any]]]:
        """Stored accounts by name (a name twice = a duplicate record)."""
        return self.records("Accounts", "Account_Name")

    def records(self, module: str, name_field: str) -> dict[str, list[dict[str, Any]]]:
        """Stored records of `module` by their `name_field`."""
        by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
        with self.emulator.lock:
            for row in self.emulator.modules[module].rows.values():
                by_name[row.fields.get(name_field, "")].append({"id": row.id, **row.fields})
        return by_name


@contextmanager
def served_zoho(seed: int = 5) -> Iterator[ServedZoho]:
    emulator = ZohoEmulator(seed=seed)
    recorder = WriteRecorder(emulator)
    with running(recorder) as url:
        served = ServedZoho(emulator, recorder, url)
        try:
            yield served
        finally:
            served.admin.close()


def partition_of(entity_id: uuid.UUID) -> int:
    return entity_id.int % PARTITIONS


def _write(
    entity: Entity, connection: str, operation: str, mode: str, payload: dict[str, Any], n: int
) -> OutboxItem:
    """The entity's `n`th planned write (its idempotency key says which)."""
    return OutboxItem(
        connection=connection,
        kind=entity.kind,
        entity_id=entity.id,
        operation=operation,
        mode=mode,
        payload=payload,
        partition=partition_of(entity.id),
        priority=0,
        idempotency_key=f"{entity.id.hex}:{n}",
    )


def plan_accounts(
    store: Store, count: int, versions: int = 3, *, connection: str = "zoho", tag: str = "acct"
) -> list[str]:
    """`count` customers, each with `versions` writes in order: a create (upsert on the name)
    and updates of `Description` (v1, v2, ...). Returns the account names."""
    names = []
    with store.transaction() as session:
        for n in range(count):
            name = f"{tag}-{n:04d} 有限公司"
            entity = Entity(kind="customer", data={"name": name})
            session.add(entity)
            session.flush()
            for v in range(1, versions + 1):
                payload = {"Account_Name": name, "Description": f"v{v}"}
                operation = "create" if v == 1 else "update"
                session.add(_write(entity, connection, operation, "upsert", payload, v))
            names.append(name)
    return names


def plan_deals(store: Store, count: int, *, tag: str = "deal") -> list[str]:
    """`count` opportunities, each one insert_only create: Zoho has no duplicate check that
    catches a Deal sent twice, so only crmhub can keep a repeated create from making two."""
    names = []
    with store.transaction() as session:
        for n in range(count):
            name = f"{tag}-{n:04d} 续约"
            entity = Entity(kind="opportunity", data={"name": name})
            session.add(entity)
            session.flush()
            payload = {"Deal_Name": name, "Stage": "Qualification", "Amount": 1000.0 + n,
                       "Pipeline": "Standard (Standard)"}  # fmt: skip
            session.add(_write(entity, "zoho", "create", "insert_only", payload, 1))
            names.append(name)
    return names


def outbox_statuses(store: Store) -> dict[str, int]:
    with store.transaction() as session:
        rows = session.execute(
            sa.select(OutboxItem.status, sa.func.count()).group_by(OutboxItem.status)
        )
        return {str(status): int(count) for status, count in rows}


ZOHO_CONFIG = """
connections:
  zoho:
    type: zoho
    base_url: {url}
{extra}    credentials:
      client_id: env:T_ZOHO_ID
      client_secret: env:T_ZOHO_SECRET
      refresh_token: env:T_ZOHO_REFRESH
    options:
      client:
        retry: {{attempts: 8, initial_wait: 0.0, jitter: 0.0}}
workers: workers.yaml
"""

WORKERS_YAML = """
batch_wait_s: {batch_wait}
republish_after_s: {republish}
relay_interval_s: 0.1
lease_ttl_s: {lease}
"""


def write_config(
    folder: Path,
    zoho: ServedZoho,
    *,
    republish: float = 1.5,
    lease: float = 5,
    batch_wait: float = 0.1,
    connection: dict[str, str] | None = None,
) -> dict[str, str]:
    """Config files for `zoho` in `folder` (`connection`: more keys of the connection, e.g. its
    schedule); returns the environment a subprocess needs."""
    extra = "".join(f"    {key}: {value}\n" for key, value in (connection or {}).items())
    (folder / "crmhub.yaml").write_text(ZOHO_CONFIG.format(url=zoho.url, extra=extra))
    (folder / "workers.yaml").write_text(
        WORKERS_YAML.format(republish=republish, lease=lease, batch_wait=batch_wait)
    )
    creds = zoho.emulator.credentials()
    return {
        "CRMHUB_CONFIG": str(folder / "crmhub.yaml"),
        "T_ZOHO_ID": creds["client_id"],
        "T_ZOHO_SECRET": creds["client_secret"],
        "T_ZOHO_REFRESH": creds["refresh_token"],
    }
