"""Writes through the whole worker path (outbox -> relay -> broker -> writer -> CRM -> results)
against both emulators with realistic latency: writes/s and API calls used, next to the
minimum calls possible and the ceiling the emulator's limits allow.

    .venv/bin/python -m benchmarks.writes [--zoho 2000] [--fxiaoke 120] [--latency-ms 150]

(as a module from the repository root, so `benchmarks._common` imports)

Zoho takes up to 100 records a call and allows 15 calls in flight (Professional edition);
Fxiaoke writes one record a call, at most 100 calls per endpoint in any 20 s. One writer
process pushes one batch of a connection at a time, so its own ceiling is one call per round
trip and connection. The third run writes to both at once, interleaved as a first sync plans
them: Zoho's figure there is its writes/s until its last write was done, beside Fxiaoke's.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks._common import write_results
from connectors.emulator.serve import running
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.zoho.emulator import ZohoEmulator
from core.config import load_config
from core.store import Entity, OutboxItem, Store
from core.store.base import utcnow
from workers.broker import PARTITIONS
from workers.consume import WriterLoop
from workers.runtime import worker_parts

CONFIG = """
database: {{url: "sqlite:///{folder}/bench.db"}}
broker: {{url: "{broker}"}}
connections:
  zoho:
    type: zoho
    base_url: {zoho}
    credentials:
      client_id: env:B_ZOHO_ID
      client_secret: env:B_ZOHO_SECRET
      refresh_token: env:B_ZOHO_REFRESH
  fxiaoke:
    type: fxiaoke
    base_url: {fxiaoke}
    credentials:
      app_id: env:B_FX_ID
      app_secret: env:B_FX_SECRET
      permanent_code: env:B_FX_CODE
    options:
      current_open_user_id: {user}
workers: workers.yaml
"""


def customer_payload(connection: str, name: str, owner: str) -> dict[str, Any]:
    if connection == "zoho":
        return {"Account_Name": name, "Description": "bench"}
    return {"name": name, "owner": [owner]}


def plan_creates(store: Store, counts: dict[str, int], *, run: str, owner: str) -> None:
    """Customer creates in the outbox, as the planner commits them: `counts[connection]` for
    each, interleaved (the first of each connection, then the second of each, ...); the
    names carry `run`, so no run finds another's records."""
    with store.transaction() as session:
        for n in range(max(counts.values())):
            for connection, count in counts.items():
                if n >= count:
                    continue
                entity = Entity(kind="customer", data={"name": f"bench {run} {connection} {n}"})
                session.add(entity)
                session.flush()
                session.add(
                    OutboxItem(
                        connection=connection,
                        kind="customer",
                        entity_id=entity.id,
                        operation="create",
                        mode="upsert",
                        payload=customer_payload(connection, f"{run} {n:05d} 有限公司", owner),
                        partition=entity.id.int % PARTITIONS,
                        priority=0,
                        idempotency_key=f"bench:{run}:{connection}:{n}",
                    )
                )


def calls_of(emulator: Any) -> tuple[int, dict[str, int]]:
    """Every API call the emulator answered (token calls too), and per endpoint."""
    counts = emulator.log.counts()
    return int(counts["total"]), dict(counts["by_endpoint"])


def finished_after(store: Store, connection: str, started: datetime) -> float:
    """Seconds from `started` to the last write of `connection` being done."""
    with store.transaction() as session:
        last = session.scalar(
            sa.select(sa.func.max(OutboxItem.done_at)).where(OutboxItem.connection == connection)
        )
    return (last - started).total_seconds() if last is not None else 0.0


def write_all(store: Store, config_path: Path) -> tuple[float, dict[str, int]]:
    parts = worker_parts(load_config(config_path), store)
    loop = WriterLoop(
        store,
        parts.target,
        parts.writer,
        parts.loop_settings(until_idle=True),
        budgets=parts.budgets,
    )
    started = time.perf_counter()
    try:
        loop.run()
    finally:
        parts.close()
    seconds = time.perf_counter() - started
    with store.transaction() as session:
        statuses = dict(
            session.execute(
                sa.select(OutboxItem.status, sa.func.count()).group_by(OutboxItem.status)
            ).all()
        )
    return seconds, {str(k): int(v) for k, v in statuses.items()}


