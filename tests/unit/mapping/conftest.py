"""Mappers for the shipped map files, bound as the example config binds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapping.maps import ConnectorMap, Mapper, MappingContext, load_map

MAPS = Path(__file__).parents[3] / "config" / "mappings"


@pytest.fixture(scope="session")
def zoho_map() -> ConnectorMap:
    return load_map(MAPS / "zoho.yaml")


@pytest.fixture(scope="session")
def fxiaoke_map() -> ConnectorMap:
    return load_map(MAPS / "fxiaoke.yaml")


@pytest.fixture(scope="session")
def zoho(zoho_map: ConnectorMap) -> Mapper:
    return Mapper(zoho_map, MappingContext("zoho_cn", "CN", "Asia/Shanghai", "CNY"))


@pytest.fixture(scope="session")
def fxiaoke(fxiaoke_map: ConnectorMap) -> Mapper:
    return Mapper(fxiaoke_map, MappingContext("fxiaoke", "CN", "Asia/Shanghai", "CNY"))
