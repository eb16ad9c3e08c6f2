"""`/cgi/crm/v2/object/describe`: an object's fields, their types and option codes.

The body carries the auth keys and a top-level `apiName` (not wrapped in `data`); the answer is
`data.describe.fields.<api_name>` with `type`, `api_name`, `label` and `options[{label, value}]`.
"""

from __future__ import annotations

from typing import Any

from connectors.fxiaoke.emulator.envelope import Code, FxError
from connectors.fxiaoke.emulator.objects import OBJECTS, READ_ONLY

__all__ = ["describe"]


def describe(body: dict[str, Any]) -> dict[str, Any]:
    obj = OBJECTS.get(str(body.get("apiName")))
    if obj is None:
        raise FxError(Code.NO_SUCH_OBJECT, f"对象 {body.get('apiName')} 不存在")
    fields: dict[str, Any] = {}
    for name, field in obj.fields.items():
        entry: dict[str, Any] = {
            "api_name": name,
            "type": field.type.value,
            "label": name,
            "is_readonly": name in READ_ONLY,
        }
        if field.options:
            entry["options"] = [{"label": v, "value": k} for k, v in field.options.items()]
        if field.lookup:
            entry["target_api_name"] = field.lookup
        fields[name] = entry
    return {"data": {"describe": {"api_name": obj.api_name, "fields": fields}}}
