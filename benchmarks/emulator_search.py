"""What one Fxiaoke duplicate search costs the emulator when every search follows a write.

    .venv/bin/python benchmarks/emulator_search.py [--customers 100000] [--searches 200]

The Fxiaoke connector searches before each create (`connectors/fxiaoke/push.py`:
`find_duplicate` with `EQ`, `prefetch` with `IN` of 50 values) and every write changes the
object, so no cached answer survives from one search to the next. This calls the emulator's
`query` verb in process (no HTTP: the figure is the emulator's own CPU, which crmhub shares
when the emulators run in its process) on a store of `--customers` accounts, touching one row
between searches as a write stage does. Prints milliseconds per search (the first apart: it
builds the field's index) and writes benchmarks/results/emulator_search.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.fxiaoke.emulator.data import VERBS


def _filter(field: str, op: str, *values: Any) -> dict[str, Any]:
    return {"field_name": field, "operator": op, "field_values": list(values)}


def _search(field: str, op: str, values: list[str], limit: int) -> dict[str, Any]:
    """The body `push.py` sends: live rows only, oldest first."""
    info = {
        "limit": limit,
        "offset": 0,
        "filters": [_filter(field, op, *values), _filter("life_status", "N", "invalid")],
        "orders": [{"fieldName": "create_time", "isAsc": True}],
        "fieldProjection": ["_id", field],
    }
    return {"data": {"dataObjectApiName": "AccountObj", "search_query_info": info}}


def search_ms(
    emulator: FxiaokeEmulator, bodies: list[dict[str, Any]], expect: int
) -> tuple[list[float], int]:
    """Ms of each search, each after a write; and how many found at least `expect` rows."""
    store = emulator.modules["AccountObj"]
    ids, user, query = list(store.rows), emulator.admin.open_user_id, VERBS["query"]
    spent, found = [], 0
    for step, body in enumerate(bodies):
        row = store.rows[ids[step % len(ids)]]
        emulator.update_row("AccountObj", row, {"remark": f"write {step}"}, user)
        started = time.perf_counter()
        reply = query(emulator, body, user, False)
        spent.append((time.perf_counter() - started) * 1000)
        found += len(reply["data"]["dataList"]) >= expect
    return spent, found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    spec = WorldSpec(
        customers=args.customers, contacts=0, opportunities=0, overlap=1.0, crms=("fxiaoke",)
    )
    emulator = FxiaokeEmulator.from_world(generate_world(spec))
    rows = list(emulator.modules["AccountObj"].rows.values())
    names = [str(r.fields["name"]) for r in rows if r.fields.get("name")]
    pick = random.Random(7)
    figures: dict[str, Any] = {"customers": len(rows), "searches": args.searches}
    eq = [_search("name", "EQ", [pick.choice(names)], 1) for _ in range(args.searches)]
    rounds = max(1, args.searches // 10)
    ins = [_search("name", "IN", pick.sample(names, 50), 100) for _ in range(rounds)]
    for what, bodies, expect in (("eq_name", eq, 1), ("in_50_names", ins, 50)):
        spent, found = search_ms(emulator, bodies, expect)
        first, rest = spent[0], statistics.mean(spent[1:] or spent)
        figures[f"{what}_first_ms"] = round(first, 3)  # builds the field's index, if any
        figures[f"{what}_ms_per_search"] = round(rest, 3)
        figures[f"{what}_found"] = f"{found}/{len(bodies)}"
        print(
            f"{what}: {rest:.3f} ms a search after a write (first {first:.1f} ms; "
            f"{found}/{len(bodies)} found)"
        )
    out = Path(__file__).parent / "results" / "emulator_search.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
