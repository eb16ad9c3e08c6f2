"""The message broker between the outbox relay and the writers, over kombu.

Writes travel on `PARTITIONS` queues; an outbox item's `partition` (a stable hash of its entity
id, set by the planner) names its queue, and one writer at a time consumes a partition, so the
writes of one entity are handled in order. A message carries only the outbox item's id: the
outbox table is the source of truth, the broker a doorbell. A lost message is republished by the
relay; a repeated one finds its item done and changes nothing.

Backends, by URL (`$CRMHUB_BROKER_URL`, else `broker.url` in the config):
- none / `filesystem://` (the embedded default, no service): kombu's filesystem transport with
  every file (messages and exchange metadata) under `$CRMHUB_HOME/broker/` (or the folder a
  `filesystem:///path` URL names). Measured with kombu
  5.7 on this project's machine it moves about 9x more messages a second than the SQLAlchemy
  transport on SQLite (`benchmarks/broker.py`).
- `redis://host:port/db`: Redis (install the `redis` extra); `$CRMHUB_BROKER_PREFIX` keeps a
  hub's keys apart when several share one Redis.
- `amqp://user:pass@host//`: RabbitMQ.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

from kombu import Connection, Exchange, Producer, Queue
from kombu.transport import filesystem, virtual
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

from core.store.engine import DEFAULT_HOME

__all__ = [
    "PARTITIONS",
    "Broker",
    "BrokerTarget",
    "BrokerUnavailableError",
    "WriteMessage",
    "broker_target",
    "queue_name",
]

# fixed: the planner stores hash(entity_id) % PARTITIONS with each outbox item
PARTITIONS = 16
EXCHANGE = Exchange("crmhub.writes", type="direct", durable=True)


def queue_name(partition: int) -> str:
    # no dots: the filesystem transport finds a queue's files by the text after the first dot
    return f"crmhub-writes-{partition:02d}"


def _queue(partition: int) -> Queue:
    name = queue_name(partition)
    return Queue(name, EXCHANGE, routing_key=name, durable=True)


class FolderChannel(filesystem.Channel):  # type: ignore[misc]
    """kombu's filesystem channel, taking a queue's next message from a listing of the folder
    made at most `LISTING_TTL_S` ago.

    kombu lists and sorts the whole folder for every message it takes, and for every queue it
    polls and finds empty, then walks the listing popping from its front: a writer consuming
    16 partitions with a first sync's thousand writes in flight spent 40 % of its time there
    (the 100k e2e run, py-spy). One listing, split by queue, serves every queue for a moment;
    a file another consumer took meanwhile fails to move and is skipped, as in kombu, and a
    file published since is seen at the next listing, no later than kombu's polling interval.
    """

    LISTING_TTL_S = 0.05

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting: dict[str, deque[str]] = {}
        self._listed_at = -1e9

    def _get(self, queue: str) -> Any:
        if time.monotonic() - self._listed_at > self.LISTING_TTL_S:
            self._list()
        waiting = self._waiting.get(queue)
        while waiting:
            payload = self._take(waiting.popleft())
            if payload is not None:
                return loads(bytes_to_str(payload))
        raise Empty()

    def _list(self) -> None:
        by_queue: dict[str, deque[str]] = defaultdict(deque)
        # names start with the publishing time in ms: sorted is oldest first, as in kombu
        for name in sorted(os.listdir(self.data_folder_in)):
            queue, dot, suffix = name.partition(".")[2].rpartition(".")
            if dot and suffix == "msg":
                by_queue[queue].append(name)
        self._waiting, self._listed_at = by_queue, time.monotonic()

    def _take(self, name: str) -> bytes | None:
        """The file's content, moved out of the queue first (None: another consumer has it)."""
        taken = os.path.join(self.processed_folder, name)
        try:
            os.replace(os.path.join(self.data_folder_in, name), taken)
        except OSError:
            return None
        try:
            with open(taken, "rb") as file:
                return file.read()
        finally:
            os.remove(taken)


class FolderTransport(filesystem.Transport):  # type: ignore[misc]
    """kombu's filesystem transport with its routing state per connection, not per process,
    and a channel that lists the folder once for many messages (`FolderChannel`).

    kombu keeps the filesystem transport's bindings in one process-wide object and skips
    writing a binding it has seen, so a process that opens a second broker folder (a test, a
    demo after another) would route into nothing. The bindings live in the folder's exchange
    file anyway; each connection re-declares them there."""

    Channel = FolderChannel

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.state = virtual.BrokerState()


