"""Match reviews: the record and its candidates side by side with the evidence behind each
score; merge, keep apart (remembered), or unmerge an existing merge."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from console import decisions
from console.listing import Listing
from console.security import guard, settings_of
from console.sessions import SignedIn
from console.templating import MISSING, flatten, render, show_value
from console.views import entity_label, parse_uuid, status_filter
from core.matching import ReviewAction
from core.reviews import ReviewKind
from core.store import Entity, EntityMerge, ReviewItem

__all__ = ["router"]

router = APIRouter(prefix="/matches", dependencies=[Depends(guard)])
STATUSES = ("open", "resolved", "dismissed")
KINDS = ("customer", "contact")
SORTS = {"created": ReviewItem.created_at, "summary": ReviewItem.summary}
MERGE_SORTS = {"created": EntityMerge.created_at, "score": EntityMerge.score}


@router.get("")
def matches(request: Request) -> Response:
    listing = Listing.from_request(
        request, sorts=tuple(SORTS), default_sort="created", filters=("status", "kind", "q"),
        page_size=settings_of(request).page_size,
    )  # fmt: skip
    query = sa.select(ReviewItem).where(ReviewItem.kind == ReviewKind.MATCH.value)
    status = status_filter(listing.get("status"), "open", STATUSES)
    if status:
        query = query.where(ReviewItem.status == status)
    if listing.get("kind") in KINDS:
        query = query.where(ReviewItem.entity_kind == listing.get("kind"))
    if listing.get("q"):
        query = query.where(ReviewItem.summary.contains(listing.get("q"), autoescape=True))
    with settings_of(request).store.sessions() as session:
        page = listing.fetch(session, query, SORTS, ReviewItem.id)
    items = [row[0] for row in page.rows]
    return render(
        request, "matches.html", page=page, items=items, status=status or "all", kinds=KINDS
    )


def _candidates(session: sa.orm.Session, payload: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for candidate in payload.get("candidates", []):
        entity = session.get(Entity, parse_uuid(candidate.get("entity_id")))
        data = entity.data if entity else {}
        found.append(
            {
                **candidate,
                "data": data,
                "name": entity_label(data, candidate.get("entity_id")),
                "status": entity.status if entity else "missing",
            }
        )
    return found


def _detail(request: Request, review_id: int, status: int = 200, error: str = "") -> Response:
    with settings_of(request).store.sessions() as session:
        item = session.get(ReviewItem, review_id)
        if item is None or item.kind != ReviewKind.MATCH.value:
            what = f"There is no match review #{review_id}."
            return render(request, "not_found.html", 404, what=what, back="/matches")
        payload: dict[str, Any] = dict(item.payload or {})
        candidates = _candidates(session, payload)
        merged = session.scalar(
            sa.select(EntityMerge).where(
                EntityMerge.merged_id == item.entity_id, EntityMerge.undone_at.is_(None)
            )
        )
    record = payload.get("record") or {}
    columns = [dict(flatten(record))] + [dict(flatten(c["data"])) for c in candidates]
    # fields no side has a value for are left out: the table shows only what can be compared
    fields = sorted(
        {path for column in columns for path, v in column.items() if show_value(v) != MISSING}
    )
    context = {
        "item": item, "payload": payload, "record": record, "candidates": candidates,
        "fields": fields, "columns": columns, "merged": merged, "error": error,
        "name": entity_label(record, item.entity_id),
    }  # fmt: skip
    return render(request, "match.html", status, **context)


@router.get("/{review_id:int}")
def match(request: Request, review_id: int) -> Response:
    return _detail(request, review_id)


@router.post("/{review_id:int}/decide")
def decide(
    request: Request,
    review_id: int,
    operator: Annotated[SignedIn, Depends(guard)],
    decision: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    action_name, _, candidate = decision.partition(":")
    try:
        action = ReviewAction(action_name)
    except ValueError:
        return _detail(request, review_id, 422, "Choose merge or keep apart.")
    candidate_id = parse_uuid(candidate)
    if candidate and candidate_id is None:
        return _detail(request, review_id, 422, f"{candidate!r} is not an entity id.")
    settings = settings_of(request)
    try:
        with settings.store.transaction() as session:
            decisions.decide_match(
                session, review_id, action, config=settings.matching, actor=operator.name,
                reason=reason.strip() or None, candidate_id=candidate_id,
            )  # fmt: skip
    except decisions.DecisionError as exc:
        return _detail(request, review_id, 422, str(exc))
    done = "merged" if action == ReviewAction.MERGE else "kept_apart"
    return RedirectResponse(f"/matches/{review_id}?done={done}", status_code=303)


@router.get("/merges")
def merges(request: Request) -> Response:
    listing = Listing.from_request(
        request, sorts=tuple(MERGE_SORTS), default_sort="created", filters=("kind", "actor"),
        page_size=settings_of(request).page_size,
    )  # fmt: skip
    survivor, merged = sa.orm.aliased(Entity), sa.orm.aliased(Entity)
    query = (
        sa.select(EntityMerge, survivor.data, merged.data)
        .join(survivor, survivor.id == EntityMerge.survivor_id)
        .join(merged, merged.id == EntityMerge.merged_id)
        .where(EntityMerge.undone_at.is_(None))
    )
    if listing.get("kind") in KINDS:
        query = query.where(EntityMerge.kind == listing.get("kind"))
    if listing.get("actor"):
        query = query.where(EntityMerge.actor == listing.get("actor"))
    with settings_of(request).store.sessions() as session:
        page = listing.fetch(session, query, MERGE_SORTS, EntityMerge.id)
    rows = [
        (m, entity_label(kept, m.survivor_id), entity_label(gone, m.merged_id))
        for m, kept, gone in page.rows
    ]
    return render(request, "merges.html", page=page, rows=rows, kinds=KINDS)


@router.post("/merges/{entity_id}/unmerge")
def unmerge(
    request: Request,
    entity_id: uuid.UUID,
    operator: Annotated[SignedIn, Depends(guard)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    settings = settings_of(request)
    try:
        with settings.store.transaction() as session:
            decisions.unmerge(
                session, entity_id, config=settings.matching, actor=operator.name,
                reason=reason.strip() or None,
            )  # fmt: skip
    except decisions.DecisionError as exc:
        return render(request, "refused.html", 422, why=f"Cannot unmerge {entity_id}: {exc}")
    target = back if back.startswith("/matches/") and back[9:].isdigit() else "/matches/merges"
    return RedirectResponse(f"{target}?done=unmerged", status_code=303)
