"""Building the workers' parts from a loaded config: broker target, connectors, budgets,
writer and loop settings. The CLI commands (`worker`, `sync`, `demo`) and tests share it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connectors.connect import open_connector
from connectors.protocol import Connector
from core.config import LoadedConfig
from core.config.workers import WorkersConfig
from core.store import Store
from workers.broker import PARTITIONS, BrokerTarget, broker_target
from workers.budget import WriteBudgets
from workers.consume import LoopSettings
from workers.failpoints import Failpoints
from workers.writer import ConnectorPool, Writer

__all__ = ["UnknownConnectionError", "WorkerParts", "parse_partitions", "worker_parts"]


class UnknownConnectionError(LookupError):
    pass


def workers_config(config: LoadedConfig) -> WorkersConfig:
    section = config.sections.get("workers")
    return section if isinstance(section, WorkersConfig) else WorkersConfig()


def parse_partitions(text: str) -> list[int]:
    """`all`, `3`, `0-7` or `0,2,5-6` -> partition numbers; ValueError names what is wrong."""
    if text.strip() == "all":
        return list(range(PARTITIONS))
    chosen: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, _, high = part.partition("-")
        first, last = int(low), int(high or low)
        if not 0 <= first <= last < PARTITIONS:
            raise ValueError(f"partition {part!r} is outside 0-{PARTITIONS - 1}")
        chosen.update(range(first, last + 1))
    return sorted(chosen)


@dataclass
class WorkerParts:
    settings: WorkersConfig
    target: BrokerTarget
    connectors: ConnectorPool
    budgets: WriteBudgets
    writer: Writer

    def loop_settings(
        self, partitions: Sequence[int] | None = None, *, until_idle: bool = False, **more: object
    ) -> LoopSettings:
        options: dict[str, object] = {
            "batch_size": self.settings.batch_size,
            "batch_wait_s": self.settings.batch_wait_s,
            "relay_interval_s": self.settings.relay_interval_s,
            "republish_after_s": self.settings.republish_after_s,
            "max_in_flight": self.settings.max_in_flight,
            "lease_ttl_s": self.settings.lease_ttl_s,
            "until_idle": until_idle,
            **more,
        }
        if partitions is not None:
            options["partitions"] = tuple(partitions)
        return LoopSettings(**options)  # type: ignore[arg-type]

    def close(self) -> None:
        self.connectors.close()


def worker_parts(
    config: LoadedConfig, store: Store, *, failpoints: Failpoints | None = None
) -> WorkerParts:
    settings = workers_config(config)
    connections = config.hub.connections

    def opener(name: str) -> Connector:
        if name not in connections:
            raise UnknownConnectionError(f"connection {name!r} is not in the config")
        return open_connector(name, connections[name])

    pool = ConnectorPool(opener)
    budgets = WriteBudgets(store, settings.budgets, urgent_priority=settings.urgent_priority)
    writer = Writer(store, pool, budgets=budgets, failpoints=failpoints)
    return WorkerParts(settings, broker_target(config.hub.broker.url), pool, budgets, writer)
