"""Shared by the benchmarks: pairwise precision/recall/F1, timing, writing results as JSON."""

from __future__ import annotations

import json
import platform
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"

Pair = tuple[Hashable, Hashable]


def pairs_of_clusters(ids: Sequence[Hashable], clusters: Sequence[Hashable]) -> set[Pair]:
    """Every unordered pair of ids that share a cluster (ids sorted within a pair)."""
    members: dict[Hashable, list[Hashable]] = defaultdict(list)
    for record_id, cluster in zip(ids, clusters, strict=True):
        members[cluster].append(record_id)
    pairs: set[Pair] = set()
    for group in members.values():
        pairs.update(combinations(sorted(group, key=str), 2))
    return pairs


def normalise(pairs: Iterable[Pair]) -> set[Pair]:
    return {tuple(sorted(pair, key=str)) for pair in pairs}  # type: ignore[misc]


def scores(predicted: set[Pair], truth: set[Pair]) -> dict[str, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "true_positives": tp,
    }


@contextmanager
def timer(into: dict[str, Any], key: str = "seconds"):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    yield
    into[key] = round(time.perf_counter() - start, 3)


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "system": platform.system(),
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2, ensure_ascii=False))
    return path
