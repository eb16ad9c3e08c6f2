"""Write lanes: each connection's writes in a thread of their own, so a slow CRM does not pace
a fast one.

One batch used to carry the writes of every connection and took as long as its slowest part:
Fxiaoke takes one record a call (and, for real, 100 calls in 20 s), so in a first sync
Zoho, which takes 100 records a call, wrote at Fxiaoke's pace (the 100k e2e run: ~19 Zoho
writes/s beside ~20 Fxiaoke ones). A lane takes its connection's messages from the loop, fills
a batch (up to `batch_size`, waiting at most `batch_wait_s` after the oldest arrived) and
writes it; lanes of different connections run at the same time. The loop's thread alone
touches the broker: a lane hands its finished batches back and the loop acknowledges them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from workers.writer import BatchCounts

__all__ = ["FinishedBatch", "Lane"]

Message = tuple[dict[str, Any], Any]  # (body, kombu message)


@dataclass
class FinishedBatch:
    lane: str
    messages: list[Message]
    counts: BatchCounts | None
    error: BaseException | None = None


class Lane:
    """The writes of one connection, one batch after another, in a thread of its own."""

    def __init__(
        self,
        connection: str,
        write: Callable[[list[int]], BatchCounts],
        finished: SimpleQueue[FinishedBatch],
        *,
        batch_size: int,
        batch_wait_s: float,
    ) -> None:
        self.connection = connection
        self._write = write
        self._finished = finished
        self._batch_size = batch_size
        self._batch_wait_s = batch_wait_s
        self._waiting: deque[tuple[float, Message]] = deque()  # (arrived at, message)
        self._busy = False
        self._closing = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"lane-{connection}", daemon=True)
        self._thread.start()

    def take(self, body: dict[str, Any], message: Any) -> None:
        with self._changed:
            self._waiting.append((time.monotonic(), (body, message)))
            self._changed.notify()

    @property
    def idle(self) -> bool:
        """Nothing waiting and no batch in hand."""
        with self._changed:
            return not self._waiting and not self._busy

    def close(self) -> list[Message]:
        """Finish the batch in hand, then stop; returns the messages taken but not handled."""
        with self._changed:
            self._closing = True
            self._changed.notify()
        self._thread.join()
        left = [message for _, message in self._waiting]
        self._waiting.clear()
        return left

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                counts = self._write([int(body["outbox_id"]) for body, _ in batch])
            except BaseException as exc:  # handed to the loop, which stops and raises it
                self._finished.put(FinishedBatch(self.connection, batch, None, exc))
                with self._changed:
                    self._busy, self._closing = False, True
                return
            self._finished.put(FinishedBatch(self.connection, batch, counts))
            with self._changed:
                self._busy = False

    def _next_batch(self) -> list[Message] | None:
        """Up to `batch_size` messages once the batch is full or its oldest has waited
        `batch_wait_s`; None when the lane closes."""
        with self._changed:
            while True:
                if self._closing:
                    return None
                if self._waiting:
                    waited = time.monotonic() - self._waiting[0][0]
                    if len(self._waiting) >= self._batch_size or waited >= self._batch_wait_s:
                        count = min(self._batch_size, len(self._waiting))
                        batch = [self._waiting.popleft()[1] for _ in range(count)]
                        self._busy = True
                        return batch
                    self._changed.wait(self._batch_wait_s - waited)
                else:
                    self._changed.wait()
