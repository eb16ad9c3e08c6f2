"""Fxiaoke (纷享销客 / ShareCRM) Open API v2: a declarative spec, its quirks, and the connector.

The local emulator lives in `connectors.fxiaoke.emulator`.
"""

from __future__ import annotations

from connectors.fxiaoke.connector import FxiaokeConnector
from connectors.fxiaoke.settings import FxiaokeSettings

__all__ = ["FxiaokeConnector", "FxiaokeSettings"]
