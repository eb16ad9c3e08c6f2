"""Fxiaoke rows as the API returns them: system keys, `__r`/`__l` twins, ms times."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connectors.emulator.store import ModuleStore, Row
from connectors.fxiaoke.emulator.employees import FxEmployee
from connectors.fxiaoke.emulator.objects import OBJECTS, FieldType

__all__ = ["Renderer"]


class Renderer:
    def __init__(
        self,
        stores: Mapping[str, ModuleStore],
        employees: Mapping[str, FxEmployee],
        tenant_id: str,
    ) -> None:
        self.stores = stores
        self.employees = employees
        self.tenant_id = tenant_id

    def record(
        self, api_name: str, row: Row, projection: Iterable[str] | None = None
    ) -> dict[str, Any]:
        obj = OBJECTS[api_name]
        out: dict[str, Any] = {
            "_id": row.id,
            "create_time": row.created,
            "last_modified_time": row.modified,
            "object_describe_api_name": api_name,
            "tenant_id": self.tenant_id,
            "package": "CRM",
        }
        out.update(row.fields)
        for name, value in row.fields.items():
            field = obj.fields.get(name)
            if field is None or value is None:
                continue
            if field.type is FieldType.EMPLOYEE and isinstance(value, list):
                people = [p for i in value if (p := self.employees.get(i)) is not None]
                out[f"{name}__l"] = [p.ref() for p in people]
                if people:
                    out[f"{name}__r"] = people[0].ref()
            elif field.type is FieldType.OPTION and field.options:
                out[f"{name}__r"] = field.options.get(str(value))
            elif field.type is FieldType.LOOKUP and field.lookup:
                target = self.stores[field.lookup].get(value)
                out[f"{name}__r"] = target.fields.get("name") if target else None
        if projection is None:
            return out
        keep = set(projection) | {"_id"}
        return {k: v for k, v in out.items() if k in keep or k.rsplit("__", 1)[0] in keep}
