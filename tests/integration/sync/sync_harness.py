"""Emulated CRMs over real HTTP, connectors on the emulators' clocks, and a sync between them.

`SyncWorld.cycle()` is one scheduled run: the CRMs' clocks move on (so edits lie in finished
seconds), a sync cycle pulls and plans, and the outbox is drained through the connectors.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from connectors.emulator.people import ADMIN_EMAIL
from connectors.emulator.serve import running
from connectors.emulator.world import World
from connectors.fxiaoke import FxiaokeConnector, FxiaokeSettings
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.http import BudgetSettings, ClientSettings, RetryPolicy
from connectors.protocol import Connector
from connectors.zoho import ZohoConnector, ZohoSettings
from connectors.zoho.emulator import ZohoEmulator
from core.assignment import AssignmentConfig, AssignmentPolicy, OwnerDirectory
from core.config.policies import PoliciesConfig
from core.store import AuditEntry, Conflict, Entity, Link, OutboxItem, Store
from core.sync.context import ConnectionSync, SyncContext
from core.sync.cycle import CycleReport, plan_and_commit, run_cycle
from core.sync.drain import DrainReport, drain_outbox
from core.sync.hub import Refs, hub_fields, target_record
from core.sync.links import find_link
from core.sync.values import get_path, same, set_path
from mapping.maps import Mapper, MappingContext, RecordMappingError, load_map
from mapping.model import EntityKind

MAPS = Path(__file__).resolve().parents[3] / "config" / "mappings"
FAST = ClientSettings(
    retry=RetryPolicy(attempts=4, initial_wait=0.0, jitter=0.0),
    budget=BudgetSettings(concurrency=5),  # the emulators' limits are raised to match
)
MODULES = {
    "zoho": {"customer": "Accounts", "contact": "Contacts", "opportunity": "Deals"},
    "fxiaoke": {
        "customer": "AccountObj",
        "contact": "ContactObj",
        "opportunity": "NewOpportunityObj",
    },
}
# Fxiaoke needs a sales process on every new opportunity and the map does not write one yet
POLICIES = {
    "targets": {
        "fxiaoke": {"create": ["customer", "contact"]},
        **{
            name: {
                "defaults": {"opportunity": {"pipeline": "Standard (Standard)"}},
                "create_modes": {"opportunity": "insert_only"},
            }
            for name in ("zoho", "zoho_b")
        },
    }
}
ASSIGNMENT = {
    "unowned_users": [ADMIN_EMAIL],
    "disputes": {"policy": "source_priority", "sources": ["zoho", "fxiaoke", "zoho_b"]},
    "rules": [{"id": "pool", "strategy": "pool"}],
}


@dataclass
class Crm:
    name: str
    type: str
    emulator: Any
    url: str
    connector: Connector

    def module(self, kind: str) -> str:
        return MODULES[self.type][kind]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.emulator.clock.now(), UTC)

    def edit(self, kind: str, remote_id: str, changes: dict[str, Any]) -> None:
        """A user's edit in the CRM (modified time moves, like any change made there)."""
        with self.emulator.lock:
            self.emulator.automation(self.module(kind), [remote_id], changes, True)

    def rows(self, kind: str) -> dict[str, dict[str, Any]]:
        """Live records as the API shows them to an administrator."""
        module = self.module(kind)
        with self.emulator.lock:
            store = self.emulator.modules[module]
            return {
                r.id: self.emulator.render(module, r)
                for r in store.rows.values()
                if r.fields.get("life_status") != "invalid"
            }


def _mapper(name: str, type_: str) -> Mapper:
    connector_map = load_map(MAPS / f"{type_}.yaml")
    return Mapper(
        connector_map, MappingContext(name, "CN", "Asia/Shanghai", connector_map.default_currency)
    )


