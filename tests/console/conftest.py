"""Console fixtures: a migrated store with one of everything, the app served by uvicorn on an
ephemeral loopback port, and an HTTP client for it (real requests, real cookies)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from console_seed import HASHER, Seeded, add_operator_account, seed
from fastapi import FastAPI

from connectors.emulator.serve import running
from console import ConsoleSettings, create_app
from core.store import Store


@pytest.fixture
def seeded(store: Store) -> Seeded:
    add_operator_account(store)
    return seed(store)


@pytest.fixture
def app(store: Store) -> FastAPI:
    return create_app(ConsoleSettings(store, hasher=HASHER, page_size=5))


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with running(app) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as http:
        yield http
