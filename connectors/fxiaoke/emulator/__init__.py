"""The Fxiaoke emulator: a real HTTP server that behaves like the Fxiaoke (纷享销客) Open API.

    emulator = FxiaokeEmulator.from_world(generate_world(WorldSpec(customers=50)))
    with running(emulator) as base_url:   # connectors.emulator.serve
        ...  # POST {base_url}/cgi/corpAccessToken/get/V2, then /cgi/crm/v2/data/query

See `emulator` for the features and the UNCONFIRMED choices.
"""

from __future__ import annotations

from connectors.fxiaoke.emulator.emulator import ADMIN_EMAIL, FxiaokeEmulator
from connectors.fxiaoke.emulator.settings import FxiaokeCredentials, FxiaokeLimits

__all__ = ["ADMIN_EMAIL", "FxiaokeCredentials", "FxiaokeEmulator", "FxiaokeLimits"]
