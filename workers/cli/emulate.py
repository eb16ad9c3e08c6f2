"""`crmhub emulate zoho|fxiaoke`: run a local CRM emulator over HTTP until interrupted."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from connectors.emulator.faults import FaultPlan
from connectors.emulator.serve import base_url, bind, serve_forever
from workers.cli.context import ExitCode, err, out

__all__ = ["emulate"]


class Crm(StrEnum):
    ZOHO = "zoho"
    FXIAOKE = "fxiaoke"


def _build(crm: Crm, seed: int, faults: FaultPlan, token_ttl: int | None) -> Any:
    limits: dict[str, Any] = {} if token_ttl is None else {"token_ttl_s": token_ttl}
    if crm is Crm.ZOHO:
        from connectors.zoho.emulator import ZohoEmulator, ZohoLimits

        return ZohoEmulator(seed=seed, faults=faults, limits=ZohoLimits(**limits))
    from connectors.fxiaoke.emulator import FxiaokeEmulator, FxiaokeLimits

    return FxiaokeEmulator(seed=seed, faults=faults, limits=FxiaokeLimits(**limits))


def emulate(
    crm: Annotated[Crm, typer.Argument(help="Which CRM to emulate.")],
    port: Annotated[int, typer.Option(help="Port to listen on (0 = any free port).")] = 0,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    generate: Annotated[
        str | None,
        typer.Option(help="Seed data: customers=N,contacts=N,opportunities=N."),
    ] = None,
    overlap: Annotated[float, typer.Option(help="Share of customers in both CRMs.")] = 0.3,
    seed: Annotated[int, typer.Option(help="Seed of the data, ids and credentials.")] = 7,
    load: Annotated[
        Path | None, typer.Option(help="Load a state exported from GET /__admin/state.")
    ] = None,
    latency_ms: Annotated[float, typer.Option(help="Added latency per call.")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(help="Plus uniform jitter up to this.")] = 0.0,
    error_rate: Annotated[float, typer.Option(help="Share of calls failing 5xx/-1.")] = 0.0,
    rate_limit_rate: Annotated[float, typer.Option(help="Share of calls throttled.")] = 0.0,
    concurrency_cap: Annotated[int | None, typer.Option(help="In-flight calls allowed.")] = None,
    timeout_rate: Annotated[float, typer.Option(help="Share of calls held too long.")] = 0.0,
    batch_failure_rate: Annotated[
        float, typer.Option(help="Share of records failing in write batches.")
    ] = 0.0,
    slow_page_rate: Annotated[float, typer.Option(help="Share of slow page reads.")] = 0.0,
    slow_page_ms: Annotated[float, typer.Option(help="Extra time of a slow page.")] = 0.0,
    token_ttl: Annotated[int | None, typer.Option(help="Access token lifetime, seconds.")] = None,
    fault_seed: Annotated[int, typer.Option(help="Seed of the fault draws.")] = 0,
) -> None:
    """Run a Zoho CRM or Fxiaoke emulator; prints its base URL and the credentials to use."""
    try:
        faults = FaultPlan(
            seed=fault_seed,
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            error_rate=error_rate,
            rate_limit_rate=rate_limit_rate,
            concurrency_cap=concurrency_cap,
            timeout_rate=timeout_rate,
            batch_failure_rate=batch_failure_rate,
            slow_page_rate=slow_page_rate,
            slow_page_ms=slow_page_ms,
        )
        emulator = _build(crm, seed, faults, token_ttl)
        if load is not None:
            emulator.import_state(json.loads(load.read_text(encoding="utf-8")))
        elif generate is not None:
            from connectors.emulator.world import WorldSpec, generate_world

            world = generate_world(WorldSpec.parse(generate, seed=seed, overlap=overlap))
            emulator = type(emulator).from_world(world, faults=faults, limits=emulator.limits)
    except (ValueError, OSError) as exc:
        err.print(f"[red]cannot start the emulator:[/red] {exc}")
        raise typer.Exit(ExitCode.CONFIG) from None
    try:
        sock = bind(host, port)
    except OSError as exc:
        err.print(f"[red]cannot listen on {host}:{port}:[/red] {exc}")
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    url = base_url(sock)
    sizes = ", ".join(f"{name} {len(store)}" for name, store in emulator.modules.items())
    out.print(f"{crm.value} emulator on {url}  ({sizes})", highlight=False)
    out.print(f"base URL: {url}", highlight=False)
    for key, value in emulator.credentials().items():
        if value is not None:
            out.print(f"{key}: {value}", highlight=False)

    def started() -> None:
        out.print(f"admin API: {url}/__admin/  (Ctrl-C or SIGTERM stops)", highlight=False)

    serve_forever(emulator, sock, on_started=started)
    out.print(f"{crm.value} emulator stopped", highlight=False)
