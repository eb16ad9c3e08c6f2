"""How fast remote records become canonical records: records/s per connector and entity.

Generates realistic payloads shaped as Zoho (v8) and Fxiaoke (v2) send them (Chinese and
English names, phones in local and international spellings, Decimal amounts as a connector
parses them with parse_float=Decimal, ISO and epoch-ms times, about 1% malformed records),
maps them in pages of 200 with `Mapper.pull_batch`, and prints records/s. Writes
benchmarks/results/mapping_throughput.json.

    .venv/bin/python benchmarks/mapping_throughput.py [--records 100000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from mapping.maps import Mapper, MappingContext, load_map

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "mapping_throughput.json"
PAGE = 200

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟"]
FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson"]
CN_CITIES = [
    ("深圳市", "广东省", "0755"),
    ("北京市", "北京市", "010"),
    ("上海市", "上海", "021"),
    ("杭州市", "浙江省", "0571"),
    ("成都市", "四川省", "028"),
    ("武汉市", "湖北", "027"),
]
US_CITIES = [("Austin", "TX"), ("Seattle", "Washington"), ("Boston", "MA"), ("Denver", "CO")]
TRADES = ["腾讯科技", "华为技术", "阿里巴巴网络", "比亚迪汽车", "美的电器", "海尔智家", "顺丰物流"]
EN_TRADES = ["Zylker", "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell"]
ZOHO_STAGES = [
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]


@dataclass(frozen=True, slots=True)
class Remote:
    remote_id: str
    payload: dict[str, Any]


def _zoho_id(rng: random.Random) -> str:
    return str(5725767000000000000 + rng.randrange(10**12))


def _iso(rng: random.Random) -> str:
    moment = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(60_000_000))
    return moment.astimezone().replace(microsecond=0).isoformat()


def _ms(rng: random.Random) -> int:
    return 1_672_531_200_000 + rng.randrange(60_000_000_000)


def _cn_mobile(rng: random.Random) -> str:
    digits = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    return rng.choice([digits, f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"+86 {digits}"])


def _owner_zoho(rng: random.Random) -> dict[str, str]:
    n = rng.randrange(20)
    return {"name": f"Rep {n}", "id": str(5725767000000411000 + n), "email": f"rep{n}@zylker.com"}


def zoho_customer(rng: random.Random) -> dict[str, Any]:
    chinese = rng.random() < 0.5
    if chinese:
        city, province, area = rng.choice(CN_CITIES)
        name = f"{city}{rng.choice(TRADES)}有限公司"
        phone, country, state = f"{area}-{rng.randrange(10**7, 10**8)}", "中国", province
    else:
        city, state = rng.choice(US_CITIES)
        name = f"{rng.choice(EN_TRADES)} {rng.choice(['Inc', 'Corp.', 'LLC', 'Ltd'])}"
        phone, country = f"+1 ({rng.randrange(201, 989)}) 555-{rng.randrange(10000):04d}", "USA"
    return {
        "id": _zoho_id(rng),
        "Account_Name": name,
        "Website": f"https://www.site{rng.randrange(10**6)}.com",
        "Phone": phone,
        "Industry": rng.choice(["Technology", "Manufacturing", "Retail", None]),
        "Annual_Revenue": Decimal(rng.randrange(10**9)) / 100,
        "Currency": rng.choice(["CNY", "USD"]),
        "Employees": rng.randrange(1, 5000),
        "Billing_Street": "1 Main St",
        "Billing_City": city,
        "Billing_State": state,
        "Billing_Code": f"{rng.randrange(10**5):05d}",
        "Billing_Country": country,
        "Description": None,
        "Tag": [],
        "Customer_Tier": rng.choice("ABC"),
        "Credit_Code": None,
        "Owner": _owner_zoho(rng),
        "Created_Time": _iso(rng),
        "Modified_Time": _iso(rng),
    }


def zoho_contact(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.5:
        first, last = rng.choice(GIVEN), rng.choice(SURNAMES)
        full, email = last + first, f"user{rng.randrange(10**7)}@qq.com"
    else:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        full, email = f"{first} {last}", f"{first}.{last}{rng.randrange(10**5)}@Zylker.com"
    return {
        "id": _zoho_id(rng),
        "First_Name": first,
        "Last_Name": last,
        "Full_Name": full,
        "Email": email,
        "Secondary_Email": None,
        "Phone": None,
        "Mobile": _cn_mobile(rng),
        "Title": "CTO",
        "Department": "IT",
        "Account_Name": {"name": "Zylker Inc", "id": _zoho_id(rng)},
        "Mailing_Street": None,
        "Mailing_City": "Austin",
        "Mailing_State": "TX",
        "Mailing_Zip": "73301",
        "Mailing_Country": "USA",
        "Owner": _owner_zoho(rng),
        "Created_Time": _iso(rng),
        "Modified_Time": _iso(rng),
    }


def zoho_opportunity(rng: random.Random) -> dict[str, Any]:
    return {
        "id": _zoho_id(rng),
        "Deal_Name": f"Renewal {rng.randrange(10**5)}",
        "Stage": rng.choice(ZOHO_STAGES),
        "Pipeline": "Standard (Standard)",
        "Amount": Decimal(rng.randrange(10**8)) / 100,
        "Currency": "CNY",
        "Closing_Date": f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        "Probability": rng.randrange(101),
        "Account_Name": {"name": "Zylker", "id": _zoho_id(rng)},
        "Contact_Name": {"name": "Jane Doe", "id": _zoho_id(rng)},
        "Owner": _owner_zoho(rng),
        "Created_Time": _iso(rng),
        "Modified_Time": _iso(rng),
    }


def _fx_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(96):024x}"


def _fx_owner(rng: random.Random) -> list[str]:
    return [f"FSUID_{rng.randrange(20):032X}"]


def fxiaoke_customer(rng: random.Random) -> dict[str, Any]:
    city, province, area = rng.choice(CN_CITIES)
    return {
        "_id": _fx_id(rng),
        "name": f"{city}{rng.choice(TRADES)}有限公司",
        "tel": f"{area}-{rng.randrange(10**7, 10**8)}",
        "email": f"info{rng.randrange(10**6)}@163.com",
        "url": f"www.site{rng.randrange(10**6)}.cn",
        "industry_level1": str(rng.randrange(1, 14)),
        "account_level": rng.choice("ABC"),
        "country": "中国",
        "province": province,
        "city": city,
        "address": "科技园南区",
        "remark": None,
        "uniform_social_credit_code": "91440300708461136T",
        "owner": _fx_owner(rng),
        "owner__r": "张伟",
        "create_time": _ms(rng),
        "last_modified_time": _ms(rng),
        "life_status": "normal",
        "is_deleted": False,
        "lock_status": "0",
        "version": "3",
        "record_type": "default__c",
    }


def fxiaoke_contact(rng: random.Random) -> dict[str, Any]:
    full = (
        rng.choice(SURNAMES) + rng.choice(GIVEN)
        if rng.random() < 0.8
        else (f"{rng.choice(FIRST)} {rng.choice(LAST)}")
    )
    return {
        "_id": _fx_id(rng),
        "name": full,
        "account_id": _fx_id(rng),
        "account_id__r": "腾讯科技",
        "email": f"u{rng.randrange(10**7)}@qq.com",
        "tel1": f"0755-{rng.randrange(10**7, 10**8)}",
        "mobile1": _cn_mobile(rng),
        "job_title": "采购经理",
        "department": "采购部",
        "owner": _fx_owner(rng),
        "create_time": _ms(rng),
        "last_modified_time": _ms(rng),
        "life_status": "normal",
    }


def fxiaoke_opportunity(rng: random.Random) -> dict[str, Any]:
    stage = rng.randrange(1, 8)
    status = "2" if stage == 5 else "3" if stage in (6, 7) else "1"
    return {
        "_id": _fx_id(rng),
        "name": f"商机 {rng.randrange(10**5)}",
        "account_id": _fx_id(rng),
        "amount": f"{rng.randrange(10**8) / 100:.2f}",
        "close_date": 1_690_214_400_000,
        "sales_process_id": _fx_id(rng),
        "sales_stage": str(stage),
        "sales_stage__r": "赢单",
        "sales_status": status,
        "probability": rng.randrange(101),
        "owner": _fx_owner(rng),
        "create_time": _ms(rng),
        "last_modified_time": _ms(rng),
        "life_status": "normal",
    }


def _spoil(rng: random.Random, payload: dict[str, Any]) -> dict[str, Any]:
    """About 1% of real records have a bad value somewhere."""
    key = rng.choice([k for k in payload if k not in ("id", "_id")])
    return {**payload, key: rng.choice(["n/a", {"unexpected": 1}, "12,34", "x@"])}


GENERATORS: dict[tuple[str, str], Callable[[random.Random], dict[str, Any]]] = {
    ("zoho", "customer"): zoho_customer,
    ("zoho", "contact"): zoho_contact,
    ("zoho", "opportunity"): zoho_opportunity,
    ("fxiaoke", "customer"): fxiaoke_customer,
    ("fxiaoke", "contact"): fxiaoke_contact,
    ("fxiaoke", "opportunity"): fxiaoke_opportunity,
}


def records(connector: str, entity: str, count: int, seed: int) -> list[Remote]:
    rng = random.Random(f"{seed}-{connector}-{entity}")
    make = GENERATORS[(connector, entity)]
    out = []
    for _ in range(count):
        payload = make(rng)
        if rng.random() < 0.01:
            payload = _spoil(rng, payload)
        out.append(Remote(str(payload.get("id") or payload.get("_id")), payload))
    return out


def pages(items: list[Remote]) -> Iterator[list[Remote]]:
    for start in range(0, len(items), PAGE):
        yield items[start : start + PAGE]


def run(total: int, seed: int) -> dict[str, Any]:
    mappers = {
        name: Mapper(load_map(ROOT / "config" / "mappings" / f"{name}.yaml"), MappingContext(name))
        for name in ("zoho", "fxiaoke")
    }
    per_combo = max(1, total // len(GENERATORS))
    rows = []
    for (connector, entity), _ in GENERATORS.items():
        items = records(connector, entity, per_combo, seed)
        mapper = mappers[connector]
        mapped = quarantined = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        for page in pages(items):
            batch = mapper.pull_batch(entity, page)
            mapped += len(batch.mapped)
            quarantined += len(batch.quarantined)
        seconds = time.perf_counter() - started
        # CPU time too: on a shared machine the wall clock also counts other processes' turns
        cpu = time.process_time() - cpu_started
        rows.append(
            {
                "connector": connector,
                "entity": entity,
                "records": len(items),
                "mapped": mapped,
                "quarantined": quarantined,
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu, 3),
                "records_per_s": round(len(items) / seconds),
                "records_per_cpu_s": round(len(items) / cpu),
            }
        )
        print(
            f"{connector:8s} {entity:12s} {len(items):7d} records  {seconds:6.2f} s  "
            f"{len(items) / seconds:7.0f} records/s  {len(items) / cpu:7.0f} records/cpu-s  "
            f"({quarantined} quarantined)"
        )
    count = sum(r["records"] for r in rows)
    seconds = sum(r["seconds"] for r in rows)
    cpu = sum(r["cpu_seconds"] for r in rows)
    print(
        f"{'all':21s} {count:7d} records  {seconds:6.2f} s  {count / seconds:7.0f} records/s  "
        f"{count / cpu:7.0f} records/cpu-s  (load average {os.getloadavg()[0]:.1f})"
    )
    return {
        "benchmark": "mapping_throughput",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "page_size": PAGE,
        "total_records": count,
        "total_seconds": round(seconds, 3),
        "total_cpu_seconds": round(cpu, 3),
        "records_per_s": round(count / seconds),
        "records_per_cpu_s": round(count / cpu),
        "load_average": round(os.getloadavg()[0], 2),
        "results": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="total over all six maps")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    args = parser.parse_args()
    if args.profile:
        profiler = cProfile.Profile()
        result = profiler.runcall(run, args.records, args.seed)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    else:
        result = run(args.records, args.seed)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
