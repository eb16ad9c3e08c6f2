"""The conformance suite every connector passes, written once (STYLE principle 11).

A CRM's test module subclasses `ConnectorContract` and provides two fixtures:
- `remote`: a `RemoteAdmin`, the CRM's back door (seed rows, edit or delete them behind the
  connector's back, expire tokens, throttle or fail the next calls);
- `make_connector`: builds a fresh connector to that CRM (`bad_credentials=True` for one whose
  credentials are wrong), whose clock is the remote's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from connectors.protocol import Connector, PullCursor, PushItem, PushOutcome, WriteMode, WriteOp
from mapping.model import EntityKind

__all__ = ["ConnectorContract", "RemoteAdmin"]


class RemoteAdmin(Protocol):
    kind: EntityKind

    def seed(self, count: int) -> None: ...

    def live_ids(self) -> set[str]: ...

    def touch(self, remote_id: str) -> None: ...

    def remove(self, remote_id: str) -> None: ...

    def expire_tokens(self) -> None: ...

    def make_trouble(self) -> None:
        """From now on answer some calls with the CRM's throttling and server errors."""
        ...

    def new_payload(self, n: int) -> dict[str, Any]: ...

    def count_matching(self, payload: dict[str, Any]) -> int: ...

    def now(self) -> datetime: ...

    def settle(self) -> None:
        """Let the remote's clock move on a few seconds, past a run's signpost lag, so the
        writes just made sit in a finished tick (a pull never reads the current one)."""
        ...


MakeConnector = Callable[..., Connector]


def pull_ids(connector: Connector, kind: EntityKind, cursor: PullCursor | None = None) -> list[str]:
    return [r.remote_id for page in connector.pull(kind, cursor) for r in page.records]


class ConnectorContract:
    # records for the paging test: enough for several pages (subclasses raise it)
    many = 450

    def test_check_passes_with_good_credentials(self, make_connector: MakeConnector) -> None:
        check = make_connector().check()
        assert check.ok, check.detail

    def test_check_fails_clearly_with_bad_credentials(self, make_connector: MakeConnector) -> None:
        check = make_connector(bad_credentials=True).check()
        assert not check.ok
        assert "token refused" in check.detail

    def test_a_full_pull_returns_every_record_once(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        remote.seed(5)
        remote.settle()
        got = pull_ids(make_connector(), remote.kind)
        assert sorted(got) == sorted(remote.live_ids())
        assert len(got) == len(set(got))

    def test_paging_runs_to_the_end(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        remote.seed(self.many)
        remote.settle()
        connector = make_connector()
        pages = list(connector.pull(remote.kind, None))
        got = [r.remote_id for page in pages for r in page.records]
        assert len(got) == self.many
        assert set(got) == remote.live_ids()
        assert len(pages) > 1
        stamps = [r.modified_at for page in pages for r in page.records]
        assert stamps == sorted(stamps)  # oldest first

    def test_an_incremental_pull_hands_out_only_what_changed(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        remote.seed(30)
        remote.settle()
        pages = list(make_connector().pull(remote.kind, None))
        cursor = pages[-1].cursor
        changed = sorted(remote.live_ids())[:3]
        for remote_id in changed:
            remote.touch(remote_id)
        remote.settle()
        again = pull_ids(make_connector(), remote.kind, cursor)
        assert sorted(again) == changed
        assert pull_ids(make_connector(), remote.kind, cursor) == again  # repeatable

    def test_a_resumed_pull_misses_nothing_and_repeats_nothing(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        remote.seed(self.many)
        remote.settle()
        first = make_connector().pull(remote.kind, None)
        committed = next(first)  # the run dies after its first page was committed
        first.close()
        rest = pull_ids(make_connector(), remote.kind, committed.cursor)
        got = [r.remote_id for r in committed.records] + rest
        assert len(got) == len(set(got))
        assert set(got) == remote.live_ids()

    def test_throttling_and_server_errors_are_ridden_out(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        remote.seed(5)
        remote.settle()
        connector = make_connector()
        connector.check()  # a token first, so the failures hit data calls
        remote.make_trouble()
        assert sorted(pull_ids(connector, remote.kind)) == sorted(remote.live_ids())

    def test_a_token_expiring_mid_pull_is_renewed(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        remote.seed(self.many)
        remote.settle()
        pages = make_connector().pull(remote.kind, None)
        got = [r.remote_id for r in next(pages).records]
        remote.expire_tokens()
        got += [r.remote_id for page in pages for r in page.records]
        assert len(got) == len(set(got))
        assert set(got) == remote.live_ids()

    def test_a_repeated_upsert_creates_one_record(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        connector = make_connector()
        payload = remote.new_payload(1)
        item = PushItem("outbox-1", WriteOp.CREATE, payload, mode=WriteMode.UPSERT)
        [first] = connector.push(remote.kind, [item])
        [again] = connector.push(remote.kind, [item])  # a retry after a lost answer
        assert first.outcome is PushOutcome.OK, first
        assert again.outcome is PushOutcome.OK, again
        assert first.remote_id == again.remote_id
        assert remote.count_matching(payload) == 1

    def test_an_insert_of_an_existing_record_is_linked_not_duplicated(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        connector = make_connector()
        payload = remote.new_payload(2)
        [made] = connector.push(remote.kind, [PushItem("a", WriteOp.CREATE, payload)])
        insert = PushItem("b", WriteOp.CREATE, payload, mode=WriteMode.INSERT_ONLY)
        [linked] = connector.push(remote.kind, [insert])
        assert linked.outcome is PushOutcome.ALREADY_EXISTS
        assert linked.remote_id == made.remote_id
        assert remote.count_matching(payload) == 1

    def test_deletes_are_detected_and_leave_pulls(
        self, remote: RemoteAdmin, make_connector: MakeConnector
    ) -> None:
        remote.seed(4)
        remote.settle()
        since = remote.now()
        connector = make_connector()
        first, second, *_ = sorted(remote.live_ids())
        [result] = connector.push(remote.kind, [PushItem("d", WriteOp.DELETE, {}, remote_id=first)])
        assert result.outcome is PushOutcome.OK
        remote.remove(second)  # deleted in the CRM itself
        remote.settle()
        deleted = {
            d.remote_id for batch in connector.pull_deletions(remote.kind, since) for d in batch
        }
        assert {first, second} <= deleted
        assert not {first, second} & set(pull_ids(make_connector(), remote.kind))
