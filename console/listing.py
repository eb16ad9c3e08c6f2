"""Lists that page, filter and sort, driven by the query string (so a list can be bookmarked).

A page declares which columns may be sorted on and which filters exist; anything else in the
query string is ignored, so no request can sort or filter on a column it was not offered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.orm import Session

__all__ = ["Listing", "Page"]

T = TypeVar("T")
MAX_FILTER_LENGTH = 200


@dataclass(frozen=True)
class Listing:
    """The page, sort and filters asked for, already checked against what the list offers."""

    path: str
    sort: str
    descending: bool
    page: int = 1
    page_size: int = 25
    filters: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(
        cls,
        request: Request,
        *,
        sorts: Sequence[str],
        default_sort: str,
        descending: bool = True,
        filters: Sequence[str] = (),
        page_size: int = 25,
    ) -> Listing:
        params = request.query_params
        sort = params.get("sort", default_sort)
        if sort not in sorts:
            sort = default_sort
        order = params.get("order")
        desc = descending if order not in ("asc", "desc") else order == "desc"
        try:
            page = max(1, min(int(params.get("page", "1")), 1_000_000))
        except ValueError:
            page = 1
        chosen = {
            name: params[name].strip()[:MAX_FILTER_LENGTH]
            for name in filters
            if params.get(name, "").strip()
        }
        return cls(request.url.path, sort, desc, page, page_size, chosen)

    def get(self, name: str) -> str:
        return self.filters.get(name, "")

    def url(self, **changes: Any) -> str:
        """This list's URL with some of page/sort/order/filters changed."""
        current = replace(self, **{k: v for k, v in changes.items() if k in ("page", "sort")})
        if "order" in changes:
            current = replace(current, descending=changes["order"] == "desc")
        query = {**current.filters, "sort": current.sort}
        query["order"] = "desc" if current.descending else "asc"
        if current.page > 1:
            query["page"] = str(current.page)
        return f"{self.path}?{urlencode(query)}"

    def sort_url(self, column: str) -> str:
        """Sorting by `column`, or flipping its order when it is already the sort."""
        if column == self.sort:
            return self.url(order="asc" if self.descending else "desc", page=1)
        return self.url(sort=column, order="desc", page=1)

    def fetch(
        self, session: Session, query: sa.Select[Any], columns: Mapping[str, Any], tie: Any
    ) -> Page[Any]:
        """Run `query` for this page, ordered by the chosen column (then `tie`, for stability)."""
        total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
        column = columns[self.sort]
        order = column.desc() if self.descending else column.asc()
        tiebreak = tie.desc() if self.descending else tie.asc()
        offset = (self.page - 1) * self.page_size
        rows = session.execute(
            query.order_by(order, tiebreak).limit(self.page_size).offset(offset)
        ).all()
        return Page(rows=list(rows), total=total, listing=self)


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    listing: Listing

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.listing.page_size))

    @property
    def previous_url(self) -> str | None:
        page = self.listing.page
        return self.listing.url(page=page - 1) if page > 1 else None

    @property
    def next_url(self) -> str | None:
        page = self.listing.page
        return self.listing.url(page=page + 1) if page < self.pages else None
