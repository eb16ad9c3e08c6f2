"""What a Zoho handler gets once the call is authenticated and charged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from connectors.zoho.emulator.schema import ModuleSpec
from connectors.zoho.emulator.tokens import AccessToken

if TYPE_CHECKING:
    from connectors.zoho.emulator.emulator import ZohoEmulator

__all__ = ["Ctx"]


@dataclass(frozen=True, slots=True)
class Ctx:
    emulator: ZohoEmulator
    token: AccessToken
    module: ModuleSpec | None  # None for /users

    @property
    def spec(self) -> ModuleSpec:
        assert self.module is not None
        return self.module
