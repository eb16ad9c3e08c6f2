"""Ownership disputes: the customer, its owner in each CRM, the rules' proposal; choose."""

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
from console.views import parse_uuid, status_filter
from core.assignment import OwnerDirectory
from core.reviews import ReviewKind
from core.store import Entity, ReviewItem

__all__ = ["router"]

router = APIRouter(prefix="/disputes", dependencies=[Depends(guard)])
STATUSES = ("open", "resolved", "dismissed")
SORTS = {"created": ReviewItem.created_at, "summary": ReviewItem.summary}
POOL = "pool"


@router.get("")
def disputes(request: Request) -> Response:
    listing = Listing.from_request(
        request, sorts=tuple(SORTS), default_sort="created", filters=("status", "q"),
        page_size=settings_of(request).page_size,
    )  # fmt: skip
    query = sa.select(ReviewItem).where(ReviewItem.kind == ReviewKind.DISPUTE.value)
    status = status_filter(listing.get("status"), "open", STATUSES)
    if status:
        query = query.where(ReviewItem.status == status)
    if listing.get("q"):
        query = query.where(ReviewItem.summary.contains(listing.get("q"), autoescape=True))
    with settings_of(request).store.sessions() as session:
        page = listing.fetch(session, query, SORTS, ReviewItem.id)
    items = [row[0] for row in page.rows]
    return render(request, "disputes.html", page=page, items=items, status=status or "all")


def _choices(payload: dict[str, Any], directory: OwnerDirectory) -> list[tuple[str, str, str]]:
    """(value, label, why it is offered): each CRM's owner, the proposal, the current owner."""
    offered: dict[str, tuple[str, list[str]]] = {}

    def offer(owner_id: str | None, why: str) -> None:
        parsed = parse_uuid(owner_id)
        value = str(parsed) if parsed else POOL
        label = directory.label(parsed)
        offered.setdefault(value, (label, []))[1].append(why)

    for claim in payload.get("claims", []):
        if claim.get("owner_id"):
            offer(claim["owner_id"], f"owner in {claim.get('connection')}")
    proposal = payload.get("proposal") or {}
    offer(proposal.get("owner_id"), f"proposed by rule {proposal.get('rule_id')}")
    if payload.get("current_owner_id"):
        offer(payload["current_owner_id"], "current owner")
    offer(None, "nobody: the pool")
    return [(value, label, ", ".join(why)) for value, (label, why) in offered.items()]


def _detail(request: Request, review_id: int, status: int = 200, error: str = "") -> Response:
    with settings_of(request).store.sessions() as session:
        item = session.get(ReviewItem, review_id)
        if item is None or item.kind != ReviewKind.DISPUTE.value:
            what = f"There is no ownership dispute #{review_id}."
            return render(request, "not_found.html", 404, what=what, back="/disputes")
        directory = OwnerDirectory.load(session)
        entity = session.get(Entity, item.entity_id) if item.entity_id else None
        payload: dict[str, Any] = dict(item.payload or {})
        owner_now = directory.label(entity.owner_id) if entity else "—"
    choices = _choices(payload, directory)
    context = {
        "item": item, "payload": payload, "entity": entity, "owner_now": owner_now,
        "choices": choices, "error": error,
    }  # fmt: skip
    return render(request, "dispute.html", status, **context)


@router.get("/{review_id}")
def dispute(request: Request, review_id: int) -> Response:
    return _detail(request, review_id)


@router.post("/{review_id}/resolve")
def resolve(
    request: Request,
    review_id: int,
    operator: Annotated[SignedIn, Depends(guard)],
    owner: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    owner_id = parse_uuid(owner)
    if owner != POOL and owner_id is None:
        return _detail(request, review_id, 422, "Choose an owner (or the pool).")
    try:
        with settings_of(request).store.transaction() as session:
            decisions.settle_dispute(
                session, review_id, owner_id, actor=operator.name, reason=reason.strip() or None
            )
    except decisions.DecisionError as exc:
        return _detail(request, review_id, 422, str(exc))
    return RedirectResponse(f"/disputes/{review_id}?done=settled", status_code=303)
