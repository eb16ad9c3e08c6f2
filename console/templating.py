"""Server-rendered pages: one Jinja2 environment per app, autoescaping everything it renders.

Values from CRMs (names with HTML in them, Chinese text, very long strings) reach templates as
data; autoescape is forced on for every template, and no template marks a value `|safe`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from console.security import CSRF_FIELD

__all__ = ["MISSING", "flatten", "make_templates", "render", "show_value"]

TEMPLATES = Path(__file__).parent / "templates"
MISSING = "—"
# what `?done=...` after a decision may say (fixed texts: the query string cannot inject any)
NOTICES = {
    "resolved": "Resolved. The decision is in the audit log under your name.",
    "merged": "Merged. The decision is in the audit log under your name.",
    "kept_apart": "Kept apart: this pair will not be proposed again.",
    "unmerged": "Unmerged: the entity has its links and values back, and is kept apart.",
    "settled": "Owner chosen: the customer and its contacts and opportunities follow.",
    "retried": "Queued again: a new pending write is in the outbox.",
    "discarded": "Discarded: the write will not be sent.",
}


def show_value(value: Any) -> str:
    """A value as an operator reads it: text as is, structures as compact JSON, none as —."""
    if value is None or value == "" or value == [] or value == {}:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, default=str)


def flatten(record: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) pairs of a canonical record in JSON form: address.city, phones, ..."""
    if isinstance(record, Mapping) and record:
        for key in sorted(record):
            yield from flatten(record[key], f"{prefix}.{key}" if prefix else str(key))
    elif prefix:
        yield prefix, record


def make_templates(zone: tzinfo) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def when(value: datetime | str | None) -> str:
        if value is None:
            return MISSING
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
        else:
            moment = value
        if moment.tzinfo is None:
            return moment.isoformat(sep=" ", timespec="seconds")
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %z")

    env.filters.update(value=show_value, pretty=pretty, when=when)
    env.globals.update(flatten=flatten, csrf_field=CSRF_FIELD)
    return Jinja2Templates(env=env)


def render(
    request: Request, template: str, status_code: int = 200, /, **context: Any
) -> HTMLResponse:
    """Render a page with the signed-in operator (if any) and their CSRF token."""
    templates: Jinja2Templates = request.app.state.templates
    operator = getattr(request.state, "operator", None)
    context.setdefault("operator", operator)
    context.setdefault("csrf_token", operator.csrf_token if operator else "")
    context.setdefault("notice", NOTICES.get(request.query_params.get("done", ""), ""))
    return templates.TemplateResponse(request, template, context, status_code=status_code)
