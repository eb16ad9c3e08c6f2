"""The audit log: search by entity (id or name), operator and date; each entry with before/after."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from console.listing import Listing
from console.security import guard, settings_of
from console.templating import render
from console.views import parse_uuid
from core.store import AuditEntry, Entity

__all__ = ["router"]

router = APIRouter(prefix="/audit", dependencies=[Depends(guard)])
SORTS = {"at": AuditEntry.at, "actor": AuditEntry.actor, "action": AuditEntry.action}
NAME = Entity.data["name"].as_string()
FULL_NAME = Entity.data["full_name"].as_string()
# a name search looks at this many matching entities at most (say so rather than scan)
MAX_NAMED = 200


def _day(text: str, zone: tzinfo) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), time(), zone)
    except ValueError:
        return None


@router.get("")
def audit(request: Request) -> Response:
    settings = settings_of(request)
    listing = Listing.from_request(
        request, sorts=tuple(SORTS), default_sort="at",
        filters=("entity", "actor", "action", "since", "until"), page_size=settings.page_size,
    )  # fmt: skip
    problems: list[str] = []
    query = sa.select(AuditEntry)
    entity_text = listing.get("entity")
    with settings.store.sessions() as session:
        if entity_text:
            entity_id = parse_uuid(entity_text)
            if entity_id is not None:
                query = query.where(AuditEntry.entity_id == entity_id)
            else:
                named = session.scalars(
                    sa.select(Entity.id)
                    .where(
                        sa.or_(
                            NAME.contains(entity_text, autoescape=True),
                            FULL_NAME.contains(entity_text, autoescape=True),
                        )
                    )
                    .limit(MAX_NAMED)
                ).all()
                if len(named) == MAX_NAMED:
                    problems.append(f"More than {MAX_NAMED} records match; showing the first.")
                query = query.where(AuditEntry.entity_id.in_(named))
        if listing.get("actor"):
            query = query.where(AuditEntry.actor == listing.get("actor"))
        if listing.get("action"):
            action = listing.get("action")
            query = query.where(AuditEntry.action.startswith(action, autoescape=True))
        for name, op in (("since", "ge"), ("until", "lt")):
            if not listing.get(name):
                continue
            day = _day(listing.get(name), settings.zone)
            if day is None:
                problems.append(f"{name}: {listing.get(name)!r} is not a date like 2024-05-31")
            elif op == "ge":
                query = query.where(AuditEntry.at >= day)
            else:  # until a day includes that day
                query = query.where(AuditEntry.at < day + timedelta(days=1))
        page = listing.fetch(session, query, SORTS, AuditEntry.id)
        ids = {row[0].entity_id for row in page.rows if row[0].entity_id}
        names = {
            entity_id: data.get("name") or data.get("full_name") or ""
            for entity_id, data in session.execute(
                sa.select(Entity.id, Entity.data).where(Entity.id.in_(ids))
            )
        }
    entries = [row[0] for row in page.rows]
    return render(request, "audit.html", page=page, entries=entries, names=names, problems=problems)
