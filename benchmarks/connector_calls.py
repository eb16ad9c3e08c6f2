"""Connector throughput against both emulators with realistic latency.

    .venv/bin/python benchmarks/connector_calls.py [--latency-ms 60] [--customers 4800]

Prints records/s and the calls each operation used next to the minimum (records ÷ page size for
reads, ÷ 100 for Zoho batch writes, one per record for Fxiaoke writes, which have no bulk API),
and writes benchmarks/results/connector_calls.json.
"""

from __future__ import annotations

# ruff: noqa: E402 (the imports of crmhub follow the sys.path fix below)
import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# this file is named like the package it measures: keep its folder off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from pydantic import SecretStr

from connectors.emulator.serve import running
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke import FxiaokeConnector, FxiaokeSettings
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.http import CallCounters
from connectors.protocol import PushItem, PushOutcome, WriteOp
from connectors.zoho import ZohoConnector, ZohoSettings
from connectors.zoho.emulator import ZohoEmulator
from mapping.model import EntityKind

RESULTS = Path(__file__).parent / "results" / "connector_calls.json"


def clock_of(emulator: Any) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(emulator.clock.now(), UTC)


@contextmanager
def measured(counters: CallCounters, endpoint: str) -> Iterator[dict[str, Any]]:
    before = counters.snapshot().calls.get(endpoint, 0)
    result: dict[str, Any] = {}
    started = time.perf_counter()
    yield result
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["calls"] = counters.snapshot().calls.get(endpoint, 0) - before


def report(name: str, records: int, minimum: int, result: dict[str, Any]) -> dict[str, Any]:
    rate = records / result["seconds"] if result["seconds"] else float("inf")
    row = {
        "operation": name,
        "records": records,
        "seconds": result["seconds"],
        "records_per_s": round(rate, 1),
        "calls": result["calls"],
        "minimum_calls": minimum,
    }
    print(
        f"{name:38} {records:6d} records {result['seconds']:7.2f} s {rate:8.1f} rec/s "
        f"calls {result['calls']:4d} (minimum {minimum})"
    )
    return row


def zoho_runs(emulator: ZohoEmulator, url: str, edits: int, writes: int) -> list[dict[str, Any]]:
    creds = emulator.credentials()
    settings = ZohoSettings(
        client_id=SecretStr(creds["client_id"]),
        client_secret=SecretStr(creds["client_secret"]),
        refresh_token=SecretStr(creds["refresh_token"]),
        base_url=url,
    )
    connector = ZohoConnector("zoho", settings, now=clock_of(emulator))
    rows: list[dict[str, Any]] = []
    list_calls = "GET /crm/v8/Accounts"
    try:
        with measured(connector.counters, list_calls) as full:
            pages = list(connector.pull(EntityKind.CUSTOMER, None))
        count = sum(len(p.records) for p in pages)
        rows.append(report("zoho full pull (Accounts)", count, math.ceil(count / 200), full))
        ids = sorted(r.remote_id for p in pages for r in p.records)[:edits]
        with emulator.lock:
            emulator.automation("Accounts", ids, {"Phone": "+86 21 1234 5678"}, True)
        emulator.clock.advance(2)
        with measured(connector.counters, list_calls) as delta:
            changed = sum(
                len(p.records) for p in connector.pull(EntityKind.CUSTOMER, pages[-1].cursor)
            )
        rows.append(report("zoho incremental pull", changed, math.ceil(changed / 200), delta))
        items = [
            PushItem(f"b{n}", WriteOp.CREATE, {"Account_Name": f"Benchmark Company {n} Ltd"})
            for n in range(writes)
        ]
        with measured(connector.counters, "POST /crm/v8/Accounts/upsert") as push:
            results = connector.push(EntityKind.CUSTOMER, items)
        ok = sum(r.outcome is PushOutcome.OK for r in results)
        rows.append(report("zoho upsert (batches of 100)", ok, math.ceil(writes / 100), push))
    finally:
        connector.close()
    return rows


def fxiaoke_runs(
    emulator: FxiaokeEmulator, url: str, edits: int, writes: int
) -> list[dict[str, Any]]:
    creds = emulator.credentials()
    settings = FxiaokeSettings(
        app_id=SecretStr(creds["appId"]),
        app_secret=SecretStr(creds["appSecret"]),
        permanent_code=SecretStr(creds["permanentCode"]),
        current_open_user_id=creds["currentOpenUserId"],
        base_url=url,
    )
    connector = FxiaokeConnector("fxiaoke", settings, now=clock_of(emulator))
    rows: list[dict[str, Any]] = []
    query = "POST /cgi/crm/v2/data/query"
    try:
        with measured(connector.counters, query) as full:
            pages = list(connector.pull(EntityKind.CUSTOMER, None))
        count = sum(len(p.records) for p in pages)
        rows.append(report("fxiaoke full pull (AccountObj)", count, math.ceil(count / 100), full))
        ids = sorted(r.remote_id for p in pages for r in p.records)[:edits]
        with emulator.lock:
            emulator.automation("AccountObj", ids, {"remark": "benchmark"}, False)
        emulator.clock.advance(2)
        with measured(connector.counters, query) as delta:
            changed = sum(
                len(p.records) for p in connector.pull(EntityKind.CUSTOMER, pages[-1].cursor)
            )
        rows.append(report("fxiaoke incremental pull", changed, math.ceil(changed / 100), delta))
        owner = creds["currentOpenUserId"]
        items = [
            PushItem(f"f{n}", WriteOp.CREATE, {"name": f"基准公司{n}", "owner": [owner]})
            for n in range(writes)
        ]
        started = connector.counters.snapshot().total_calls
        with measured(connector.counters, "POST /cgi/crm/v2/data/create") as push:
            results = connector.push(EntityKind.CUSTOMER, items)
        push["calls"] = connector.counters.snapshot().total_calls - started  # search + create
        ok = sum(r.outcome is PushOutcome.OK for r in results)
        rows.append(report("fxiaoke create (search first, 1/record)", ok, writes, push))
    finally:
        connector.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=60.0)
    parser.add_argument("--jitter-ms", type=float, default=30.0)
    parser.add_argument("--customers", type=int, default=4800)
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--zoho-writes", type=int, default=1000)
    parser.add_argument("--fxiaoke-writes", type=int, default=40)
    args = parser.parse_args()
    world = generate_world(
        WorldSpec(customers=args.customers, contacts=100, opportunities=50, seed=8)
    )
    zoho, fxiaoke = ZohoEmulator.from_world(world), FxiaokeEmulator.from_world(world)
    rows: list[dict[str, Any]] = []
    for emulator in (zoho, fxiaoke):
        emulator.set_faults(latency_ms=args.latency_ms, jitter_ms=args.jitter_ms, seed=1)
        emulator.clock.advance(2)
    print(f"latency {args.latency_ms} ms + up to {args.jitter_ms} ms per call")
    with running(zoho) as zoho_url:
        rows += zoho_runs(zoho, zoho_url, args.edits, args.zoho_writes)
    with running(fxiaoke) as fx_url:
        rows += fxiaoke_runs(fxiaoke, fx_url, args.edits, args.fxiaoke_writes)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms, "runs": rows}, indent=2
        )
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
