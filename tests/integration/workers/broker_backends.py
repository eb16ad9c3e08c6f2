"""Which brokers the worker tests run on, and what one test's broker is (helpers in a uniquely
named module; the `broker_backend` fixture in conftest.py builds them).

CRMHUB_TEST_BROKERS lists them: "filesystem" (the embedded default, no service) and "redis"
(`scripts/services` starts one and lists both). A listed backend that cannot be reached fails
the run: it is never skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from workers.broker import BrokerTarget

__all__ = ["BROKERS", "REDIS_URL", "BrokerBackend"]

BROKERS = [
    b.strip() for b in os.environ.get("CRMHUB_TEST_BROKERS", "filesystem").split(",") if b.strip()
]
REDIS_URL = os.environ.get("CRMHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class BrokerBackend:
    """A broker for one test and the environment a subprocess needs to reach the same one."""

    name: str
    target: BrokerTarget
    env: dict[str, str]