def figures(
    name: str, records: int, seconds: float, calls: int, minimum: int, ceiling: float, **more: Any
) -> dict[str, Any]:
    row = {
        "run": name,
        "records": records,
        "seconds": round(seconds, 2),
        "writes_per_s": round(records / seconds, 1),
        "api_calls": calls,
        "minimum_calls": minimum,
        "ceiling_writes_per_s": round(ceiling, 1),
        **more,
    }
    print(
        f"{name:<34} {records:>6} records {seconds:>7.1f} s {row['writes_per_s']:>8.1f} writes/s"
        f" | calls {calls:>5} (minimum {minimum}) | ceiling {ceiling:,.1f} writes/s"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zoho", type=int, default=2000, help="records written to Zoho")
    parser.add_argument("--fxiaoke", type=int, default=120, help="records written to Fxiaoke")
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument("--jitter-ms", type=float, default=50.0)
    parser.add_argument("--broker", default="filesystem", help="filesystem, or a redis:// URL")
    args = parser.parse_args()
    zoho, fxiaoke = ZohoEmulator(seed=3), FxiaokeEmulator(seed=3)
    for emulator in (zoho, fxiaoke):
        emulator.set_faults(latency_ms=args.latency_ms, jitter_ms=args.jitter_ms, seed=1)
    mean_s = (args.latency_ms + args.jitter_ms / 2) / 1000
    zc, fc = zoho.credentials(), fxiaoke.credentials()
    os.environ.update(
        B_ZOHO_ID=zc["client_id"],
        B_ZOHO_SECRET=zc["client_secret"],
        B_ZOHO_REFRESH=zc["refresh_token"],
        B_FX_ID=fc["appId"],
        B_FX_SECRET=fc["appSecret"],
        B_FX_CODE=fc["permanentCode"],
    )
    rows = []
    print(f"latency {args.latency_ms} ms + up to {args.jitter_ms} ms per call, {args.broker}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        running(zoho) as zoho_url,
        running(fxiaoke) as fx_url,
    ):
        folder = Path(tmp)
        broker = f"filesystem://{folder}/broker" if args.broker == "filesystem" else args.broker
        config = folder / "crmhub.yaml"
        config.write_text(
            CONFIG.format(
                folder=folder,
                broker=broker,
                zoho=zoho_url,
                fxiaoke=fx_url,
                user=fc["currentOpenUserId"],
            )
        )
        (folder / "workers.yaml").write_text("{}\n")  # the shipped defaults
        store = Store.open(f"sqlite:///{folder}/bench.db")
        try:
            store.upgrade()
            owner = fc["currentOpenUserId"]
            plan_creates(store, {"zoho": args.zoho}, run="基准", owner=owner)
            seconds, statuses = write_all(store, config)
            limits = zoho.limits
            calls, endpoints = calls_of(zoho)
            zoho_calls_alone = calls
            rows.append(
                figures(
                    "zoho (upsert, 100 a call)",
                    args.zoho,
                    seconds,
                    calls,
                    math.ceil(args.zoho / limits.max_batch),
                    limits.concurrency * limits.max_batch / mean_s,
                    one_writer_ceiling_writes_per_s=round(limits.max_batch / mean_s, 1),
                    credits_used=math.ceil(args.zoho / limits.records_per_credit),
                    credits_per_day=limits.credits,
                    outbox=statuses,
                    endpoints=endpoints,
                )
            )
            plan_creates(store, {"fxiaoke": args.fxiaoke}, run="基准", owner=owner)
            seconds, statuses = write_all(store, config)
            fl = fxiaoke.limits
            calls, endpoints = calls_of(fxiaoke)
            rows.append(
                figures(
                    "fxiaoke (create, 1 a call)",
                    args.fxiaoke,
                    seconds,
                    calls,
                    args.fxiaoke,
                    fl.endpoint_calls / fl.endpoint_window_s,
                    one_writer_ceiling_writes_per_s=round(1 / mean_s, 1),
                    endpoint_window=f"{fl.endpoint_calls} calls / {fl.endpoint_window_s:g} s",
                    outbox=statuses,
                    endpoints=endpoints,
                )
            )
            # both at once, interleaved as a first sync plans them: each CRM at its own pace
            mixed_zoho, mixed_fx = args.zoho, args.fxiaoke
            plan_creates(store, {"zoho": mixed_zoho, "fxiaoke": mixed_fx}, run="混合", owner=owner)
            started = utcnow()
            seconds, statuses = write_all(store, config)
            zoho_s = finished_after(store, "zoho", started)
            rows.append(
                figures(
                    "zoho beside fxiaoke (interleaved)",
                    mixed_zoho,
                    zoho_s,
                    calls_of(zoho)[0] - zoho_calls_alone,
                    math.ceil(mixed_zoho / limits.max_batch),
                    limits.concurrency * limits.max_batch / mean_s,
                    fxiaoke_records=mixed_fx,
                    fxiaoke_done_after_s=round(finished_after(store, "fxiaoke", started), 2),
                    all_done_after_s=round(seconds, 2),
                    outbox=statuses,
                )
            )
        finally:
            store.close()
    path = write_results(
        "writes",
        {
            "latency_ms": args.latency_ms,
            "jitter_ms": args.jitter_ms,
            "broker": args.broker,
            "runs": rows,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
