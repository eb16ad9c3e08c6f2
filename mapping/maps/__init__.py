"""Declarative field maps between each CRM and the canonical model, and the engine that runs them.

A map file (`config/mappings/<connector>.yaml`) declares, per entity, which remote field fills
which canonical field through which named transform. Core loads it once per connection:

    connector_map = load_map("config/mappings/zoho.yaml")          # or from the loaded config
    mapper = Mapper(connector_map, MappingContext("zoho", "CN", "Asia/Shanghai", "CNY"))
    batch = mapper.pull_batch(EntityKind.CUSTOMER, page.records)    # good + quarantined
    payload = mapper.push(EntityKind.CUSTOMER, customer, fields={"phones"})

Mapping is pure: no database, no HTTP, no globals.
"""

from __future__ import annotations

from mapping.maps.compile import ConnectorMap, compile_map, parse_map
from mapping.maps.context import MappingContext
from mapping.maps.engine import MappedRecord
from mapping.maps.errors import (
    FieldProblem,
    MapDefinitionError,
    MappingError,
    MapProblem,
    RecordMappingError,
)
from mapping.maps.load import load_map
from mapping.maps.mapper import Mapper, PullBatch, Quarantined, RemotePayload
from mapping.maps.registry import TRANSFORMS
from mapping.maps.schema import MapFile

__all__ = [
    "TRANSFORMS",
    "ConnectorMap",
    "FieldProblem",
    "MapDefinitionError",
    "MapFile",
    "MapProblem",
    "MappedRecord",
    "Mapper",
    "MappingContext",
    "MappingError",
    "PullBatch",
    "Quarantined",
    "RecordMappingError",
    "RemotePayload",
    "compile_map",
    "load_map",
    "parse_map",
]
