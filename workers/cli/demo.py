"""`crmhub demo`: both CRM emulators on loopback with overlapping data, one full sync, and how
to look at the result. Needs no service: SQLite and the embedded broker under $CRMHUB_HOME."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from connectors.emulator.world import WorldSpec
from core.store import Store
from core.store.engine import DEFAULT_HOME
from core.sync.context import SyncContext
from workers.cli.context import ExitCode, err, out
from workers.cli.summary import print_summary, sync_progress
from workers.cli.worker import stop_on_signals
from workers.demo import demo_world
from workers.runtime import worker_parts
from workers.sync_run import sync_once

__all__ = ["demo"]


def demo(
    customers: Annotated[int, typer.Option(help="Customers in the generated world.")] = 200,
    contacts: Annotated[int, typer.Option(help="Contacts in the generated world.")] = 400,
    opportunities: Annotated[int, typer.Option(help="Opportunities.")] = 150,
    overlap: Annotated[float, typer.Option(help="Share of customers in both CRMs.")] = 0.3,
    seed: Annotated[int, typer.Option(help="Seed of the world (same seed, same data).")] = 7,
    cycles: Annotated[
        int, typer.Option(help="Sync cycles to run (the second shows what an idle sync does).")
    ] = 2,
    serve: Annotated[
        bool, typer.Option("--serve", help="Keep the emulators running afterwards (Ctrl-C).")
    ] = False,
) -> None:
    """Start Zoho and Fxiaoke emulators holding one generated world (overlapping customers,
    contacts and opportunities, held differently), sync them with crmhub end to end, and print
    what happened and where to look. Everything lives in $CRMHUB_HOME/demo (recreated)."""
    folder = Path(os.environ.get("CRMHUB_HOME", DEFAULT_HOME)) / "demo"
    spec = WorldSpec(
        customers=customers, contacts=contacts, opportunities=opportunities, overlap=overlap,
        seed=seed,
    )  # fmt: skip
    err.print(
        f"demo: {customers} customers, {contacts} contacts, {opportunities} opportunities "
        f"({overlap:.0%} of customers in both CRMs), in {folder}"
    )
    with demo_world(folder, spec) as world, ExitStack() as stack:
        for name, url in world.urls.items():
            err.print(f"  {name} emulator on {url}")
        store = Store.open(world.config.hub.database.url)
        stack.callback(store.close)
        store.upgrade()
        parts = worker_parts(world.config, store)
        stack.callback(parts.close)
        sync_ctx = SyncContext.from_config(world.config)
        connectors = world.connectors(stack)
        for cycle in range(1, cycles + 1):
            with sync_progress() as bars:
                summary = sync_once(
                    store, sync_ctx, connectors, parts, on_stage=bars.on_stage,
                    on_batch=bars.on_batch,
                )  # fmt: skip
            again = " (no edits since the last one)" if cycle > 1 else ""
            print_summary(summary, title=f"sync {cycle}{again}")
            for connector in connectors.values():
                counters = getattr(connector, "counters", None)
                if counters is not None:
                    counters.reset()
        _how_to_look(folder)
        if serve:
            for name, url in world.urls.items():
                out.print(f"{name}: {url}/__admin/records/  (admin API)", highlight=False)
            out.print("emulators running; Ctrl-C stops them")
            with stop_on_signals() as stop:
                stop.wait()
    if summary.totals()["errors"]:
        raise typer.Exit(ExitCode.FAILED)


def _how_to_look(folder: Path) -> None:
    config = folder / "crmhub.yaml"
    out.print("\nlook at the result (the demo's own database, config and broker):", highlight=False)
    for command, what in (
        ("status", "rows per table"),
        ("reviews list", "grey-zone matches, conflicts, disputes and dead letters to decide"),
        ("owners list", "account managers and their customers"),
        ("deadletters list", "writes a CRM refused"),
        ("queue", "the outbox and the broker"),
    ):
        out.print(f"  .venv/bin/crmhub -c {config} {command:<18} # {what}", highlight=False)
