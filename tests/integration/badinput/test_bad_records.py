"""Bad remote records, seeded straight into the emulators, pulled and synced over loopback HTTP:
each is quarantined with its record, field and reason; the rest of the page is stored, the
cursor moves and the run ends with a summary, never a traceback.

Adding a case is one line in CASES: (connection, module, field, bad value, reason fragment).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
from click.testing import Result
from crm_loopback import Loopback, loopback, seed_row
from typer.testing import CliRunner

from core.store import Cursor, SourceRecord, Store
from core.store import Quarantined as QuarantineRow
from workers.cli import app

runner = CliRunner()

BAD_BYTES = (b"BADBYTES", b"\xffADBYTE\xfe")  # same length: Content-Length is already sent


class Case(NamedTuple):
    connection: str
    module: str
    field: str  # the remote field holding the bad value (the quarantine names it)
    value: Any
    reason: str  # in the quarantine's reason

    @property
    def case(self) -> str:
        return f"{self.connection} {self.module}.{self.field}: {self.reason}"


ZA, ZC, ZD = ("zoho", "Accounts"), ("zoho", "Contacts"), ("zoho", "Deals")
FA, FC, FO = ("fxiaoke", "AccountObj"), ("fxiaoke", "ContactObj"), ("fxiaoke", "NewOpportunityObj")
CASES = [
    Case(*ZA, "Account_Name", None, "required but missing"),
    Case(*ZA, "Account_Name", "x" * 1_000_000, "at most 255 characters"),
    Case(*ZA, "Account_Name", {"a": 1}, "got a dict"),
    Case(*ZA, "Phone", [[1, 2], [3]], "got a list"),
    Case(*ZA, "Employees", "many", "not a number"),
    Case(*ZA, "Customer_Tier", "Z", "not in the tier picklist"),
    Case(*ZA, "Account_Name", "华\ud800为", "lone surrogate U+D800"),
    Case(*ZA, "Account_Name", "Acme\x00 Ltd", "NUL"),
    Case(*ZA, "Account_Name", "Acme BADBYTES Ltd", "not valid UTF-8: the byte 0xFF"),
    Case(*ZA, "Phone", "call me maybe", "letters"),
    Case(*ZC, "Email", "li@@example..com", "invalid e-mail address"),
    Case(*ZC, "Mobile", "12", "too short to be a phone number"),
    Case(*ZD, "Closing_Date", "31/12/2024", "not an ISO 8601 date"),
    Case(*ZD, "Stage", "Won-ish", "not in the stage picklist"),
    Case(*ZD, "Amount", "12,5O0", "commas must group digits"),
    Case(*FA, "name", [["a"], ["b"]], "got a list"),
    Case(*FA, "email", "not-an-email", "has no @"),
    Case(*FA, "account_level", "Z", "not in the tier picklist"),
    Case(*FA, "tel", "电话号码", "contains letters"),
    Case(*FC, "email", "a@b@c.cn", "invalid e-mail address"),
    Case(*FO, "close_date", "2024-13-45", "month must be in 1..12"),
    Case(*FO, "sales_stage", "99", "not in the sales_stage picklist"),
    Case(*FO, "amount", {"value": 1}, "got dict"),
]

# Chinese text that must come through untouched (remote field -> canonical field)
GOOD = [
    (
        *ZA,
        {"Account_Name": "深圳市腾华科技有限公司", "Billing_City": "深圳"},
        "name",
        "深圳市腾华科技有限公司",
    ),
    (*FC, {"name": "欧阳娜娜", "job_title": "采购总监"}, "title", "采购总监"),
]

KIND_OF = {
    "Accounts": "customer",
    "Contacts": "contact",
    "Deals": "opportunity",
    "AccountObj": "customer",
    "ContactObj": "contact",
    "NewOpportunityObj": "opportunity",
}


def seed(crms: Loopback) -> tuple[dict[str, Case], dict[str, tuple[str, str]]]:
    """Every case and good record in its emulator: (remote id -> case, remote id -> good)."""
    bad: dict[str, Case] = {}
    good: dict[str, tuple[str, str]] = {}
    emulators = {"zoho": crms.zoho, "fxiaoke": crms.fxiaoke}
    for number, case in enumerate(CASES, start=1):
        changes = {case.field: case.value}
        bad[seed_row(emulators[case.connection], case.module, number, changes)] = case
    for number, (conn, module, changes, canonical, expected) in enumerate(GOOD, start=100):
        good[seed_row(emulators[conn], module, number, changes)] = (canonical, expected)
    return bad, good


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


def remote_total(crms: Loopback) -> int:
    """Records the emulators serve (Fxiaoke hides invalidated ones from queries)."""
    return sum(
        sum(row.fields.get("life_status") != "invalid" for row in emulator.modules[m].rows.values())
        for emulator in (crms.zoho, crms.fxiaoke)
        for m in emulator.modules
        if m in KIND_OF
    )


def check_store(
    database_url: str, served: int, bad: dict[str, Case], good: dict[str, tuple[str, str]]
) -> None:
    store = Store.open(database_url)
    try:
        with store.transaction() as session:
            held = {
                q.remote_id: q
                for q in session.scalars(
                    sa.select(QuarantineRow).where(QuarantineRow.status == "open")
                )
            }
            records = {
                (r.connection, r.remote_id): r for r in session.scalars(sa.select(SourceRecord))
            }
            cursors = {(c.connection, c.kind) for c in session.scalars(sa.select(Cursor))}
    finally:
        store.close()
    assert set(held) == set(bad), "exactly the bad records are quarantined"
    for remote_id, case in bad.items():
        row = held[remote_id]
        kind = KIND_OF[case.module]
        assert (row.connection, row.kind) == (case.connection, kind), case.case
        assert case.field in row.field, (case.case, row.field)
        assert remote_id in row.reason, (case.case, row.reason)
        assert f"from {case.connection}" in row.reason, (case.case, row.reason)
        assert case.reason in row.reason, (case.case, row.reason)
        assert row.raw is not None, case.case  # nothing is lost
        assert records[(case.connection, remote_id)].status == "quarantined"
    for remote_id, (canonical, expected) in good.items():
        stored = [r for (c, rid), r in records.items() if rid == remote_id]
        assert len(stored) == 1
        assert stored[0].mapped is not None
        assert stored[0].mapped[canonical] == expected
    mapped = [r for r in records.values() if r.mapped is not None]
    # every other record, on the same pages as the bad ones, is stored and mapped
    assert len(records) >= served  # a sync also reads back what it created
    assert len(mapped) == len(records) - len(bad)
    for connection in ("zoho", "fxiaoke"):
        for kind in ("customer", "contact", "opportunity"):
            assert (connection, kind) in cursors, "the cursor moved past the bad records"


@pytest.fixture
def crms(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:  # Iterator[Loopback]
    with loopback(database_url, tmp_path, monkeypatch, corrupt=dict([BAD_BYTES])) as running:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        yield running


def test_pull_quarantines_each_bad_record_and_goes_on(crms: Loopback, database_url: str) -> None:
    bad, good = seed(crms)
    served = remote_total(crms)
    for connection in ("zoho", "fxiaoke"):
        result = runner.invoke(app, ["pull", connection])
        no_traceback(result)
        assert result.exit_code == 0, result.output
        expected = sum(1 for case in bad.values() if case.connection == connection)
        summary = re.search(
            rf"{connection}: (\d+) records pulled, (\d+) quarantined", result.output
        )
        assert summary, result.output
        assert int(summary.group(2)) == expected, result.output
        listed = runner.invoke(app, ["quarantine", "list", "--connection", connection, "--json"])
        assert listed.exit_code == 0, listed.output
        rows = json.loads(listed.stdout)
        assert len(rows) == expected
        assert all(r["remote_id"] and r["field"] and r["reason"] for r in rows), rows
    check_store(database_url, served, bad, good)


def test_sync_quarantines_each_bad_record_and_goes_on(crms: Loopback, database_url: str) -> None:
    bad, good = seed(crms)
    served = remote_total(crms)
    result = runner.invoke(app, ["sync", "--json"])
    no_traceback(result)
    totals = json.loads(result.stdout)
    assert totals["quarantined"] == len(bad), totals
    assert totals["errors"] == {}, totals
    assert totals["new"] > 0
    check_store(database_url, served, bad, good)
