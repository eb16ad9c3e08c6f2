"""Finding what a create whose answer was lost made, before it is sent again.

A writer can die after Zoho stored its records and before it recorded Zoho's answer; a call
can time out after Zoho processed it. Sent again, an upsert finds its record through the
duplicate-check value, but a plain insert (Deals have no unique field) or an upsert whose
record has no such value (a contact without an e-mail) would make a second record. For those
creates (`PushItem.sent_at` set), the connector reads the module's records changed since the
first push (minus the connection's overlap, which covers the clocks' skew) and takes a record
created in that window whose fields equal the payload as the one the lost push made. Reading
the changed records, not the search API, because Zoho's search index lags writes (a record just
made may not be found yet); the read costs a call per 200 records changed in the window, and
only for creates that were pushed before without an answer, and at most `look_back_limit`
records: past that the create is dead-lettered for an operator, never sent blind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from connectors.http.budget import Priority
from connectors.http.call import Call
from connectors.http.client import HttpClient
from connectors.http.paginators import PageThenTokenPaginator
from connectors.protocol import PushItem, PushOutcome, PushResult
from connectors.zoho.quirks import modified_at
from connectors.zoho.settings import ZohoSettings
from connectors.zoho.spec import ZOHO
from mapping.model import EntityKind
from mapping.transforms.datetimes import to_iso_offset

__all__ = ["find_sent", "has_check_value"]


def has_check_value(payload: dict[str, Any], check_fields: Sequence[str]) -> bool:
    """Whether an upsert of `payload` can find an existing record (a duplicate-check value)."""
    return any(payload.get(field) not in (None, "") for field in check_fields)


def find_sent(
    client: HttpClient, settings: ZohoSettings, kind: EntityKind, items: Sequence[PushItem]
) -> list[PushResult | None]:
    """Per item (creates with `sent_at`), an OK result naming the record its earlier push made,
    None when there is none, or FAILED when more records changed since than the look may read.
    Raises what the read raises (the caller must not create then)."""
    entity = ZOHO.entity(kind)
    fields = settings.fields(kind)
    since = min(item.sent_at for item in items if item.sent_at) - settings.overlap
    call = Call(
        "GET",
        ZOHO.api(entity.path),
        params={"fields": ",".join(fields), "sort_by": "Modified_Time", "sort_order": "asc"},
        headers={"If-Modified-Since": to_iso_offset(since, settings.timezone)},
    )
    found: list[PushResult | None] = [None] * len(items)
    paginator = PageThenTokenPaginator(entity.page_size, ZOHO.page_wall)
    read = 0
    for rows, _ in client.pages(call, paginator, entity.records_path, priority=Priority.WRITE):
        read += len(rows)
        for row in rows:
            created = modified_at(row.get("Created_Time"))
            if created is not None and created < since:
                continue  # changed in the window, made before it: not ours
            for index, item in enumerate(items):
                if found[index] is None and _same(item.payload, row, fields):
                    found[index] = PushResult(
                        item.key,
                        PushOutcome.OK,
                        str(row["id"]),
                        modified_at(row.get("Modified_Time")),
                    )
                    break  # one record answers one create
        if all(result is not None for result in found):
            break
        if read >= settings.look_back_limit:
            found = [
                r or _too_many(item, entity.path, read)
                for r, item in zip(found, items, strict=True)
            ]
            break
    made = sum(result is not None and result.outcome is PushOutcome.OK for result in found)
    # a recovery, not routine: an operator reading the log should see it happened
    client.log.warning(
        "creates pushed before without a recorded answer",
        extra={"zoho_module": entity.path, "repeated": len(items), "found_made": made},
    )
    return found


def _too_many(item: PushItem, module: str, read: int) -> PushResult:
    assert item.sent_at is not None
    return PushResult(
        item.key,
        PushOutcome.FAILED,
        error_code="LOOK_BACK_LIMIT",
        error_message=(
            f"pushed first at {item.sent_at:%Y-%m-%d %H:%M:%S} UTC without a recorded answer, so"
            f" Zoho may hold the record already; {read} {module} changed since and it is not"
            " among them (look_back_limit): find it in Zoho, and retry this write only if it is"
            " not there"
        ),
    )


def _same(payload: dict[str, Any], row: dict[str, Any], fields: Sequence[str]) -> bool:
    """Every field of the payload that the read returns holds the value the payload sets."""
    compared = [field for field in payload if field in fields]
    return bool(compared) and all(_equal(payload[field], row.get(field)) for field in compared)


def _equal(sent: Any, stored: Any) -> bool:
    if sent in (None, "", []):
        return stored in (None, "", [])
    if isinstance(sent, dict):  # a lookup or owner: {"id": ...}; Zoho adds the name
        return isinstance(stored, dict) and str(stored.get("id")) == str(sent.get("id"))
    if isinstance(sent, bool) or isinstance(stored, bool):
        return bool(sent == stored)
    if isinstance(sent, int | float):
        try:
            return math.isclose(float(sent), float(stored), rel_tol=0, abs_tol=1e-6)
        except (TypeError, ValueError):
            return False
    if isinstance(sent, list):
        return isinstance(stored, list) and sorted(map(_text, sent)) == sorted(map(_text, stored))
    return isinstance(stored, str) and stored.strip() == str(sent).strip()


def _text(value: Any) -> str:
    return str(value.get("name", value.get("id"))) if isinstance(value, dict) else str(value)
