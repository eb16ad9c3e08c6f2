"""The dashboard shows how many write messages wait in the workers' broker, per partition,
and still renders (saying so) when the broker cannot be reached."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from console_seed import HASHER, add_operator_account, sign_in

from connectors.emulator.serve import running
from console import ConsoleSettings, create_app
from core.store import Store
from workers.broker import Broker, BrokerTarget, WriteMessage, broker_target


def dashboard(store: Store, broker: BrokerTarget) -> str:
    app = create_app(ConsoleSettings(store, hasher=HASHER, broker=broker))
    with running(app) as base, httpx.Client(base_url=base) as client:
        sign_in(client)
        page = client.get("/")
        assert page.status_code == 200
        return page.text


def test_waiting_messages_per_partition(store: Store, tmp_path: Path) -> None:
    add_operator_account(store)
    target = broker_target(f"filesystem://{tmp_path / 'broker'}")
    with Broker(target) as broker:
        broker.publish(WriteMessage(n, 3, "zoho", "customer") for n in (1, 2))
        broker.publish([WriteMessage(3, 11, "fxiaoke", "contact")])
    page = dashboard(store, target)
    assert re.search(r"partition 03</td>\s*<td[^>]*>2<", page), page
    assert re.search(r"partition 11</td>\s*<td[^>]*>1<", page), page
    assert "partition 04" not in page  # empty partitions are not listed


def test_an_unreachable_broker_is_named_and_the_page_still_renders(store: Store) -> None:
    add_operator_account(store)
    page = dashboard(store, BrokerTarget("redis://:s3cret@127.0.0.1:1/0"))
    assert "unreachable" in page
    assert "s3cret" not in page  # the broker's password is never shown
