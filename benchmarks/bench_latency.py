"""Incremental matching: latency of matching one new record against a store of N entities.

    .venv/bin/python benchmarks/bench_latency.py \
        [--sizes 100000,1000000] [--backends sqlite,postgresql]

The store is bulk-loaded with N generated customers (golden record + blocking keys, computed
by the same matcher as production), then new records are matched one at a time with
`match_record` (the sync engine's call), each in its own transaction rolled back afterwards so
every probe sees the same store. Half the probes are spellings of stored customers (other
name form, phone format, city qualifier), half are new companies. Reported: median and p99
of the whole call (lookups, scoring, writing the decision) and of candidate search + scoring
alone, after 50 unmeasured warm-up matches (a running sync is warm), and the statements one
call sends per decision (the round trips on PostgreSQL; not timed). PostgreSQL at
$CRMHUB_BENCH_PG_URL (default the test server on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import sqlalchemy as sa
from _common import RESULTS, write_results

from connectors.emulator.world import pools
from core.config.matching import MatchingConfig
from core.matching import Matcher, match_record
from core.matching.scoring import score_candidates
from core.matching.store_index import find_candidates
from core.store import BlockingKey, Entity, Store, make_engine

PG_ADMIN = os.environ.get(
    "CRMHUB_BENCH_PG_URL", "postgresql+psycopg://crmhub:crmhub@127.0.0.1:5432/postgres"
)
CHUNK = 20_000


def company(rng: random.Random, index: int) -> dict[str, Any]:
    """A generated customer: unique brand per index, realistic name, phone, domain, city."""
    chars = pools.CN_BRAND_CHARS
    a, b, c = chars[index % 42], chars[(index // 42) % 42], chars[(index // 1764) % 42]
    city, _city_en, _p, region, area, _postal = pools.CITIES[(index // 74088) % len(pools.CITIES)]
    _code, cn_word, _en = pools.INDUSTRIES[rng.randrange(len(pools.INDUSTRIES))]
    brand = a[0] + b[0] + c[0]
    pinyin = a[1] + b[1] + c[1]
    suffix = rng.choice(pools.CN_LEGAL_SUFFIXES)
    return {
        "name": f"{city}市{brand}{cn_word}{suffix}",
        "phones": [f"+86{area}{20_000_000 + index:08d}"[:14]],
        "domain": f"{pinyin}{index}.com.cn",
        "website": f"www.{pinyin}{index}.com.cn",
        "industry": _code,
        "address": {"city": city, "region": region, "country": "CN"},
    }


def variant(record: dict[str, Any]) -> dict[str, Any]:
    """The same company as another CRM holds it: no city prefix, bracketed city, no website."""
    name = record["name"]
    city = record["address"]["city"]
    stem = name.removeprefix(f"{city}市")
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        if stem.endswith(suffix):
            stem = f"{stem[: -len(suffix)]}({city}){suffix}"
            break
    return {**record, "name": stem, "website": None, "domain": None}


def _rows(args: tuple[int, int, int]) -> list[tuple[dict[str, Any], list[tuple[str, str]]]]:
    start, stop, seed = args
    matcher = Matcher("customer", MatchingConfig().customer)
    rng = random.Random(seed * 7919 + start)
    out = []
    for index in range(start, stop):
        record = company(rng, index)
        out.append((record, list(matcher.keys(record))))
    return out


def generate(size: int, seed: int) -> list[tuple[dict[str, Any], list[tuple[str, str]]]]:
    """Golden records and their blocking keys (computed by the production matcher, in as many
    processes as there are CPUs)."""
    chunks = [(o, min(o + CHUNK, size), seed) for o in range(0, size, CHUNK)]
    rows: list[tuple[dict[str, Any], list[tuple[str, str]]]] = []
    start = time.perf_counter()
    with multiprocessing.Pool(os.cpu_count() or 1) as pool:
        for part in pool.imap(_rows, chunks):
            rows.extend(part)
            rate = len(rows) / (time.perf_counter() - start)
            print(f"\r  keys for {len(rows):>9,} / {size:,} ({rate:,.0f}/s)", end="", flush=True)
    print()
    return rows


def load(store: Store, rows: list[tuple[dict[str, Any], list[tuple[str, str]]]]) -> None:
    """Bulk-load the generated customers with their keys."""
    start = time.perf_counter()
    with store.engine.begin() as conn:
        for offset in range(0, len(rows), CHUNK):
            entities, keys = [], []
            for record, record_keys in rows[offset : offset + CHUNK]:
                entity_id = uuid.uuid4()
                entities.append({"id": entity_id, "kind": "customer", "data": record,
                                 "status": "active", "version": 1})  # fmt: skip
                keys.extend({"entity_id": entity_id, "kind": "customer", "key_type": t,
                             "key_value": v} for t, v in record_keys)  # fmt: skip
            conn.execute(sa.insert(Entity), entities)
            conn.execute(sa.insert(BlockingKey), keys)
            done = min(offset + CHUNK, len(rows))
            rate = done / (time.perf_counter() - start)
            print(f"\r  loaded {done:>9,} / {len(rows):,} ({rate:,.0f}/s)", end="", flush=True)
    print()
    with store.engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()


def probes(
    rows: list[tuple[dict[str, Any], list[tuple[str, str]]]], seed: int
) -> list[dict[str, Any]]:
    rng = random.Random(seed + 1)
    known = [variant(rows[rng.randrange(len(rows))][0]) for _ in range(100)]
    new = [company(rng, 50_000_000 + i) for i in range(100)]
    mixed = known + new
    rng.shuffle(mixed)
    return mixed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def warm_up(store: Store, records: list[dict[str, Any]]) -> None:
    """A running sync is warm: pool, caches and the index pages a lookup walks. Records that
    are not probes go through first and are not counted."""
    config = MatchingConfig()
    for index, record in enumerate(records):
        with store.sessions() as session:
            match_record(
                session, "customer", record, connection="warm", remote_id=f"w{index}",
                config=config,
            )  # fmt: skip
            session.rollback()


def measure(store: Store, records: list[dict[str, Any]]) -> dict[str, Any]:
    config = MatchingConfig()
    matcher = Matcher("customer", config.customer)
    whole, search, decisions = [], [], {}
    statements: dict[str, list[int]] = {}  # per decision: statements sent by one call
    sent = [0]

    def count(*_: Any) -> None:
        sent[0] += 1

    sa.event.listen(store.engine, "before_cursor_execute", count)
    for index, record in enumerate(records):
        with store.sessions() as session:
            sent[0] = 0
            start = time.perf_counter()
            outcome = match_record(
                session, "customer", record, connection="bench", remote_id=f"p{index}",
                config=config,
            )  # fmt: skip
            whole.append((time.perf_counter() - start) * 1000)
            statements.setdefault(outcome.decision.value, []).append(sent[0])
            session.rollback()
            decisions[outcome.decision.value] = decisions.get(outcome.decision.value, 0) + 1
            start = time.perf_counter()
            prepared = matcher.prepare(record)
            found = find_candidates(
                session, "customer", prepared.keys, max_block_size=1000, max_candidates=50
            )
            score_candidates(session, matcher, prepared, found.entity_ids)
            search.append((time.perf_counter() - start) * 1000)
            session.rollback()
    sa.event.remove(store.engine, "before_cursor_execute", count)
    return {
        "probes": len(records),
        "decisions": decisions,
        "statements_per_call": {d: statistics.median(n) for d, n in statements.items()},
        "match_record_ms": {
            "median": round(statistics.median(whole), 3), "p99": round(_percentile(whole, 0.99), 3)
        },
        "search_and_score_ms": {
            "median": round(statistics.median(search), 3),
            "p99": round(_percentile(search, 0.99), 3),
        },
    }  # fmt: skip


def open_store(backend: str, size: int, work: Path) -> tuple[Store, Any]:
    if backend == "sqlite":
        path = work / f"latency_{size}.db"
        path.unlink(missing_ok=True)
        return Store.open(f"sqlite:///{path}"), None
    name = f"crmhub_bench_{size}"
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    return Store.open(url), (admin, name)


def close_store(store: Store, cleanup: Any) -> None:
    store.close()
    if cleanup is not None:
        admin, name = cleanup
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--work", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size:,} entities")
        rows = generate(size, seed=size)
        records = probes(rows, seed=size)
        for backend in args.backends.split(","):
            print(f"{backend}, {size:,} entities")
            store, cleanup = open_store(backend, size, work)
            try:
                store.upgrade()
                started = time.perf_counter()
                load(store, rows)
                loaded = time.perf_counter() - started
                warm_up(store, probes(rows, seed=size + 1)[:50])
                before = os.getloadavg()[0]
                figures = measure(store, records)
                figures["load_seconds"] = round(loaded, 1)
                # the machine is shared: the 1-minute load average around the measurement
                figures["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]
                results[f"{backend}_{size}"] = figures
                print(f"  {figures}")
            finally:
                close_store(store, cleanup)
                if backend == "sqlite":
                    (work / f"latency_{size}.db").unlink(missing_ok=True)
    previous = RESULTS / "latency.json"
    if previous.exists():  # runs of some sizes or backends add to the others' figures
        kept = json.loads(previous.read_text())
        kept.pop("machine", None)
        results = {**kept, **results}
    print(f"written to {write_results('latency', results)}")


if __name__ == "__main__":
    main()
