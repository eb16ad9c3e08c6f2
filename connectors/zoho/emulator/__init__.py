"""The Zoho CRM emulator: a real HTTP server that behaves like Zoho's accounts server and v8 API.

    emulator = ZohoEmulator.from_world(generate_world(WorldSpec(customers=50)))
    with running(emulator) as base_url:   # connectors.emulator.serve
        ...  # POST {base_url}/oauth/v2/token, then GET {api_domain}/crm/v8/Accounts?fields=...

See `emulator` for the features and the UNCONFIRMED choices.
"""

from __future__ import annotations

from connectors.zoho.emulator.emulator import ADMIN_EMAIL, ZohoEmulator
from connectors.zoho.emulator.settings import ZohoCredentials, ZohoLimits

__all__ = ["ADMIN_EMAIL", "ZohoCredentials", "ZohoEmulator", "ZohoLimits"]
