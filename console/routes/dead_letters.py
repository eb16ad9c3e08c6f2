"""Dead letters: the write a CRM refused for good and its error; retry it or discard it."""

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
from core.store import DeadLetter, Entity

__all__ = ["router"]

router = APIRouter(prefix="/dead-letters", dependencies=[Depends(guard)])
STATUSES = ("open", "retried", "discarded")
SORTS = {
    "created": DeadLetter.created_at,
    "attempts": DeadLetter.attempts,
    "connection": DeadLetter.connection,
}


@router.get("")
def dead_letters(request: Request) -> Response:
    listing = Listing.from_request(
        request, sorts=tuple(SORTS), default_sort="created",
        filters=("status", "connection", "kind", "q"), page_size=settings_of(request).page_size,
    )  # fmt: skip
    query = sa.select(DeadLetter)
    status = status_filter(listing.get("status"), "open", STATUSES)
    if status:
        query = query.where(DeadLetter.status == status)
    for name in ("connection", "kind"):
        if listing.get(name):
            query = query.where(getattr(DeadLetter, name) == listing.get(name))
    if listing.get("q"):
        text = listing.get("q")
        query = query.where(
            sa.or_(
                DeadLetter.error_message.contains(text, autoescape=True),
                DeadLetter.error_code.contains(text, autoescape=True),
            )
        )
    with settings_of(request).store.sessions() as session:
        page = listing.fetch(session, query, SORTS, DeadLetter.id)
        connections = session.scalars(sa.select(DeadLetter.connection).distinct()).all()
    letters = [row[0] for row in page.rows]
    return render(
        request, "dead_letters.html", page=page, letters=letters, status=status or "all",
        connections=sorted(connections), kinds=("customer", "contact", "opportunity"),
    )  # fmt: skip


def _detail(request: Request, letter_id: int, status: int = 200, **extra: Any) -> Response:
    with settings_of(request).store.sessions() as session:
        letter = session.get(DeadLetter, letter_id)
        entity = session.get(Entity, letter.entity_id) if letter else None
    if letter is None:
        what = f"There is no dead letter #{letter_id}."
        return render(request, "not_found.html", 404, what=what, back="/dead-letters")
    name = entity_label(entity.data if entity else None, letter.entity_id)
    context: dict[str, Any] = {"error": "", "reason": "", **extra}
    return render(request, "dead_letter.html", status, letter=letter, name=name, **context)


@router.get("/{letter_id}")
def dead_letter(request: Request, letter_id: int) -> Response:
    return _detail(request, letter_id)


@router.post("/{letter_id}/retry")
def retry(
    request: Request, letter_id: int, operator: Annotated[SignedIn, Depends(guard)]
) -> Response:
    try:
        with settings_of(request).store.transaction() as session:
            decisions.retry_dead_letter(session, letter_id, actor=operator.name)
    except decisions.DecisionError as exc:
        return _detail(request, letter_id, 422, error=str(exc))
    return RedirectResponse(f"/dead-letters/{letter_id}?done=retried", status_code=303)


@router.post("/{letter_id}/discard")
def discard(
    request: Request,
    letter_id: int,
    operator: Annotated[SignedIn, Depends(guard)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not reason.strip():
        return _detail(request, letter_id, 422, error="Say why the write is discarded.")
    try:
        with settings_of(request).store.transaction() as session:
            decisions.discard_dead_letter(
                session, letter_id, actor=operator.name, reason=reason.strip()
            )
    except decisions.DecisionError as exc:
        return _detail(request, letter_id, 422, error=str(exc), reason=reason)
    return RedirectResponse(f"/dead-letters/{letter_id}?done=discarded", status_code=303)
