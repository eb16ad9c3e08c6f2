"""`crmhub reviews ...`: the operators' queue; match reviews are decided here (merge, keep apart),
and a merge can be undone (unmerge)."""

from __future__ import annotations

import getpass
import json
import uuid
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from core.matching import ReviewAction, decide_match_review, unmerge_entity
from core.merging import MergeError
from core.reviews import ReviewKind, ReviewStatus, list_reviews
from core.store import ReviewItem
from workers.cli.context import ExitCode, err, out, state

__all__ = ["app"]

app = typer.Typer(
    help="The operators' queue: list, show and decide review items.", no_args_is_help=True
)


class Action(StrEnum):
    MERGE = "merge"
    KEEP_APART = "keep-apart"


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: Annotated[ReviewKind | None, typer.Option(help="Only this kind.")] = None,
    status: Annotated[ReviewStatus, typer.Option(help="Only this status.")] = ReviewStatus.OPEN,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    """List review items, oldest first."""
    with state(ctx).store().transaction() as session:
        items = list_reviews(session, kind=kind, status=status, limit=limit)
        table = Table("id", "kind", "status", "entity", "summary")
        for item in items:
            table.add_row(
                str(item.id), item.kind, item.status, str(item.entity_id or ""), item.summary
            )
    out.print(table)


@app.command()
def show(ctx: typer.Context, review_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """One review item with its candidates and the evidence behind each score."""
    with state(ctx).store().transaction() as session:
        item = session.get(ReviewItem, review_id)
        if item is None:
            err.print(f"[red]no review {review_id}[/red]")
            raise typer.Exit(ExitCode.FAILED)
        out.print(f"[bold]review {item.id}[/bold] {item.kind} {item.status}: {item.summary}")
        payload = dict(item.payload)
        for candidate in payload.pop("candidates", []):
            out.print(f"  candidate {candidate['entity_id']} score {candidate['score']:.4f}")
            for e in candidate.get("evidence", []):
                line = f"{e['comparison']:<24} {e['level']:<18} {e['weight']:+6.1f}"
                out.print(f"    {line}  {e['detail']}", highlight=False)
        out.print_json(json.dumps(payload, ensure_ascii=False, default=str))


@app.command()
def decide(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(metavar="ID")],
    action: Annotated[Action, typer.Argument(help="merge or keep-apart")],
    into: Annotated[
        str | None, typer.Option(help="For merge: the candidate entity (default: the best).")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    actor: Annotated[str | None, typer.Option(help="Operator name (default: login).")] = None,
) -> None:
    """Decide a match review: merge the record's entity into a candidate, or keep them apart."""
    chosen = ReviewAction.MERGE if action == Action.MERGE else ReviewAction.KEEP_APART
    try:
        candidate = uuid.UUID(into) if into else None
        with state(ctx).store().transaction() as session:
            decide_match_review(
                session, review_id, chosen, config=state(ctx).matching(),
                actor=actor or _operator(), reason=reason, candidate_id=candidate,
            )  # fmt: skip
    except (ValueError, MergeError) as exc:
        err.print(f"[red]cannot decide review {review_id}:[/red] {exc}")
        raise typer.Exit(ExitCode.FAILED) from None
    out.print(f"review {review_id}: {chosen.value}")


@app.command()
def unmerge(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(metavar="ENTITY", help="The merged entity.")],
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    actor: Annotated[str | None, typer.Option(help="Operator name (default: login).")] = None,
    keep_apart: Annotated[bool, typer.Option(help="Remember the pair as different.")] = True,
) -> None:
    """Undo a merge: the entity gets back its links, golden values and keys (SPLIT_FROM)."""
    try:
        with state(ctx).store().transaction() as session:
            merge = unmerge_entity(
                session, uuid.UUID(entity_id), config=state(ctx).matching(),
                actor=actor or _operator(), reason=reason, keep_apart=keep_apart,
            )  # fmt: skip
            survivor = merge.survivor_id
    except (ValueError, MergeError) as exc:
        err.print(f"[red]cannot unmerge {entity_id}:[/red] {exc}")
        raise typer.Exit(ExitCode.FAILED) from None
    out.print(f"{entity_id} split from {survivor}")
