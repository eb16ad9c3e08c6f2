"""The dashboard: last runs per connection, queue depth, dead letters, open items by kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from console.decisions import broker_depth, outbox_depth
from console.security import guard, settings_of
from console.sessions import SignedIn
from console.templating import render
from core.reviews import ReviewKind, ReviewStatus
from core.store import DeadLetter, ReviewItem, Run

__all__ = ["headline", "router"]

router = APIRouter(dependencies=[Depends(guard)])

# the run's counts under the names a sync cycle may give them (first one present wins)
HEADLINE: dict[str, tuple[str, ...]] = {
    "pulled": ("pulled",),
    "merged": ("merged", "auto_merged"),
    "conflicts": ("conflicts", "conflicts_opened"),
    "writes": ("writes", "written", "planned"),
    "errors": ("errors", "failed"),
}
# where each kind of open item is decided (guarded deletes have no page yet: `crmhub reviews`)
PAGES = {
    ReviewKind.MATCH.value: "/matches",
    ReviewKind.CONFLICT.value: "/conflicts",
    ReviewKind.DISPUTE.value: "/disputes",
    ReviewKind.DEAD_LETTER.value: "/dead-letters",
}
PLANNED = ("planned_creates", "planned_updates", "planned_deletes")


def headline(counts: Mapping[str, Any]) -> dict[str, Any]:
    """The five figures an operator looks at first, and every other count after them."""
    shown: dict[str, Any] = {}
    used: set[str] = set()
    for label, names in HEADLINE.items():
        name = next((n for n in names if n in counts), None)
        if name is not None:
            shown[label] = counts[name]
            used.add(name)
        elif label == "writes" and any(n in counts for n in PLANNED):
            shown[label] = sum(int(counts.get(n) or 0) for n in PLANNED)
            used.update(PLANNED)
        else:
            shown[label] = None
    rest = {k: v for k, v in sorted(counts.items()) if k not in used}
    return {"main": shown, "rest": rest}


def _last_runs(session: sa.orm.Session) -> list[Run]:
    newest = sa.select(sa.func.max(Run.id)).group_by(Run.connection, Run.kind)
    query = sa.select(Run).where(Run.id.in_(newest)).order_by(Run.connection, Run.kind)
    return list(session.scalars(query).all())


def _open_by_kind(session: sa.orm.Session) -> dict[str, int]:
    query = (
        sa.select(ReviewItem.kind, sa.func.count())
        .where(ReviewItem.status == ReviewStatus.OPEN.value)
        .group_by(ReviewItem.kind)
    )
    found = {kind.value: 0 for kind in ReviewKind}
    found.update({str(kind): int(count) for kind, count in session.execute(query)})
    return found


@router.get("/")
def dashboard(request: Request, operator: Annotated[SignedIn, Depends(guard)]) -> Response:
    with settings_of(request).store.sessions() as session:
        runs = [(run, headline(run.counts or {})) for run in _last_runs(session)]
        letters = session.scalars(
            sa.select(DeadLetter)
            .where(DeadLetter.status == "open")
            .order_by(DeadLetter.id.desc())
            .limit(5)
        ).all()
        open_letters = session.scalar(sa.select(sa.func.count()).where(DeadLetter.status == "open"))
        context = {
            "runs": runs,
            "outbox": outbox_depth(session),
            "broker": broker_depth(settings_of(request).broker),
            "letters": letters,
            "open_letters": open_letters or 0,
            "open_items": _open_by_kind(session),
            "pages": PAGES,
        }
    return render(request, "dashboard.html", **context)
