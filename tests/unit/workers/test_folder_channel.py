"""The embedded broker's channel: one listing of the folder serves every queue for a moment,
messages come oldest first per queue, and a file another consumer took is skipped."""

from __future__ import annotations

import os
import time
from pathlib import Path
from queue import Empty

import pytest

from workers.broker import Broker, FolderChannel, WriteMessage, broker_target, queue_name


def _next(channel: FolderChannel, partition: int) -> int:
    raw = channel._get(queue_name(partition))
    return int(channel.Message(raw, channel=channel).decode()["outbox_id"])


def _ids(channel: FolderChannel, partition: int) -> list[int]:
    taken = []
    while True:
        try:
            taken.append(_next(channel, partition))
        except Empty:
            return taken


def test_each_queue_gets_its_own_messages_oldest_first(tmp_path: Path) -> None:
    with Broker(broker_target(home=tmp_path)) as broker:
        channel = broker.connection.default_channel
        assert isinstance(channel, FolderChannel)
        for n in range(1, 9):  # a file's name starts with its millisecond: order shows across
            broker.publish([WriteMessage(n, n % 2, "zoho", "customer")])
            time.sleep(0.002)
        channel._listed_at = -1e9  # as after the listing's moment
        assert _ids(channel, 1) == [1, 3, 5, 7]
        assert _ids(channel, 0) == [2, 4, 6, 8]
        assert os.listdir(tmp_path / "broker" / "queues") == []


def test_a_message_another_consumer_took_is_skipped_and_new_ones_come_with_the_next_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        Broker(broker_target(home=tmp_path)) as broker,
        Broker(broker_target(home=tmp_path)) as other,
    ):
        channel = broker.connection.default_channel
        for n in (1, 2, 3):
            broker.publish([WriteMessage(n, 4, "zoho", "customer")])
            time.sleep(0.002)
        channel._listed_at = -1e9
        assert _next(channel, 4) == 1  # lists the folder
        # another writer takes the next one from under this listing
        assert _next(other.connection.default_channel, 4) == 2
        broker.publish([WriteMessage(4, 4, "zoho", "customer")])
        assert _next(channel, 4) == 3
        with pytest.raises(Empty):  # published after the listing, which is still fresh
            channel._get(queue_name(4))
        monkeypatch.setattr(FolderChannel, "LISTING_TTL_S", 0.0)
        assert _next(channel, 4) == 4
