"""How fast assignment runs: customers/s for a whole customer base, SQLite and PostgreSQL.

Generates customers directly into a fresh store (Chinese provinces and a few other countries,
industries, revenues in CNY/USD/EUR so tiering converts, a fifth linked to a CRM record whose
owner they adopt), a directory of 40 owners in regional teams with tier capacities, and rules
using every strategy. Then times `run_assignment` twice: the first run decides every customer
(tiering, rules, strategies, decision rows, audit entries), the second finds nothing to change
(stickiness). Prints customers/s by wall clock and by CPU time (the machine is shared) and
writes benchmarks/results/assignment_throughput.json.

    .venv/bin/python benchmarks/assignment_throughput.py [--customers 100000]
        [--backends sqlite,postgresql] [--batch-size 2000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from connectors.protocol import RemoteUser
from core.assignment import (
    AssignmentConfig,
    AssignmentPolicy,
    RunSummary,
    run_assignment,
    sync_crm_users,
)
from core.store import Entity, Link, SourceRecord, Store, make_engine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "assignment_throughput.json"
PG_ADMIN = os.environ.get(
    "CRMHUB_TEST_PG_URL", "postgresql+psycopg://crmhub:crmhub@127.0.0.1:5432/postgres"
)
REGIONS = {
    "south": ["CN-GD", "CN-FJ", "CN-GX", "CN-HI"],
    "east": ["CN-SH", "CN-JS", "CN-ZJ", "CN-AH"],
    "north": ["CN-BJ", "CN-TJ", "CN-HE", "CN-SD"],
    "west": ["CN-SC", "CN-CQ", "CN-SN", "CN-YN"],
}
ABROAD = ["SG", "DE", "US", "JP", "GB"]
INDUSTRIES = ["Manufacturing", "Retail", "Banking", "Healthcare", "Logistics", "Electronics"]


def policy_text() -> str:
    owners, teams = [], {}
    for team, regions in REGIONS.items():
        members = []
        for i in range(9):
            email = f"{team}{i}@example.com"
            members.append(email)
            owners.append(
                {
                    "email": email,
                    "regions": regions,
                    "industries": INDUSTRIES[i % 6 : i % 6 + 2],
                    "capacity": {"A": 200, "B": 1500, "C": 4000},
                }
            )
        teams[team] = {"members": members}
    abroad = [f"intl{i}@example.com" for i in range(4)]
    owners += [{"email": e, "regions": ABROAD, "capacity": {"A": 100}} for e in abroad]
    teams["intl"] = {"members": [{"email": e, "weight": 1 + i % 2} for i, e in enumerate(abroad)]}
    teams["senior"] = {"members": [f"{t}0@example.com" for t in REGIONS]}
    rules: list[dict[str, Any]] = [
        {
            "id": "banks",
            "when": {"tier": "A", "industry": "Banking"},
            "strategy": "fixed",
            "owners": ["north0@example.com", "east0@example.com"],
        },
        {"id": "key-accounts", "when": {"tier": "A"}, "strategy": "least_loaded", "team": "senior"},
    ]
    for team, regions in REGIONS.items():
        rules.append(
            {
                "id": team,
                "when": {"region": {"in": regions}},
                "strategy": "round_robin",
                "team": team,
            }
        )
    rules += [
        {"id": "intl", "when": {"country": {"in": ABROAD}}, "strategy": "weighted", "team": "intl"},
        {
            "id": "experts",
            "when": {"industry": {"exists": True}},
            "strategy": "expertise",
            "match": ["industry"],
        },
        {"id": "pool", "strategy": "pool"},
    ]
    config = {
        "currency": {"base": "CNY", "rates": {"USD": "7.10", "EUR": "7.80"}},
        "tiers": {
            "by": "annual_revenue",
            "thresholds": {"A": "100000000 CNY", "B": "10000000 CNY"},
        },
        "owners": owners,
        "teams": teams,
        "reassign": {"over_capacity": True},
        "rules": rules,
    }
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def generate(store: Store, policy: AssignmentPolicy, customers: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    users = [RemoteUser(f"Z{i}", o.email, o.email) for i, o in enumerate(policy.owners)]
    with store.transaction() as session:
        sync_crm_users(session, "zoho", users, settings=policy.owners)
    for start in range(0, customers, 10_000):
        entities, links, records = [], [], []
        for n in range(start, min(customers, start + 10_000)):
            entity_id = uuid.UUID(int=rng.getrandbits(128))
            if rng.random() < 0.9:
                address = {
                    "country": "CN",
                    "region": rng.choice(rng.choice(list(REGIONS.values()))),
                }
            else:
                address = {"country": rng.choice([*ABROAD, "BR"])}
            # most customers are small; a few are key accounts (A ≥ 1亿 CNY, B ≥ 1000万)
            revenue = rng.choice(
                ["800000"] * 5 + ["2000000"] * 4 + ["30000000"] * 2 + ["300000000"]
            )
            data = {
                "name": f"客户{n:06d}有限公司",
                "industry": rng.choice(INDUSTRIES),
                "address": address,
                "annual_revenue": {
                    "amount": revenue,
                    "currency": rng.choice(["CNY"] * 6 + ["USD", "EUR"]),
                },
                "employee_count": rng.randrange(5, 20_000),
            }
            entities.append({"id": entity_id, "kind": "customer", "data": data})
            if rng.random() < 0.2:  # known in Zoho with an owner: adopted
                remote = f"A{n}"
                user = rng.choice(users).remote_id
                links.append(
                    {
                        "entity_id": entity_id,
                        "connection": "zoho",
                        "kind": "customer",
                        "remote_id": remote,
                    }
                )
                records.append(
                    {
                        "connection": "zoho",
                        "kind": "customer",
                        "remote_id": remote,
                        "raw": {},
                        "mapped": {"name": data["name"], "owner": {"remote_id": user}},
                    }
                )
        with store.transaction() as session:
            session.execute(sa.insert(Entity), entities)
            if links:
                session.execute(sa.insert(Link), links)
                session.execute(sa.insert(SourceRecord), records)


def timed(
    store: Store, policy: AssignmentPolicy, batch: int, profile: bool
) -> tuple[RunSummary, float, float]:
    profiler = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    if profile:
        profiler.enable()
    summary = run_assignment(store, policy, batch_size=batch)
    if profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return summary, time.perf_counter() - wall, time.process_time() - cpu


def bench(url: str, backend: str, customers: int, batch: int, profile: bool) -> dict[str, Any]:
    store = Store.open(url)
    try:
        store.upgrade()
        policy = AssignmentPolicy.from_config(
            AssignmentConfig.model_validate(yaml.safe_load(policy_text()))
        )
        generate(store, policy, customers)
        first, wall, cpu = timed(store, policy, batch, profile)
        second, wall2, cpu2 = timed(store, policy, batch, False)
    finally:
        store.close()
    result = {
        "backend": backend,
        "customers": customers,
        "batch_size": batch,
        "first_run": {
            "seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "customers_per_s": round(customers / wall),
            "cpu_customers_per_s": round(customers / cpu),
            **first.to_data(),
        },
        "second_run": {
            "seconds": round(wall2, 2),
            "cpu_seconds": round(cpu2, 2),
            "customers_per_s": round(customers / wall2),
            "decisions": dict(second.kinds),
        },
    }
    rate, cpu_rate = customers / wall, customers / cpu
    print(
        f"{backend:10} first run  {customers} customers in {wall:6.1f}s: {rate:7.0f} customers/s"
        f" (CPU {cpu_rate:.0f}/s)  {dict(first.kinds)}"
    )
    rate = customers / wall2
    print(
        f"{backend:10} second run {customers} customers in {wall2:6.1f}s: {rate:7.0f} customers/s"
        f"  {dict(second.kinds)}"
    )
    return result


def pg_database() -> tuple[str, sa.Engine, str] | None:
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"crmhub_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        print(f"postgresql skipped: {str(exc).splitlines()[0]}")
        admin.dispose()
        return None
    return admin.url.set(database=name).render_as_string(hide_password=False), admin, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--profile", action="store_true", help="print the cProfile top of the first run"
    )
    args = parser.parse_args()
    results = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'bench.db'}"
                results.append(bench(url, "sqlite", args.customers, args.batch_size, args.profile))
        elif backend == "postgresql":
            made = pg_database()
            if made is None:
                continue
            url, admin, name = made
            try:
                results.append(
                    bench(url, "postgresql", args.customers, args.batch_size, args.profile)
                )
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": results,
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
