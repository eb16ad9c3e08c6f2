"""The writer loop: hold partition leases, consume their queues, write in lanes, acknowledge.

One writer at a time consumes a partition (a lease in the database, renewed while it runs; a
killed writer's partitions pass to another writer when its leases run out). The loop hands each
message to its connection's lane (`workers.lanes`), which writes it in a batch with others of
that connection, so a slow CRM does not hold a fast one back; the writes of one entity in one
connection still go one at a time (the relay publishes them so, and one lane writes them).
Messages are acknowledged only after the batch's results are committed. The loop also runs the
outbox relay when it holds the `relay` lease. A stop request (SIGTERM) is honoured between
batches: each lane finishes the batch in hand, messages taken but not yet handled are handed
back to the broker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from queue import Empty, SimpleQueue
from typing import Any

import sqlalchemy as sa
from kombu import Consumer

from core.store import OutboxItem, Store
from core.store.base import utcnow
from workers.broker import PARTITIONS, Broker, BrokerTarget
from workers.budget import WriteBudgets
from workers.lanes import FinishedBatch, Lane
from workers.leases import LeaseKeeper, holder_name
from workers.relay import LIVE, RelayCounts, relay_once
from workers.writer import MAX_BATCH, BatchCounts, Writer

__all__ = ["LoopSettings", "WriterLoop", "waiting_items"]

log = logging.getLogger("crmhub.worker")

# how long the loop waits for messages before it renews leases, relays and acknowledges
TAKE_SLICE_S = 0.05


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
        self._finished: SimpleQueue[FinishedBatch] = SimpleQueue()
        self._lanes: dict[str, Lane] = {}

    def run(self, stop: threading.Event | None = None) -> BatchCounts:
        """Write until `stop` is set (or, with `until_idle`, until nothing is left)."""
        stop = stop or threading.Event()
        held: set[int] = set()
        relay_mine = False
        consumer: Any = None
        renew_every = self.settings.lease_ttl_s / 3
        last_lease = last_relay = last_idle = -1e9
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
                            consumer = self._consume(broker, consumer, wanted)
                            held = wanted
                    if relay_mine and now - last_relay >= self.settings.relay_interval_s:
                        last_relay = now
                        self._relay(broker)
                    self._take(broker, bool(held))
                    self._acknowledge()
                    # counting what is left reads the outbox: at most once every batch_wait_s
                    if (
                        self.settings.until_idle
                        and now - last_idle >= self.settings.batch_wait_s
                        and self._lanes_idle()
                    ):
                        last_idle = now
                        if self._idle():
                            break
            finally:
                self._close_lanes()
                if consumer is not None:
                    consumer.cancel()
                for partition in held:
                    self.leases.release(f"partition:{partition}")
                if relay_mine:
                    self.leases.release("relay")
        return self.totals

    def _consume(self, broker: Broker, consumer: Any, partitions: set[int]) -> Any:
        if consumer is not None:
            consumer.cancel()
        if not partitions:
            return None
        consumer = Consumer(
            broker.connection.default_channel,
            broker.queues(sorted(partitions)),
            callbacks=[self._dispatch],
            accept=["json"],
        )
        # no cap here: a cap shared by every lane fills with the slow connection's messages and
        # starves the others; the relay keeps each connection's writes on their way under
        # `max_in_flight`, which bounds what is taken
        consumer.qos(prefetch_count=0)
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

    def _take(self, broker: Broker, consuming: bool) -> None:
        """Hand the messages that come within a short slice to their connections' lanes."""
        deadline = time.monotonic() + TAKE_SLICE_S
        while (remaining := deadline - time.monotonic()) > 0:
            if not consuming:
                time.sleep(remaining)
                return
            try:
                broker.connection.drain_events(timeout=remaining)
            except TimeoutError:
                return

    def _dispatch(self, body: dict[str, Any], message: Any) -> None:
        connection = str(body.get("connection", ""))
        lane = self._lanes.get(connection)
        if lane is None:
            lane = self._lanes[connection] = Lane(
                connection,
                self.writer.write,
                self._finished,
                batch_size=self.settings.batch_size,
                batch_wait_s=self.settings.batch_wait_s,
            )
        lane.take(body, message)

    def _acknowledge(self) -> None:
        """Acknowledge the batches the lanes finished (their results are committed); a lane's
        failure stops the loop: its messages go back to the broker and the error is raised."""
        while True:
            try:
                done = self._finished.get_nowait()
            except Empty:
                return
            if done.error is not None:
                for _, message in done.messages:
                    message.requeue()
                raise done.error
            for _, message in done.messages:
                message.ack()
            assert done.counts is not None
            self.totals.add(done.counts)
            self.on_batch(done.counts)

    def _lanes_idle(self) -> bool:
        return all(lane.idle for lane in self._lanes.values()) and self._finished.empty()

    def _close_lanes(self) -> None:
        """Each lane finishes the batch in hand; what they took and did not handle goes back."""
        lanes, self._lanes = list(self._lanes.values()), {}
        for lane in lanes:
            for _, message in lane.close():
                message.requeue()
        self._acknowledge()

    def _idle(self) -> bool:
        """Nothing left that may be written now (what the budget holds back waits for later)."""
        waiting = waiting_items(self.store, timedelta(seconds=self.settings.retry_horizon_s))
        return waiting <= sum(self.relayed.held.values())
