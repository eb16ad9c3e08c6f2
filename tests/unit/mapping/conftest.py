"""Mappers for the shipped map files, bound as the example config binds them."""

from __future__ import annotations

import pytest
from map_files import MAPS

from mapping.maps import ConnectorMap, Mapper, MappingContext, load_map


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
