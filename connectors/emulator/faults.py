"""Fault injection: latency, throttling, server errors, timeouts, failed batch rows, slow pages.

A `FaultPlan` says how often each fault happens; `FaultDice` draws from one seeded generator in
the order requests arrive, so a sequential client sees the same faults on every run with the same
seed. Faults apply to API calls (never to `/__admin`). Each emulator renders a fault in its own
API's words (Zoho: HTTP 429 / 500 envelopes; Fxiaoke: HTTP 200 with errorCode 14001 / -1 / 50009).
"""

from __future__ import annotations

import random
import threading
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Fault", "FaultDice", "FaultPlan"]

Rate = Field(default=0.0, ge=0.0, le=1.0)


class Fault(StrEnum):
    RATE_LIMITED = "rate_limited"  # drawn from rate_limit_rate
    CONCURRENCY = "concurrency"  # over concurrency_cap (the vendor's own limit is separate)
    SERVER_ERROR = "server_error"  # drawn from error_rate
    TIMEOUT = "timeout"  # held for timeout_hold_s, then a server error


class FaultPlan(BaseModel):
    """How often each fault happens; changeable at run time (POST /__admin/faults)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    seed: int = 0
    latency_ms: float = Field(default=0.0, ge=0.0)  # added to every API call
    jitter_ms: float = Field(default=0.0, ge=0.0)  # plus a uniform draw in [0, jitter_ms)
    rate_limit_rate: float = Rate  # share of calls answered with the vendor's rate-limit error
    concurrency_cap: int | None = Field(default=None, ge=1)  # in-flight API calls allowed
    error_rate: float = Rate  # share of calls answered with a transient server error
    timeout_rate: float = Rate  # share of calls held past any sane client timeout
    timeout_hold_s: float = Field(default=30.0, ge=0.0)
    batch_failure_rate: float = Rate  # share of records in a write batch that fail
    slow_page_rate: float = Rate  # share of page reads (list/query) that are slow
    slow_page_ms: float = Field(default=0.0, ge=0.0)


class FaultDice:
    """Draws faults from one seeded generator (thread-safe; deterministic for one client)."""

    def __init__(self, plan: FaultPlan) -> None:
        self._lock = threading.Lock()
        self.plan = plan
        self._rng = random.Random(plan.seed)

    def replan(self, plan: FaultPlan) -> None:
        with self._lock:
            reseed = plan.seed != self.plan.seed
            self.plan = plan
            if reseed:
                self._rng = random.Random(plan.seed)

    def _hit(self, rate: float) -> bool:
        # no draw at rate 0: a plan without faults leaves the sequence of draws untouched
        return rate > 0 and self._rng.random() < rate

    def latency_s(self) -> float:
        with self._lock:
            plan = self.plan
            jitter = self._rng.random() * plan.jitter_ms if plan.jitter_ms else 0.0
            return (plan.latency_ms + jitter) / 1000

    def call_fault(self) -> Fault | None:
        """The fault (if any) for one API call, drawn in a fixed order."""
        with self._lock:
            plan = self.plan
            if self._hit(plan.timeout_rate):
                return Fault.TIMEOUT
            if self._hit(plan.rate_limit_rate):
                return Fault.RATE_LIMITED
            if self._hit(plan.error_rate):
                return Fault.SERVER_ERROR
            return None

    def slow_page_s(self) -> float:
        with self._lock:
            hit = self._hit(self.plan.slow_page_rate)
            return self.plan.slow_page_ms / 1000 if hit else 0.0

    def record_fails(self) -> bool:
        """Whether one record of a write batch fails (call once per record, in input order)."""
        with self._lock:
            return self._hit(self.plan.batch_failure_rate)

    def pick(self, options: list[str]) -> str:
        """A deterministic choice (e.g. which wording of an error message to use)."""
        with self._lock:
            return self._rng.choice(options)
