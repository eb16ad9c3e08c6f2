"""Checking one record of a write batch the way Zoho does: types, picklists, lookups, mandatory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from connectors.zoho.emulator.envelope import record_error
from connectors.zoho.emulator.schema import DATE_RE, EMAIL_RE, FieldSpec, Kind, ModuleSpec

__all__ = ["check_record"]

Exists = Callable[[str, str], bool]  # (module or "users", id) -> exists and usable


def _invalid(spec: FieldSpec, path: str, expected: str) -> dict[str, Any]:
    details = {"api_name": spec.api_name, "json_path": path, "expected_data_type": expected}
    return record_error("INVALID_DATA", "invalid data", details)


def _check_value(spec: FieldSpec, value: Any, path: str, exists: Exists) -> dict[str, Any] | None:
    kind = spec.kind
    if kind in (Kind.TEXT, Kind.TEXTAREA, Kind.PHONE, Kind.WEBSITE, Kind.EMAIL, Kind.PICKLIST):
        if not isinstance(value, str):
            return _invalid(spec, path, "picklist" if kind is Kind.PICKLIST else "text")
        if spec.maximum is not None and len(value) > spec.maximum:
            err = _invalid(spec, path, "text")
            err["details"]["maximum_length"] = spec.maximum
            return err
        if kind is Kind.EMAIL and value and not EMAIL_RE.match(value):
            return _invalid(spec, path, "email")
        if spec.values is not None and value not in spec.values:
            err = _invalid(spec, path, "picklist")
            err["details"]["supported_values"] = list(spec.values)
            return err
        return None
    if kind is Kind.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return _invalid(spec, path, "integer")
        if spec.maximum is not None and not 0 <= value <= spec.maximum:
            if spec.api_name == "Probability":
                return record_error(
                    "INVALID_DATA",
                    "Given Probability is not valid",
                    {"api_name": spec.api_name, "json_path": path},
                )
            return _invalid(spec, path, "integer")
        return None
    if kind in (Kind.CURRENCY, Kind.DOUBLE):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _invalid(spec, path, "double")
        return None
    if kind is Kind.DATE:
        if not isinstance(value, str) or not DATE_RE.match(value):
            return _invalid(spec, path, "date")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return _invalid(spec, path, "date")
        return None
    if kind in (Kind.LOOKUP, Kind.OWNER):
        target = spec.lookup or "users"
        if not isinstance(value, dict) or not isinstance(value.get("id"), str):
            return _invalid(spec, path, "jsonobject")
        if not exists(target, value["id"]):
            details = {"api_name": spec.api_name, "json_path": f"{path}.id"}
            return record_error("INVALID_DATA", "invalid data", details)
    return None


def check_record(
    module: ModuleSpec,
    record: Any,
    index: int,
    *,
    creating: bool,
    exists: Exists,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The writable values of `record` (lookups reduced to ids) and its error, if any.

    Unknown field names and wrong types are INVALID_DATA; missing system-mandatory fields are
    MANDATORY_NOT_FOUND (on create, or when an update blanks them); read-only fields are ignored.
    Several errors on one record come back as MULTIPLE_OR_MULTI_ERRORS.
    """
    base = f"$.data[{index}]"
    if not isinstance(record, dict):
        return {}, record_error(
            "INVALID_DATA", "invalid data", {"json_path": base, "expected_data_type": "jsonobject"}
        )
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    wrong: set[str] = set()  # given but invalid: not also "missing"
    for name, value in record.items():
        if name == "id" or name.startswith("$"):
            continue
        spec = module.fields.get(name)
        path = f"{base}.{name}"
        if spec is None:
            errors.append(
                record_error("INVALID_DATA", "invalid data", {"api_name": name, "json_path": path})
            )
            continue
        if spec.kind is Kind.READ_ONLY:
            continue
        if value is None or value == "":
            values[name] = None
            continue
        problem = _check_value(spec, value, path, exists)
        if problem is not None:
            errors.append(problem)
            wrong.add(name)
            continue
        values[name] = value["id"] if spec.kind in (Kind.LOOKUP, Kind.OWNER) else value
    for name in (m for m in module.mandatory if m not in wrong):
        missing = values.get(name) is None if (creating or name in values) else False
        if missing:
            details = {"api_name": name, "json_path": f"{base}.{name}"}
            errors.append(record_error("MANDATORY_NOT_FOUND", "required field not found", details))
    if not errors:
        return values, None
    if len(errors) == 1:
        return values, errors[0]
    return values, record_error("MULTIPLE_OR_MULTI_ERRORS", "multiple errors", {"errors": errors})
