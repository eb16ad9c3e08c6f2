"""How fast the emulators load a big world and serve pages over real HTTP.

    .venv/bin/python benchmarks/emulator_load.py [--customers 100000] [--pages 300]

Prints the time to generate the world, to load it into each emulator, and pages per second of
a full incremental pull over loopback HTTP (Zoho: 200 per page, page_token past 2000; Fxiaoke:
100 per page, keyset on `_id` as the vendor advises for deep paging). Writes
benchmarks/results/emulator_load.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import httpx

from connectors.emulator.serve import running
from connectors.emulator.world import WorldSpec, generate_world
from connectors.fxiaoke.emulator import FxiaokeEmulator
from connectors.zoho.emulator import ZohoEmulator


def _timed(what: str, figures: dict[str, Any], fn: Any) -> Any:
    started = time.perf_counter()
    result = fn()
    figures[what] = round(time.perf_counter() - started, 2)
    print(f"{what}: {figures[what]} s")
    return result


def zoho_pages(emulator: ZohoEmulator, pages: int) -> tuple[int, float]:
    creds = emulator.credentials()
    with running(emulator) as url, httpx.Client(base_url=url, timeout=30) as client:
        token = client.post(
            "/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                **{k: creds[k] for k in ("client_id", "client_secret", "refresh_token")},
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Zoho-oauthtoken {token}"}
        params: dict[str, str] = {
            "fields": "Account_Name,Phone,Owner,Modified_Time,Billing_City",
            "sort_by": "Modified_Time",
            "sort_order": "asc",
            "per_page": "200",
        }
        started, done, page = time.perf_counter(), 0, 1
        token_next: str | None = None
        while done < pages:
            query = (
                {**params, "page_token": token_next}
                if token_next
                else {**params, "page": str(page)}
            )
            body = client.get("/crm/v8/Accounts", params=query, headers=headers).json()
            done += 1
            if not body["info"]["more_records"]:
                break
            token_next, page = body["info"]["next_page_token"], page + 1
        return done, time.perf_counter() - started


def fxiaoke_pages(emulator: FxiaokeEmulator, pages: int) -> tuple[int, float]:
    creds = emulator.credentials()
    with running(emulator) as url, httpx.Client(base_url=url, timeout=30) as client:
        keys = {k: creds[k] for k in ("appId", "appSecret", "permanentCode")}
        token = client.post("/cgi/corpAccessToken/get/V2", json=keys).json()
        auth = {
            "corpAccessToken": token["corpAccessToken"],
            "corpId": token["corpId"],
            "currentOpenUserId": creds["currentOpenUserId"],
        }
        emulator.set_limits(endpoint_calls=10**9)  # measure the server, not the 100/20 s window
        started, done, last = time.perf_counter(), 0, ""
        while done < pages:
            filters = (
                [{"field_name": "_id", "field_values": [last], "operator": "GT"}] if last else []
            )
            info = {
                "limit": 100,
                "offset": 0,
                "filters": filters,
                "orders": [{"fieldName": "_id", "isAsc": True}],
            }
            body = client.post(
                "/cgi/crm/v2/data/query",
                json={
                    **auth,
                    "data": {"dataObjectApiName": "AccountObj", "search_query_info": info},
                },
            ).json()
            done += 1
            rows = body["data"]["dataList"]
            if len(rows) < 100:
                break
            last = rows[-1]["_id"]
        return done, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    n = args.customers
    figures: dict[str, Any] = {"customers": n, "contacts": 2 * n, "opportunities": n}
    spec = WorldSpec(customers=n, contacts=2 * n, opportunities=n, overlap=1.0, seed=7)
    world = _timed("generate_world_s", figures, lambda: generate_world(spec))
    zoho = _timed("zoho_load_s", figures, lambda: ZohoEmulator.from_world(world))
    fxiaoke = _timed("fxiaoke_load_s", figures, lambda: FxiaokeEmulator.from_world(world))
    figures["zoho_rows"] = {m: len(s) for m, s in zoho.modules.items()}
    figures["fxiaoke_rows"] = {m: len(s) for m, s in fxiaoke.modules.items()}
    print("rows:", figures["zoho_rows"], figures["fxiaoke_rows"])
    for name, run, emulator in (("zoho", zoho_pages, zoho), ("fxiaoke", fxiaoke_pages, fxiaoke)):
        pages, seconds = run(emulator, args.pages)  # type: ignore[operator]
        figures[f"{name}_pages"] = pages
        figures[f"{name}_pages_per_s"] = round(pages / seconds, 1)
        print(f"{name}: {pages} pages in {seconds:.2f} s = {pages / seconds:.1f} pages/s")
    out = Path(__file__).parent / "results" / "emulator_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