def _connector(name: str, type_: str, emulator: Any, url: str) -> Connector:
    now = lambda: datetime.fromtimestamp(emulator.clock.now(), UTC)  # noqa: E731
    creds = emulator.credentials()
    if type_ == "zoho":
        return ZohoConnector(
            name,
            ZohoSettings(
                client_id=SecretStr(creds["client_id"]),
                client_secret=SecretStr(creds["client_secret"]),
                refresh_token=SecretStr(creds["refresh_token"]),
                base_url=url,
                overlap_seconds=60,
                client=FAST,
            ),
            now=now,
        )
    return FxiaokeConnector(
        name,
        FxiaokeSettings(
            app_id=SecretStr(creds["appId"]),
            app_secret=SecretStr(creds["appSecret"]),
            permanent_code=SecretStr(creds["permanentCode"]),
            current_open_user_id=creds["currentOpenUserId"],
            base_url=url,
            overlap_seconds=60,
            client=FAST,
        ),
        now=now,
    )


@dataclass
class SyncWorld:
    store: Store
    ctx: SyncContext
    crms: dict[str, Crm]
    history: list[tuple[CycleReport, DrainReport]] = field(default_factory=list)

    @property
    def connectors(self) -> dict[str, Connector]:
        return {name: crm.connector for name, crm in self.crms.items()}

    def cycle(self) -> tuple[CycleReport, DrainReport]:
        for crm in self.crms.values():
            crm.emulator.clock.advance(2)  # edits so far lie in finished seconds
        report = run_cycle(self.store, self.ctx, self.connectors)
        drained = drain_outbox(
            self.store,
            self.connectors,
            replan=lambda: plan_and_commit(self.store, self.ctx)[1].queued,
        )
        self.history.append((report, drained))
        return report, drained

    def settle(self, max_cycles: int = 6) -> list[int]:
        """Cycles until one pushes nothing; the writes of each."""
        writes = []
        for _ in range(max_cycles):
            _, drained = self.cycle()
            writes.append(drained.pushed)
            if drained.pushed == 0:
                break
        return writes

    def remote_ids(self, entity_id: Any, connection: str) -> list[str]:
        with self.store.transaction() as session:
            return list(
                session.scalars(
                    sa.select(Link.remote_id).where(
                        Link.entity_id == entity_id,
                        Link.connection == connection,
                        Link.status == "active",
                    )
                )
            )

    def entities(self, kind: str) -> list[Entity]:
        with self.store.transaction() as session:
            rows = list(
                session.scalars(
                    sa.select(Entity).where(Entity.kind == kind, Entity.status == "active")
                )
            )
            session.expunge_all()
        return rows

    def pending(self) -> int:
        with self.store.transaction() as session:
            return (
                session.scalar(
                    sa.select(sa.func.count())
                    .select_from(OutboxItem)
                    .where(OutboxItem.status.in_(["pending", "published"]))
                )
                or 0
            )


def _raise_limits(emulator: Any) -> None:
    if isinstance(emulator, FxiaokeEmulator):
        emulator.set_limits(endpoint_calls=100_000, token_calls_per_min=1000)


@contextlib.contextmanager
def sync_world(
    store: Store,
    world: World,
    *,
    extra_zoho: bool = False,
    policies: dict[str, Any] | None = None,
    assignment: dict[str, Any] | None = None,
) -> Iterator[SyncWorld]:
    """Zoho and Fxiaoke holding `world` (and an empty second Zoho as `zoho_b`), served over
    HTTP on loopback, with a sync context over them."""
    emulators: list[tuple[str, str, Any]] = [
        ("zoho", "zoho", ZohoEmulator.from_world(world)),
        ("fxiaoke", "fxiaoke", FxiaokeEmulator.from_world(world)),
    ]
    if extra_zoho:
        emulators.append(("zoho_b", "zoho", ZohoEmulator(seed=world.spec.seed + 1000)))
    for _, _, emulator in emulators:
        _raise_limits(emulator)
        emulator.clock.advance(2)
    with contextlib.ExitStack() as stack:
        crms: dict[str, Crm] = {}
        for name, type_, emulator in emulators:
            url = stack.enter_context(running(emulator))
            connector = _connector(name, type_, emulator, url)
            stack.callback(connector.close)
            crms[name] = Crm(name, type_, emulator, url, connector)
        config = PoliciesConfig.model_validate(POLICIES if policies is None else policies)
        ctx = SyncContext(
            connections={
                name: ConnectionSync(name, _mapper(name, crm.type), config.target(name))
                for name, crm in crms.items()
            },
            policies=config,
            assignment=AssignmentPolicy.from_config(
                AssignmentConfig.model_validate(ASSIGNMENT if assignment is None else assignment)
            ),
        )
        yield SyncWorld(store, ctx, crms)