class BrokerUnavailableError(RuntimeError):
    """The broker could not be reached (the message names it, without its password)."""


@dataclass(frozen=True)
class BrokerTarget:
    url: str
    transport_options: dict[str, Any] = field(default_factory=dict)
    embedded: bool = False

    @property
    def display(self) -> str:
        """The URL without its password, for messages and logs."""
        if self.embedded:
            return f"embedded ({Path(self.transport_options['control_folder']).parent})"
        return str(Connection(self.url).as_uri())


def broker_target(configured: str | None = None, home: Path | None = None) -> BrokerTarget:
    """Where messages go: $CRMHUB_BROKER_URL, else the configured URL, else the embedded one."""
    url = os.environ.get("CRMHUB_BROKER_URL") or configured
    if url and not url.startswith("filesystem:"):
        # several hubs (or test runs) may share one Redis: each keeps to its own key prefix
        prefix = os.environ.get("CRMHUB_BROKER_PREFIX")
        redis = url.startswith(("redis:", "rediss:"))
        return BrokerTarget(url, {"global_keyprefix": prefix} if prefix and redis else {})
    named = url.removeprefix("filesystem://") if url else ""
    root = (
        Path(named)
        if named
        else (home or Path(os.environ.get("CRMHUB_HOME", DEFAULT_HOME))) / "broker"
    )
    folders = {"data": root / "queues", "control": root / "control", "done": root / "processed"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(folders["data"]),
        "data_folder_out": str(folders["data"]),
        # without it kombu writes exchange tables to ./control of whatever directory we run in
        "control_folder": str(folders["control"]),
        "processed_folder": str(folders["done"]),
        # how often an idle consumer looks for new files (seconds)
        "polling_interval": 0.05,
    }
    return BrokerTarget("filesystem://", options, embedded=True)


@dataclass(frozen=True, slots=True)
class WriteMessage:
    """The doorbell for one outbox item."""

    outbox_id: int
    partition: int
    connection: str
    kind: str

    def body(self) -> dict[str, Any]:
        return {"outbox_id": self.outbox_id, "connection": self.connection, "kind": self.kind}


class Broker:
    """One connection to the broker. Not thread-safe: one per thread; close it when done."""

    def __init__(self, target: BrokerTarget, *, connect_retries: int = 2) -> None:
        self.target = target
        self.connection = Connection(
            target.url,
            transport=FolderTransport if target.embedded else None,
            transport_options=target.transport_options,
        )
        try:
            self.connection.ensure_connection(max_retries=connect_retries, interval_start=0.2)
            self._channel = self.connection.channel()
            self._producer = Producer(self._channel, exchange=EXCHANGE, serializer="json")
            for partition in range(PARTITIONS):
                _queue(partition).bind(self._channel).declare()
        except Exception as exc:
            self.connection.release()
            raise BrokerUnavailableError(
                f"broker {target.display} unreachable: {type(exc).__name__}: {exc}"
            ) from None

    def queues(self, partitions: Iterable[int]) -> list[Queue]:
        return [_queue(p) for p in partitions]

    def publish(self, messages: Iterable[WriteMessage]) -> int:
        """Publish each message to its partition's queue (persistent); returns how many."""
        sent = 0
        for message in messages:
            self._producer.publish(
                message.body(),
                routing_key=queue_name(message.partition),
                delivery_mode=2,
                retry=True,
                retry_policy={"max_retries": 3, "interval_start": 0.1},
            )
            sent += 1
        return sent

    def depths(self) -> dict[int, int]:
        """Messages waiting per partition (published, not yet taken by a writer)."""
        depths: dict[int, int] = {}
        for partition in range(PARTITIONS):
            declared = (
                _queue(partition).bind(self._channel).queue_declare()
            )  # idempotent; passive fails on an empty Redis list
            depths[partition] = int(declared.message_count) if declared else 0
        return depths

    def purge(self) -> None:
        for partition in range(PARTITIONS):
            _queue(partition).bind(self._channel).purge()

    def close(self) -> None:
        self._channel.close()
        self.connection.release()

    def __enter__(self) -> Broker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
