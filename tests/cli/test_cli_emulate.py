"""`crmhub emulate` as a user runs it: a subprocess that prints its URL and credentials, answers
a client written from the API references alone, and stops cleanly on SIGTERM / SIGINT."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CRMHUB = str(Path(sys.executable).parent / "crmhub")


@contextmanager
def emulate(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    process = subprocess.Popen(
        [CRMHUB, "emulate", *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    printed: dict[str, str] = {}
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while "admin API" not in printed and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            key, _, value = line.partition(": ")
            printed[key.strip()] = value.strip()
        assert "base URL" in printed, process.stderr.read() if process.stderr else ""
        yield process, printed
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _stop(process: subprocess.Popen[str], how: signal.Signals) -> int:
    process.send_signal(how)
    return process.wait(timeout=10)


def test_zoho_emulator_answers_a_reference_client_and_stops_on_sigterm() -> None:
    with emulate("zoho", "--generate", "customers=30,contacts=40,opportunities=20") as (proc, out):
        base = out["base URL"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        with httpx.Client(timeout=10) as client:
            # reference §1.2: refresh-token grant as a form body; §1.4: Zoho-oauthtoken header
            token = client.post(
                f"{base}/oauth/v2/token",
                data={
                    "grant_type": "refresh_token",
                    "client_id": out["client_id"],
                    "client_secret": out["client_secret"],
                    "refresh_token": out["refresh_token"],
                },
            ).json()
            api = token["api_domain"]
            response = client.get(
                f"{api}/crm/v8/Accounts",
                params={"fields": "Account_Name,Owner,Modified_Time", "sort_by": "Modified_Time"},
                headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"},
            )
        assert response.status_code == 200
        body = response.json()
        assert body["info"]["count"] == len(body["data"]) > 0
        assert _stop(proc, signal.SIGTERM) == 0


def test_fxiaoke_emulator_answers_a_reference_client_and_stops_on_sigint() -> None:
    with emulate("fxiaoke", "--generate", "customers=30,contacts=40,opportunities=20") as (
        proc,
        out,
    ):
        base = out["base URL"]
        with httpx.Client(timeout=10) as client:
            # reference §2.1: legacy corp token, then §3.2: the v2 query
            token = client.post(
                f"{base}/cgi/corpAccessToken/get/V2",
                json={
                    "appId": out["appId"],
                    "appSecret": out["appSecret"],
                    "permanentCode": out["permanentCode"],
                },
            ).json()
            query = client.post(
                f"{base}/cgi/crm/v2/data/query",
                json={
                    "corpAccessToken": token["corpAccessToken"],
                    "corpId": token["corpId"],
                    "currentOpenUserId": out["currentOpenUserId"],
                    "data": {
                        "dataObjectApiName": "AccountObj",
                        "search_query_info": {"limit": 100, "offset": 0},
                    },
                },
            ).json()
        assert query["errorCode"] == 0
        assert query["data"]["total"] == len(query["data"]["dataList"]) > 0
        assert _stop(proc, signal.SIGINT) == 0


def test_load_file_and_bad_options(tmp_path: Path) -> None:
    from connectors.emulator.world import WorldSpec, generate_world
    from connectors.zoho.emulator import ZohoEmulator

    state = ZohoEmulator.from_world(
        generate_world(WorldSpec(customers=5, contacts=5, opportunities=2))
    )
    path = tmp_path / "zoho.json"
    path.write_text(json.dumps(state.export_state()), encoding="utf-8")
    with emulate("zoho", "--load", str(path)) as (proc, out):
        assert f"Accounts {len(state.modules['Accounts'])}" in " ".join(out)
        assert _stop(proc, signal.SIGTERM) == 0
    bad = subprocess.run(
        [CRMHUB, "emulate", "zoho", "--generate", "clients=5"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "cannot read 'clients=5'" in bad.stderr


@pytest.mark.parametrize("crm", ["salesforce"])
def test_unknown_crm_is_a_usage_error(crm: str) -> None:
    result = subprocess.run(
        [CRMHUB, "emulate", crm], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
