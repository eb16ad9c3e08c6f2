"""Zoho users (the owners): who they are, their ids, and `GET /crm/v8/users`."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from connectors.emulator.world import OwnerTruth
from connectors.emulator.world.pools import CN_SURNAMES

__all__ = ["USER_TYPES", "ZohoUser", "split_name", "user_id_for", "zoho_user"]

USER_TYPES = {
    "AllUsers": lambda u: True,
    "ActiveUsers": lambda u: u.status == "active",
    "DeactiveUsers": lambda u: u.status == "disabled",
    "AdminUsers": lambda u: u.admin,
    "ActiveConfirmedUsers": lambda u: u.status == "active",
    "CurrentUser": None,  # the token's user
}
_COMPOUND = sorted((s for s, _ in CN_SURNAMES if len(s) > 1), key=len, reverse=True)


@dataclass(slots=True)
class ZohoUser:
    id: str
    email: str
    first_name: str | None
    last_name: str
    status: str  # active | disabled
    admin: bool = False
    modified: int = 0  # epoch ms

    @property
    def full_name(self) -> str:
        if self.first_name and self.last_name.isascii():
            return f"{self.first_name} {self.last_name}"
        return f"{self.last_name}{self.first_name or ''}"

    def ref(self, with_email: bool = True) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.full_name, "id": self.id}
        if with_email:
            found["email"] = self.email
        return found

    def as_api(self, zone: str) -> dict[str, Any]:
        role = ("CEO", "5000000000000031151") if self.admin else ("Manager", "5000000000000031154")
        profile = (
            ("Administrator", "5000000000000031157")
            if self.admin
            else ("Standard", "5000000000000031160")
        )
        return {
            "id": self.id,
            "full_name": self.full_name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "status": self.status,
            "role": {"name": role[0], "id": role[1]},
            "profile": {"name": profile[0], "id": profile[1]},
            "time_zone": zone,
            "confirm": True,
        }

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def user_id_for(email: str, org: str) -> str:
    """A 19-digit user id derived from the e-mail (the same person gets the same id)."""
    digest = int(hashlib.sha256(email.lower().encode()).hexdigest(), 16)
    return f"{org}{digest % 10**12:012d}"


def split_name(name: str) -> tuple[str | None, str]:
    """(first, last) of a display name: 王伟 → (伟, 王); Pat Boyle → (Pat, Boyle)."""
    if " " in name:
        first, _, last = name.rpartition(" ")
        return first, last
    surname = next((s for s in _COMPOUND if name.startswith(s)), name[:1])
    return name[len(surname) :] or None, surname


def zoho_user(owner: OwnerTruth, org: str, *, admin: bool = False) -> ZohoUser:
    first, last = split_name(owner.name)
    return ZohoUser(user_id_for(owner.email, org), owner.email, first, last, "active", admin)
