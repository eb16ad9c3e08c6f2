"""The `broker_backend` fixture: each worker test once per broker in CRMHUB_TEST_BROKERS (see
broker_backends.py), like `database_url` for databases. Each test gets its own namespace: a
fresh $CRMHUB_HOME for the filesystem broker, a fresh key prefix on Redis.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from broker_backends import BROKERS, REDIS_URL, BrokerBackend

from workers.broker import Broker, broker_target


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
    elif name != "filesystem":
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
