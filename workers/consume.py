"""The writer loop: hold partition leases, consume their queues in batches, write, acknowledge.

One writer at a time consumes a partition (a lease in the database, renewed while it runs; a
killed writer's partitions pass to another writer when its leases run out), so the messages of
one partition are handled one batch after another. Messages are acknowledged only after the
batch's results are committed. The loop also runs the outbox relay when it holds the `relay`
lease. A stop request (SIGTERM) is honoured between batches: the batch in hand is finished,
messages taken but not yet handled are handed back to the broker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from kombu import Consumer

from core.store import OutboxItem, Store
from core.store.base import utcnow
from workers.broker import PARTITIONS, Broker, BrokerTarget
from workers.budget import WriteBudgets
from workers.leases import LeaseKeeper, holder_name
from workers.relay import LIVE, RelayCounts, relay_once
from workers.writer import MAX_BATCH, BatchCounts, Writer

__all__ = ["LoopSettings", "WriterLoop", "waiting_items"]

log = logging.getLogger("crmhub.worker")


@dataclass(frozen=True)
class LoopSettings:
    partitions: Sequence[int] = tuple(range(PARTITIONS))
    batch_size: int = MAX_BATCH
    batch_wait_s: float = 0.25
    relay: bool = True  # run the relay too (when this process holds the `relay` lease)
    relay_interval_s: float = 0.5
    republish_after_s: float = 120.0
    max_in_flight: int = 1000
    lease_ttl_s: float = 60.0
    # stop once nothing is left to write (items waiting longer than this for a retry excepted)
    until_idle: bool = False
    retry_horizon_s: float = 30.0


def waiting_items(store: Store, horizon: timedelta = timedelta(0)) -> int:
    """Outbox items still on their way that are due within `horizon`."""
    limit = utcnow() + horizon
    with store.transaction() as session:
        return int(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxItem)
                .where(
                    OutboxItem.status.in_(LIVE),
                    OutboxItem.not_before.is_(None) | (OutboxItem.not_before <= limit),
                )
            )
            or 0
        )


@dataclass
class _Buffer:
    messages: list[tuple[dict[str, Any], Any]] = field(default_factory=list)

    def take(self, body: dict[str, Any], message: Any) -> None:
        self.messages.append((body, message))


class WriterLoop:
    def __init__(
        self,
        store: Store,
        target: BrokerTarget,
        writer: Writer,
        settings: LoopSettings,
        *,
        budgets: WriteBudgets | None = None,
        holder: str | None = None,
        on_batch: Callable[[BatchCounts], None] = lambda counts: None,
    ) -> None:
        self.store = store
        self.target = target
        self.writer = writer
        self.settings = settings
        self.budgets = budgets
        self.leases = LeaseKeeper(
            store, holder or holder_name("writer"), timedelta(seconds=settings.lease_ttl_s)
        )
        self.on_batch = on_batch
        self.totals = BatchCounts()
        self.relayed = RelayCounts()

    def run(self, stop: threading.Event | None = None) -> BatchCounts:
        """Write until `stop` is set (or, with `until_idle`, until nothing is left)."""
        stop = stop or threading.Event()
        buffer = _Buffer()
        held: set[int] = set()
        relay_mine = False
        consumer: Any = None
        renew_every = self.settings.lease_ttl_s / 3
        last_lease = last_relay = -1e9
        with Broker(self.target) as broker:
            try:
                while not stop.is_set():
                    now = time.monotonic()
                    if now - last_lease >= renew_every:
                        last_lease = now
                        wanted = {
                            p
                            for p in self.settings.partitions
                            if self.leases.acquire(f"partition:{p}")
                        }
                        relay_mine = self.settings.relay and self.leases.acquire("relay")
                        if wanted != held:
                            consumer = self._consume(broker, consumer, wanted, buffer)
                            held = wanted
                    if relay_mine and now - last_relay >= self.settings.relay_interval_s:
                        last_relay = now
                        self._relay(broker)
                    self._fill(broker, buffer, bool(held))
                    if buffer.messages:
                        self._write(buffer)
                    elif self.settings.until_idle and self._idle():
                        break
            finally:
                for _, message in buffer.messages:
                    message.requeue()  # taken, not handled: back to the broker
                if consumer is not None:
                    consumer.cancel()
                for partition in held:
                    self.leases.release(f"partition:{partition}")
                if relay_mine:
                    self.leases.release("relay")
        return self.totals

    def _consume(self, broker: Broker, consumer: Any, partitions: set[int], buffer: _Buffer) -> Any:
        if consumer is not None:
            consumer.cancel()
        if not partitions:
            return None
        consumer = Consumer(
            broker.connection.default_channel,
            broker.queues(sorted(partitions)),
            callbacks=[buffer.take],
            accept=["json"],
        )
        consumer.qos(prefetch_count=self.settings.batch_size * 2)
        consumer.consume()
        return consumer

    def _relay(self, broker: Broker) -> None:
        counts = relay_once(
            self.store,
            broker,
            republish_after=timedelta(seconds=self.settings.republish_after_s),
            budgets=self.budgets,
            max_in_flight=self.settings.max_in_flight,
        )
        self.relayed.published += counts.published
        self.relayed.republished += counts.republished
        self.relayed.held = dict(counts.held)  # as of the last pass

    def _fill(self, broker: Broker, buffer: _Buffer, consuming: bool) -> None:
        """Wait up to `batch_wait_s` for a full batch."""
        deadline = time.monotonic() + self.settings.batch_wait_s
        while len(buffer.messages) < self.settings.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if not consuming:
                time.sleep(remaining)
                return
            try:
                broker.connection.drain_events(timeout=remaining)
            except TimeoutError:
                return

    def _write(self, buffer: _Buffer) -> None:
        batch, buffer.messages = buffer.messages, []
        counts = self.writer.write([int(body["outbox_id"]) for body, _ in batch])
        for _, message in batch:
            message.ack()
        self.totals.add(counts)
        self.on_batch(counts)

    def _idle(self) -> bool:
        """Nothing left that may be written now (what the budget holds back waits for later)."""
        waiting = waiting_items(self.store, timedelta(seconds=self.settings.retry_horizon_s))
        return waiting <= sum(self.relayed.held.values())
