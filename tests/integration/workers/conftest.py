"""Broker backends for the worker tests, like `database_url` for databases.

CRMHUB_TEST_BROKERS lists them (default "embedded"; `scripts/services` adds "redis" after
starting Redis). A listed backend that cannot be reached fails the run: it is never skipped.
Each test gets its own namespace: a fresh $CRMHUB_HOME for the embedded broker, a fresh key
prefix on Redis.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from workers.broker import Broker, BrokerTarget, broker_target

BROKERS = [
    b.strip() for b in os.environ.get("CRMHUB_TEST_BROKERS", "embedded").split(",") if b.strip()
]
REDIS_URL = os.environ.get("CRMHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class BrokerBackend:
    """A broker for one test and the environment a subprocess needs to reach the same one."""

    name: str
    target: BrokerTarget
    env: dict[str, str]


@pytest.fixture(params=BROKERS)
def broker_backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BrokerBackend]:
    name = request.param
    home = tmp_path / "home"
    env = {"CRMHUB_HOME": str(home)}
    if name == "redis":
        env |= {
            "CRMHUB_BROKER_URL": REDIS_URL,
            "CRMHUB_BROKER_PREFIX": f"t{uuid.uuid4().hex[:10]}:",
        }
    elif name != "embedded":
        raise pytest.UsageError(f"unknown broker {name!r} in CRMHUB_TEST_BROKERS")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    target = broker_target(None, home)
    with Broker(target) as broker:  # unreachable: BrokerUnavailableError fails the test
        yield BrokerBackend(name, target, env)
        broker.purge()
    if name == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        try:
            for key in client.scan_iter(f"{env['CRMHUB_BROKER_PREFIX']}*"):
                client.delete(key)
        finally:
            client.close()
