"""Read a map file from disk (without line numbers; `crmhub config check` adds them)."""

from __future__ import annotations

from pathlib import Path

import yaml

from mapping.maps.compile import ConnectorMap, parse_map
from mapping.maps.errors import MapDefinitionError, MapProblem

__all__ = ["load_map"]


def load_map(path: Path | str) -> ConnectorMap:
    """Load and check the map file at `path`; raises MapDefinitionError listing every problem."""
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MapDefinitionError([MapProblem((), f"YAML syntax: {exc}")], str(file)) from None
    return parse_map(data, source=str(file))
