"""Where an incremental pull resumes (`connectors.incremental`): a row the CRM stamped before the
last run read its range but committed only after (a late commit, within `commit_lag`) is read
by the next run; rows older than the last run's start minus the lag are not read again. Both
connectors against their emulators over real HTTP (their Date header is the emulator's clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from connectors.emulator.served import Served
from connectors.fxiaoke import FxiaokeConnector
from connectors.zoho import ZohoConnector
from mapping.model import EntityKind

CASES = {
    "zoho": ("Accounts", {"Phone": "+86 21 5555 0101"}),
    "fxiaoke": ("AccountObj", {"tel": "021-55550101"}),
}


def _user(served: Served, name: str) -> str:
    emulator = served.emulator
    return str(
        emulator.api_user_id if name == "zoho" else emulator.credentials()["currentOpenUserId"]
    )


def _commit_late(served: Served, name: str, row_id: str, stamped: datetime) -> None:
    """Change a row with a modified time already past (what a slow transaction leaves)."""
    module, values = CASES[name]
    emulator = served.emulator
    with emulator.lock:
        row = emulator.modules[module].get(row_id)
        emulator.update_row(module, row, values, _user(served, name),
                            at=int(stamped.timestamp() * 1000))  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_late_commit_is_read_and_older_rows_are_not_read_again(
    name: str,
    request: pytest.FixtureRequest,
) -> None:
    served: Served = request.getfixturevalue(name)
    make: Callable[..., Any] = request.getfixturevalue(f"{name}_connector")
    connector: ZohoConnector | FxiaokeConnector = make()
    module = CASES[name][0]
    before = served.now()  # server time before the run's first read
    pages = list(connector.pull(EntityKind.CUSTOMER, None))
    cursor = pages[-1].cursor
    assert pages[-1].records == []  # the run's last page only moves the cursor on
    # a row stamped 30 s before the run read (within the 60 s commit lag) and committed only
    # now, after the run: the next run must read it
    late = sorted(served.ids(module))[7]
    _commit_late(served, name, late, before - timedelta(seconds=30))
    served.advance(2)
    again = make()
    pages = list(again.pull(EntityKind.CUSTOMER, cursor))
    assert [r.remote_id for p in pages for r in p.records] == [late]
    # one page: the thousands of rows read before are not read again
    assert again.counters.snapshot().total_calls <= 2  # (Fxiaoke: and its token)
    quiet = make()
    assert [r for p in quiet.pull(EntityKind.CUSTOMER, pages[-1].cursor) for r in p.records] == []
