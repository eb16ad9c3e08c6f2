"""Rendering stored Zoho rows as the API returns them: lookups as {name,id}, times with offset."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from connectors.emulator.store import ModuleStore, Row
from connectors.zoho.emulator.schema import MODULES, Kind, ModuleSpec
from connectors.zoho.emulator.users import ZohoUser

__all__ = ["Renderer", "iso", "parse_iso_ms", "tag_id"]


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def iso(ms: int, zone: str) -> str:
    """`2024-05-02T11:17:33+08:00`: seconds, the user's offset, never `Z`."""
    moment = dt.datetime.fromtimestamp(ms // 1000, _zone(zone))
    return moment.isoformat(timespec="seconds")


def parse_iso_ms(text: str) -> int:
    """Epoch ms of an ISO-8601 datetime with an offset (ValueError without one)."""
    moment = dt.datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return int(moment.timestamp() * 1000)


def tag_id(name: str) -> str:
    return "5000000" + f"{int(hashlib.md5(name.encode()).hexdigest(), 16) % 10**12:012d}"  # noqa: S324


class Renderer:
    def __init__(
        self, stores: Mapping[str, ModuleStore], users: Mapping[str, ZohoUser], zone: str
    ) -> None:
        self.stores = stores
        self.users = users
        self.zone = zone

    def _user(self, user_id: Any, with_email: bool = True) -> dict[str, Any] | None:
        user = self.users.get(user_id) if isinstance(user_id, str) else None
        return user.ref(with_email) if user else None

    def lookup(self, module: str, row_id: Any) -> dict[str, Any] | None:
        target = self.stores[module].get(row_id) if isinstance(row_id, str) else None
        if target is None:
            return None
        return {"name": target.fields.get(MODULES[module].name_field), "id": target.id}

    def value(self, spec: ModuleSpec, row: Row, name: str) -> Any:
        if name == "Created_Time":
            return iso(row.created, self.zone)
        if name == "Modified_Time":
            return iso(row.modified, self.zone)
        field = spec.fields.get(name)
        raw = row.fields.get(name)
        if field is None:
            return None
        if field.kind is Kind.OWNER or name in ("Created_By", "Modified_By"):
            return self._user(raw)
        if field.kind is Kind.LOOKUP and field.lookup:
            return self.lookup(field.lookup, raw)
        if name == "Tag":
            return [{"name": t, "id": tag_id(t)} for t in raw or []]
        return raw

    def record(self, module: str, row: Row, fields: Iterable[str] | None = None) -> dict[str, Any]:
        """A row as the API returns it: `id`, the requested fields (all when None), meta keys."""
        spec = MODULES[module]
        names = spec.fields if fields is None else fields
        out: dict[str, Any] = {"id": row.id}
        for name in names:
            if name != "id" and name in spec.fields:
                out[name] = self.value(spec, row, name)
        out["$approval_state"] = "approved"
        out["$editable"] = True
        return out

    def system_details(self, row: Row) -> dict[str, Any]:
        """The `details` of a successful write."""
        return {
            "Modified_Time": iso(row.modified, self.zone),
            "Modified_By": self._user(row.fields.get("Modified_By"), with_email=False),
            "Created_Time": iso(row.created, self.zone),
            "id": row.id,
            "Created_By": self._user(row.fields.get("Created_By"), with_email=False),
            "$approval_state": "approved",
        }
