"""`crmhub match INPUT.csv --entity customer|contact --out OUTPUT.csv`: deduplicate a file.

Every input row comes out with `cluster_id` (the record_id of the first row of its cluster:
same value, same real entity), `match_score` (match probability against the best candidate)
and `match_reason` (the evidence, strongest first). A bad row is reported with its line
number, keeps its place in the output with an empty cluster_id, and the run goes on.
"""

from __future__ import annotations

import csv
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from core.matching import Matcher, match_batch
from workers.cli.context import ExitCode, err, out, state
from workers.cli.match_rows import COLUMNS, OUTPUT_COLUMNS, BadRowError, record_from_row

__all__ = ["match"]


class EntityChoice(StrEnum):
    CUSTOMER = "customer"
    CONTACT = "contact"


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows, line = [], 2
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    return header, rows


def match(
    ctx: typer.Context,
    input_file: Annotated[
        Path, typer.Argument(metavar="INPUT.csv", help="Header row; record_id required.")
    ],
    entity: Annotated[EntityChoice, typer.Option("--entity", help="What the rows are.")],
    out_file: Annotated[Path, typer.Option("--out", metavar="OUTPUT.csv", help="Where to write.")],
    region: Annotated[
        str, typer.Option(help="Country for phone numbers without a country code.")
    ] = "CN",
    em: Annotated[
        bool | None,
        typer.Option("--em/--configured", help="Estimate weights from the file (default: config)."),
    ] = None,
    show_weights: Annotated[
        bool, typer.Option(help="Print the m/u weights used, as config/matching.yaml levels.")
    ] = False,
) -> None:
    """Deduplicate INPUT.csv; write every row with cluster_id, match_score, match_reason."""
    kind = entity.value
    try:
        header, rows = _read(input_file)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        err.print(f"[red]cannot read {input_file}:[/red] {exc}")
        raise typer.Exit(ExitCode.CONFIG) from None
    if "record_id" not in header:
        err.print(f"[red]{input_file}:1: no record_id column[/red] (columns: {', '.join(header)})")
        raise typer.Exit(ExitCode.CONFIG)
    known = set(COLUMNS[kind]) | {"record_id"}
    extra = [c for c in header if c not in known and c not in OUTPUT_COLUMNS]
    if extra:
        out.print(f"carried through unchanged: {', '.join(extra)}", highlight=False)
    records, good, bad = [], [], 0
    results: dict[int, tuple[str, str, str]] = {}
    for index, (line, row) in enumerate(rows):
        if not (row.get("record_id") or "").strip():
            err.print(f"{input_file}:{line}: record_id: is empty", highlight=False)
            results[index], bad = ("", "", "error: record_id is empty"), bad + 1
            continue
        try:
            records.append(record_from_row(kind, row, region))
            good.append(index)
        except BadRowError as exc:
            err.print(f"{input_file}:{line}: {exc}", highlight=False)
            results[index], bad = ("", "", f"error: {exc}"), bad + 1
    config = state(ctx).matching()
    matcher = Matcher(kind, config.for_kind(kind))
    batch = match_batch(records, matcher, estimate=em)
    for position, index in enumerate(good):
        cluster = rows[good[batch.clusters[position]]][1]["record_id"].strip()
        score = batch.scores[position]
        joined = batch.clusters[position] != position
        verdict = "same as" if joined else "new"
        reason = batch.reasons[position]
        if joined:
            reason = f"{verdict} {cluster}: {reason}"
        elif score is not None and score >= matcher.spec.thresholds.review:
            reason = f"new (review suggested): {reason}"
        else:
            reason = f"new: {reason}"
        results[index] = (cluster, "" if score is None else f"{score:.4f}", reason)
    columns = header + [c for c in OUTPUT_COLUMNS if c not in header]
    with out_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for index, (_, row) in enumerate(rows):
            cluster, score_text, reason = results[index]
            writer.writerow(
                {**row, "cluster_id": cluster, "match_score": score_text, "match_reason": reason}
            )
    if show_weights:
        levels = batch.matcher.weights_as_config()
        out.print(yaml.safe_dump({kind: {"prior": batch.matcher.weights.prior, "levels": levels}},
                                 allow_unicode=True, sort_keys=False), highlight=False)  # fmt: skip
    clusters = len({results[i][0] for i in good})
    out.print(
        f"{len(rows)} rows, {bad} bad, {len(good)} matched into {clusters} {kind} entities "
        f"→ {out_file}",
        highlight=False,
    )
    if bad:
        raise typer.Exit(ExitCode.FAILED)
