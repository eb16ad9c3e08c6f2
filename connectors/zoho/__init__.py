"""Zoho CRM (v8): a declarative spec, its few quirks, and the connector over the shared client.

The local emulator lives in `connectors.zoho.emulator`.
"""

from __future__ import annotations

from connectors.zoho.connector import ZohoConnector
from connectors.zoho.settings import ZohoSettings

__all__ = ["ZohoConnector", "ZohoSettings"]
