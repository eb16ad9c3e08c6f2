"""Batch matching in memory: clusters, caps on pathological blocks, linkage mode, EM."""

from __future__ import annotations

from typing import Any

from core.config.matching import BlockingSpec, ComparisonSpec, EntityMatching, MatchingConfig
from core.matching import Matcher, match_batch


def test_spellings_of_one_company_form_one_cluster_and_others_their_own() -> None:
    records: list[dict[str, Any]] = [
        {"name": "深圳市华腾科技有限公司", "phones": ["+8675523456789"]},
        {"name": "北京银行股份有限公司", "phones": ["+861012345678"]},
        {"name": "华腾科技(深圳)有限公司", "phones": ["+8675523456789"]},
        {"name": "南京银行股份有限公司", "phones": ["+862512345678"]},
    ]
    result = match_batch(records, Matcher("customer", MatchingConfig().customer))
    assert result.clusters == [0, 1, 0, 3]
    assert result.scores[2] is not None
    assert result.scores[2] > 0.99
    assert "phones same" in result.reasons[2]
    assert result.reasons[0] == "no candidate"


def _spec(**changes: Any) -> EntityMatching:
    base = EntityMatching(
        blocking=[BlockingSpec(key="person_name")],
        comparisons=[ComparisonSpec(type="person_name"), ComparisonSpec(type="emails")],
    )
    return base.model_copy(update=changes)


def test_a_key_shared_by_too_many_records_is_skipped_and_reported() -> None:
    records = [{"full_name": "张伟", "emails": [f"z{i}@x.com"]} for i in range(6)]
    result = match_batch(records, Matcher("contact", _spec(max_block_size=5)))
    assert result.stats["pairs"] == 0
    assert result.stats["skipped_keys"] == ["person_name=wei zhang (6)"]
    assert result.clusters == list(range(6))


def test_linkage_mode_compares_only_across_sources() -> None:
    records = [
        {"full_name": "John Smith", "emails": ["js@x.com"]},
        {"full_name": "John Smith", "emails": ["js@x.com"]},
        {"full_name": "John Smith", "emails": ["js@x.com"]},
    ]
    result = match_batch(records, Matcher("contact", _spec()), link_only_sources=["a", "a", "b"])
    assert result.stats["pairs"] == 2
    assert result.clusters[2] in (0, 1)
    assert result.clusters[0] != result.clusters[1]


def test_em_estimates_weights_from_the_batch() -> None:
    records = []
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(60):
        given = f"Ann{letters[i % 26]}{letters[i // 26]}"  # 60 given names, 7 family names
        record = {"full_name": f"{given} Family{letters[i % 7]}", "emails": [f"p{i}@x.com"]}
        records += [record, dict(record)]
    spec = _spec(weights="em")
    result = match_batch(records, Matcher("contact", spec))
    assert result.stats["em_iterations"] > 0
    assert result.matcher.weights != Matcher("contact", spec).weights
    assert result.clusters == [i - i % 2 for i in range(120)]
