"""Where the shipped field maps are (a uniquely named module: helpers never come from conftest)."""

from __future__ import annotations

from pathlib import Path

MAPS = Path(__file__).parents[3] / "config" / "mappings"
