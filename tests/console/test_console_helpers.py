"""The console's small pure pieces: run headlines, values as shown, safe redirects, lists."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from console.listing import Listing, Page
from console.routes.dashboard import headline
from console.security import safe_next, tokens_match
from console.templating import flatten, show_value
from console.views import entity_label


def test_headline_takes_the_names_a_cycle_uses_and_keeps_the_rest() -> None:
    shown = headline(
        {"pulled": 10, "conflicts_opened": 2, "planned_creates": 1, "planned_updates": 4, "x": 1}
    )
    assert shown["main"] == {
        "pulled": 10, "merged": None, "conflicts": 2, "writes": 5, "errors": None,
    }  # fmt: skip
    assert shown["rest"] == {"x": 1}
    assert headline({"writes": 3, "planned_updates": 9})["main"]["writes"] == 3


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "—"), ("", "—"), ([], "—"), (True, "yes"), ("比亚迪", "比亚迪"),
     (["+8613800138000"], '["+8613800138000"]'), ({"amount": "1.50"}, '{"amount": "1.50"}')],
)  # fmt: skip
def test_values_are_shown_as_operators_read_them(value: object, shown: str) -> None:
    assert show_value(value) == shown


def test_flatten_gives_paths() -> None:
    record = {"name": "华腾", "address": {"city": "深圳", "country": "CN"}, "phones": ["+86"]}
    assert list(flatten(record)) == [
        ("address.city", "深圳"), ("address.country", "CN"), ("name", "华腾"), ("phones", ["+86"]),
    ]  # fmt: skip


def test_entity_labels() -> None:
    assert entity_label({"name": "华腾"}, "id") == "华腾"
    assert entity_label({"last_name": "张", "first_name": "伟"}, "id") == "张 伟"
    assert entity_label({}, "e1") == "e1"


@pytest.mark.parametrize(
    ("target", "safe"),
    [("/audit?x=1", "/audit?x=1"), ("//evil", "/"), ("/\\evil", "/"), ("http://e/", "/"),
     ("", "/"), (None, "/"), ("/a\r\nSet-Cookie: x", "/")],
)  # fmt: skip
def test_safe_next(target: str | None, safe: str) -> None:
    assert safe_next(target) == safe


def test_tokens_match() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match("", "")
    assert not tokens_match(None, "abc")
    assert not tokens_match("abc", None)


def request(query: str) -> Request:
    return Request(
        {"type": "http", "path": "/audit", "query_string": query.encode(), "headers": []}
    )


def test_listing_reads_only_what_it_offers() -> None:
    listing = Listing.from_request(
        request("sort=evil&order=up&page=-3&actor=%E6%9D%8E&other=1"),
        sorts=("at", "actor"), default_sort="at", filters=("actor",),
    )  # fmt: skip
    assert (listing.sort, listing.descending, listing.page) == ("at", True, 1)
    assert dict(listing.filters) == {"actor": "李"}
    assert listing.sort_url("at") == "/audit?actor=%E6%9D%8E&sort=at&order=asc"
    assert listing.sort_url("actor") == "/audit?actor=%E6%9D%8E&sort=actor&order=desc"


def test_page_links() -> None:
    listing = Listing.from_request(request("page=2"), sorts=("at",), default_sort="at")
    page: Page[int] = Page(rows=[], total=60, listing=listing)
    assert page.pages == 3
    assert page.previous_url == "/audit?sort=at&order=desc"
    assert page.next_url == "/audit?sort=at&order=desc&page=3"