def names(records: Sequence[dict[str, Any]], field_name: str) -> list[str]:
    return sorted(str(r.get(field_name)) for r in records)


def disagreements(sw: SyncWorld) -> list[str]:
    """Fields where a CRM's live record differs from the golden record (open conflicts aside),
    and live records nobody linked: empty when every CRM agrees with the hub."""
    problems: list[str] = []
    with sw.store.transaction() as session:
        refs = Refs(session)
        directory = OwnerDirectory.load(session)
        waiting = {
            (entity_id, path)
            for entity_id, path in session.execute(
                sa.select(Conflict.entity_id, Conflict.field).where(Conflict.status == "open")
            )
        }
        for name, crm in sw.crms.items():
            conn = sw.ctx.connections[name]
            assert conn.mapper is not None
            for kind in ("customer", "contact", "opportunity"):
                space = conn.space(kind)
                assert space is not None
                for remote_id, row in crm.rows(kind).items():
                    link = find_link(session, name, kind, remote_id)
                    entity = session.get(Entity, link.entity_id) if link is not None else None
                    if entity is None or entity.status != "active":
                        problems.append(f"{name} {kind} {remote_id}: not linked to a live entity")
                        continue
                    try:
                        mapped = conn.mapper.pull(kind, row, remote_id=remote_id)
                    except RecordMappingError:
                        continue  # quarantined: not synced
                    have = _view(space, mapped.model_dump(mode="json"), name, refs)
                    target, unresolved = target_record(
                        entity.data, entity.owner_id, name, refs, directory
                    )
                    for path, value in conn.target.defaults.get(EntityKind(kind), {}).items():
                        if get_path(target, path) is None:
                            target = set_path(target, path, value)
                    want = _view(space, target, name, refs)
                    for path in sorted(set(have) | set(want)):
                        if not space.writes(path) or (entity.id, path) in waiting:
                            continue
                        if path in unresolved:  # its record is not (or no longer) in this CRM
                            continue
                        if not same(have.get(path), want.get(path)):
                            problems.append(
                                f"{name} {kind} {remote_id} {path}: "
                                f"{have.get(path)!r} != golden {want.get(path)!r}"
                            )
    return problems


def _view(space: Any, record: dict[str, Any], connection: str, refs: Refs) -> dict[str, Any]:
    return {
        p: space.cut(p, v)
        for p, v in hub_fields(record, connection, refs).items()
        if space.holds(p)
    }


def duplicates(sw: SyncWorld) -> list[str]:
    """Entities held twice in one CRM where crmhub made one of the copies."""
    found = []
    with sw.store.transaction() as session:
        made = {
            (row.after["connection"], row.after["remote_id"])
            for row in session.scalars(
                sa.select(AuditEntry).where(AuditEntry.action == "link.created")
            )
            if row.actor == "writer"
        }
        rows = session.execute(
            sa.select(Link.entity_id, Link.connection, sa.func.count())
            .where(Link.status == "active")
            .group_by(Link.entity_id, Link.connection)
            .having(sa.func.count() > 1)
        ).all()
        for entity_id, connection, count in rows:
            links = session.scalars(
                sa.select(Link).where(Link.entity_id == entity_id, Link.connection == connection)
            ).all()
            if any((connection, link.remote_id) in made for link in links):
                found.append(f"{entity_id} has {count} records in {connection}")
    return found


# fields a test edits, canonical path -> the CRM's own field (plain values both ways)
EDITABLE = {
    "zoho": {
        "customer": {"address.city": "Billing_City", "custom.description": "Description"},
        "contact": {"title": "Title", "custom.department": "Department"},
        "opportunity": {"probability": "Probability"},
    },
    "fxiaoke": {
        "customer": {"address.city": "city", "custom.description": "remark"},
        "contact": {"title": "job_title", "custom.department": "department"},
        "opportunity": {"probability": "probability"},
    },
}


def edit(crm: Crm, kind: str, remote_id: str, path: str, value: Any) -> None:
    """A user's edit of a canonical field in `crm`'s own terms."""
    crm.edit(kind, remote_id, {EDITABLE[crm.type][kind][path]: value})
