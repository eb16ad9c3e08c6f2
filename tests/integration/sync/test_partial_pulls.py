"""A CRM whose pull did not complete gets no creates: the records crmhub has not read there yet
may be the very ones it would create (the duplicates the fault soak found). Emulators on
loopback, the fault injected on the pull."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from sync_harness import duplicates, sync_world

from connectors.emulator.world import WorldSpec, generate_world
from connectors.http import ConnectorError
from connectors.protocol import Page, PullCursor, WriteOp
from core.store import OutboxItem, SourceRecord, Store
from core.sync.cycle import plan_and_commit, run_cycle
from mapping.model import EntityKind

WORLD = generate_world(WorldSpec(customers=12, contacts=16, opportunities=6, seed=3))


def _creates(store: Store, connection: str) -> int:
    with store.transaction() as session:
        return int(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.connection == connection, OutboxItem.operation == "create")
            )
            or 0
        )


def test_no_creates_into_a_crm_whose_pull_failed(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        zoho = sw.crms["zoho"]
        zoho.emulator.set_faults(rate_limit_rate=1.0)  # every call (token, users, pages) 429s
        report = run_cycle(store, sw.ctx, sw.connectors)
        assert "zoho" in report.errors
        assert report.plan.counts()["writes_fxiaoke"] > 0  # the healthy CRM is written
        assert [w for w in report.plan.writes if w.connection == "zoho"] == []
        assert _creates(store, "zoho") == 0
        # planning again without a pull (the writers' rounds) holds them too
        plan_and_commit(store, sw.ctx)
        assert _creates(store, "zoho") == 0
        zoho.emulator.set_faults(rate_limit_rate=0.0)
        writes = sw.settle()
        assert writes[-1] == 0, writes
        assert _creates(store, "zoho") > 0  # once read, what Zoho lacks is created there
        assert duplicates(sw) == []


class _FailsOn:
    """A connector whose pull of one kind fails after its first page (the next is throttled)."""

    def __init__(self, inner: object, kind: EntityKind) -> None:
        self._inner, self._kind = inner, kind

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def pull(
        self, kind: EntityKind, cursor: PullCursor | None = None, **options: object
    ) -> Iterator[Page]:
        pages: Sequence[Page] | Iterator[Page] = self._inner.pull(kind, cursor, **options)  # type: ignore[attr-defined]
        for page in pages:
            yield page
            if kind is self._kind:  # the next page's call is refused
                raise ConnectorError("zoho GET /crm/v8/Contacts: HTTP 429 TOO_MANY_REQUESTS")


def test_no_creates_of_a_kind_whose_pull_stopped_midway(store: Store) -> None:
    with sync_world(store, WORLD) as sw:
        connectors = dict(sw.connectors)
        connectors["zoho"] = _FailsOn(connectors["zoho"], EntityKind.CONTACT)  # type: ignore[assignment]
        report = run_cycle(store, sw.ctx, connectors)
        assert "zoho" in report.errors
        kinds = {
            w.kind
            for w in report.plan.writes
            if w.connection == "zoho" and w.operation is WriteOp.CREATE
        }
        assert "customer" in kinds  # customers were read completely: they may be created
        assert "contact" not in kinds
        assert "opportunity" not in kinds
        writes = sw.settle()
        assert writes[-1] == 0, writes
        assert duplicates(sw) == []


class _StopsOn:
    """A connector that asks the cycle to stop once its pull of one kind has given a page."""

    def __init__(self, inner: object, kind: EntityKind, stop: threading.Event) -> None:
        self._inner, self._kind, self._stop = inner, kind, stop

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def pull(
        self, kind: EntityKind, cursor: PullCursor | None = None, **options: object
    ) -> Iterator[Page]:
        for page in self._inner.pull(kind, cursor, **options):  # type: ignore[attr-defined]
            if kind is self._kind:
                self._stop.set()  # a SIGTERM arriving while this page is on its way
            yield page


def _stored(store: Store, connection: str, kind: str) -> int:
    with store.transaction() as session:
        return int(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(SourceRecord)
                .where(SourceRecord.connection == connection, SourceRecord.kind == kind)
            )
            or 0
        )


def test_a_stopped_cycle_keeps_what_it_read_plans_nothing_and_the_next_goes_on(
    store: Store,
) -> None:
    with sync_world(store, WORLD) as sw:
        stop = threading.Event()
        connectors = dict(sw.connectors)
        connectors["zoho"] = _StopsOn(connectors["zoho"], EntityKind.CONTACT, stop)  # type: ignore[assignment]
        report = run_cycle(store, sw.ctx, connectors, stop=stop)
        assert report.stopped
        assert not report.errors
        assert _stored(store, "zoho", "customer") == len(sw.crms["zoho"].rows("customer"))
        assert _stored(store, "fxiaoke", "customer") == len(sw.crms["fxiaoke"].rows("customer"))
        assert _stored(store, "zoho", "contact") == 0  # the page in hand when asked is dropped
        assert report.plan.writes == []
        assert _creates(store, "zoho") == 0
        assert report.pulls["zoho"]["contact"].stopped
        assert "contact" not in report.pulls["fxiaoke"]  # nothing new starts after a stop
        writes = sw.settle()  # the next cycles go on from the saved cursors
        assert writes[-1] == 0, writes
        for name in ("zoho", "fxiaoke"):
            for kind in ("customer", "contact", "opportunity"):
                assert _stored(store, name, kind) == len(sw.crms[name].rows(kind)) > 0
        assert duplicates(sw) == []
