"""Field conflicts side by side (base, each CRM's value and time, golden); take a side or type
a value, with a note. The value is checked by the canonical model; its error is shown beside it."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from console import decisions
from console.listing import Listing
from console.security import guard, settings_of
from console.sessions import SignedIn
from console.templating import render
from console.views import entity_label, status_filter
from core.store import Conflict, Entity

__all__ = ["router"]

router = APIRouter(prefix="/conflicts", dependencies=[Depends(guard)])
STATUSES = ("open", "resolved")
NAME = Entity.data["name"].as_string()
SORTS = {"created": Conflict.created_at, "field": Conflict.field, "name": NAME}


@router.get("")
def conflicts(request: Request) -> Response:
    listing = Listing.from_request(
        request, sorts=tuple(SORTS), default_sort="created", filters=("status", "field", "q"),
        page_size=settings_of(request).page_size,
    )  # fmt: skip
    query = sa.select(Conflict, Entity.kind, Entity.data).join(
        Entity, Entity.id == Conflict.entity_id
    )
    status = status_filter(listing.get("status"), "open", STATUSES)
    if status:
        query = query.where(Conflict.status == status)
    if listing.get("field"):
        query = query.where(Conflict.field.contains(listing.get("field"), autoescape=True))
    if listing.get("q"):
        query = query.where(NAME.contains(listing.get("q"), autoescape=True))
    with settings_of(request).store.sessions() as session:
        page = listing.fetch(session, query, SORTS, Conflict.id)
    rows = [(c, kind, entity_label(data, c.entity_id)) for c, kind, data in page.rows]
    return render(request, "conflicts.html", page=page, rows=rows, status=status or "all")


def _detail(request: Request, conflict_id: int, status: int = 200, **extra: Any) -> Response:
    with settings_of(request).store.sessions() as session:
        conflict = session.get(Conflict, conflict_id)
        entity = session.get(Entity, conflict.entity_id) if conflict else None
    if conflict is None or entity is None:
        what = f"There is no conflict #{conflict_id}."
        return render(request, "not_found.html", 404, what=what, back="/conflicts")
    context: dict[str, Any] = {"choice": "", "typed": "", "reason": "", "error": "", **extra}
    name = entity_label(entity.data, entity.id)
    return render(request, "conflict.html", status, c=conflict, entity=entity, name=name, **context)


@router.get("/{conflict_id}")
def conflict(request: Request, conflict_id: int) -> Response:
    return _detail(request, conflict_id)


@router.post("/{conflict_id}/resolve")
def resolve(
    request: Request,
    conflict_id: int,
    operator: Annotated[SignedIn, Depends(guard)],
    choice: Annotated[str, Form(max_length=200)] = "",
    value: Annotated[str, Form(max_length=10_000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    take = choice.removeprefix("take:") if choice.startswith("take:") else None
    typed = value if choice == "value" else None
    kept = {"choice": choice, "typed": value, "reason": reason}
    if take is None and typed is None:
        return _detail(request, conflict_id, 422, error="Take a side or type a value.", **kept)
    settings = settings_of(request)
    try:
        with settings.store.transaction() as session:
            decisions.resolve_conflict(
                session, conflict_id, take=take, value=typed, actor=operator.name,
                reason=reason.strip() or None, config=settings.matching, sync=settings.sync,
            )  # fmt: skip
    except decisions.DecisionError as exc:
        return _detail(request, conflict_id, 422, error=str(exc), **kept)
    return RedirectResponse(f"/conflicts/{conflict_id}?done=resolved", status_code=303)
