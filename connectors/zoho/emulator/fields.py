"""`GET /crm/v8/settings/fields?module=Accounts`: field metadata for discovery."""

from __future__ import annotations

from typing import Any

from connectors.emulator.http import ApiResponse, Call
from connectors.zoho.emulator.context import Ctx
from connectors.zoho.emulator.envelope import ZohoError
from connectors.zoho.emulator.schema import MODULES, Kind

__all__ = ["list_fields"]

_JSON_TYPE = {
    Kind.INTEGER: "integer",
    Kind.CURRENCY: "double",
    Kind.DOUBLE: "double",
    Kind.LOOKUP: "jsonobject",
    Kind.OWNER: "jsonobject",
}


def list_fields(call: Call, ctx: Ctx) -> ApiResponse:
    name = call.query.get("module")
    if not name:
        raise ZohoError(
            400,
            "REQUIRED_PARAM_MISSING",
            "required param missing",
            {"param_name": "module", "param": "module"},
        )
    spec = MODULES.get(name)
    if spec is None:
        message = "the module name given seems to be invalid"
        raise ZohoError(400, "INVALID_MODULE", message, {"param_name": "module"})
    fields = []
    for field in spec.fields.values():
        entry: dict[str, Any] = {
            "api_name": field.api_name,
            "data_type": "datetime" if field.api_name.endswith("_Time") else field.kind.value,
            "json_type": _JSON_TYPE.get(field.kind, "string"),
            "length": field.maximum,
            "read_only": field.kind is Kind.READ_ONLY,
            "system_mandatory": field.api_name in spec.mandatory,
            "unique": {"casesensitive": False} if field.api_name in spec.unique else {},
            "pick_list_values": [
                {"display_value": v, "actual_value": v} for v in field.values or ()
            ],
        }
        if field.lookup:
            entry["lookup"] = {"module": {"api_name": field.lookup}}
        fields.append(entry)
    return ApiResponse({"fields": fields})
