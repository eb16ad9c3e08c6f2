"""Schema of `config/workers.yaml`: how the writers batch, when the relay republishes, and each
connection's API budget (what the workers may spend, and when only urgent writes go)."""

from __future__ import annotations

from pydantic import Field

from core.config.schema import Strict

__all__ = ["ConnectionBudget", "WorkersConfig"]


class ConnectionBudget(Strict):
    # API calls the workers may spend in any 24 hours (Zoho credits, Fxiaoke's daily quota);
    # None: not tracked here (the connector's own budget still paces calls)
    calls_per_day: int | None = Field(default=None, ge=1)
    # when less than this share of the day's calls is left, only urgent writes are sent
    urgent_reserve: float = Field(default=0.2, ge=0.0, le=1.0)


class WorkersConfig(Strict):
    # writes a writer takes per batch (a connector splits a batch into its API's calls: Zoho
    # 100 records a call, Fxiaoke one)
    batch_size: int = Field(default=100, ge=1, le=1000)
    # a writer waits this long for a batch to fill before pushing what it has
    batch_wait_s: float = Field(default=0.25, gt=0)
    # an item published this long ago and not done is published again (a lost message)
    republish_after_s: float = Field(default=120.0, gt=0)
    # at most this many writes published and not yet done (the rest wait in the outbox); keep
    # it under what the writers finish in `republish_after_s`, or messages are published twice
    max_in_flight: int = Field(default=1000, ge=1)
    # how often the relay looks for pending items
    relay_interval_s: float = Field(default=0.5, gt=0)
    # outbox priority at or above which a write is urgent (sent while the budget runs low)
    urgent_priority: int = 10
    # a lease (sync of a connection, a partition) lasts this long unless renewed
    lease_ttl_s: float = Field(default=60.0, ge=1)
    budgets: dict[str, ConnectionBudget] = Field(default_factory=dict)
