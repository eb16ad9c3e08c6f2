"""The one retry loop: tenacity, exponential back-off with jitter, Retry-After honoured."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from connectors.http.errors import Action, BudgetExhaustedError, TransientError

__all__ = ["RetryPolicy", "retrying"]


class RetryPolicy(BaseModel):
    """How hard to try one call. Waits are seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attempts: int = Field(default=6, ge=1, le=20)
    initial_wait: float = Field(default=0.5, ge=0)
    max_wait: float = Field(default=30.0, ge=0)  # also the clamp on a remote's Retry-After
    jitter: float = Field(default=0.5, ge=0)
    max_elapsed: float = Field(default=300.0, gt=0)


class _WaitRetryAfter:
    """Retry-After when the failure carried one (clamped to `max_wait`), else exponential."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.fallback = wait_exponential(
            multiplier=policy.initial_wait, max=policy.max_wait
        ) + wait_random(0, policy.jitter)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        hinted = getattr(exc, "retry_after", None)
        if hinted is not None:
            return float(min(max(hinted, 0.0), self.policy.max_wait))
        return float(min(self.fallback(state), self.policy.max_wait))


def retrying(
    policy: RetryPolicy,
    *,
    idempotent: bool,
    sleep: Callable[[float], None],
    before_sleep: Callable[[RetryCallState], None] | None = None,
) -> Retrying:
    """A `Retrying` for one call.

    Retries `TransientError`s; a call that is not idempotent (a create) is repeated only when
    the failure proves the remote did not process it (throttled, refused before processing).
    The remote's Retry-After is clamped to `max_wait`; our own budget's refusal with a longer
    wait (a spent daily quota) is raised at once.
    """

    def should_retry(exc: BaseException) -> bool:
        if not isinstance(exc, TransientError):
            return False
        if exc.rule is not None and exc.rule.action not in (Action.RETRY, Action.RATE_LIMITED):
            return False  # transient, but not worth waiting for now (e.g. a daily quota)
        if isinstance(exc, BudgetExhaustedError) and (exc.retry_after or 0.0) > policy.max_wait:
            return False  # our own budget knows the wait is real (a daily quota): don't spin
        return idempotent or exc.not_processed

    return Retrying(
        stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.max_elapsed),
        wait=_WaitRetryAfter(policy),
        retry=retry_if_exception(should_retry),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
