"""People every emulator has besides the world's managers."""

from __future__ import annotations

__all__ = ["ADMIN_EMAIL"]

# The integration user (a CRM administrator) that both emulators know by this e-mail: Zoho's
# refresh token belongs to it, Fxiaoke's currentOpenUserId is its openUserId.
ADMIN_EMAIL = "crmhub.admin@sales.example.com"
