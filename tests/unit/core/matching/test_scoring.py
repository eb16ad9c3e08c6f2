"""Comparisons give named levels with evidence; the model turns them into a probability."""

from __future__ import annotations

import random
from typing import Any

import pytest

from core.config.matching import ComparisonSpec, LevelWeights, MatchingConfig
from core.matching import Matcher
from core.matching.comparisons import build_comparison
from core.matching.em import estimate_u, estimate_weights
from core.matching.engine import matcher_for
from core.matching.model import Weights, probability_of


def contact(first: str | None, last: str, **values: Any) -> dict[str, Any]:
    return {"first_name": first, "last_name": last, **values}


def score(kind: str, a: dict[str, Any], b: dict[str, Any]) -> tuple[float, dict[str, str]]:
    matcher = Matcher(kind, MatchingConfig().for_kind(kind))
    pa, pb = matcher.prepare(a), matcher.prepare(b)
    gamma = matcher.gamma(pa, pb)
    evidence = matcher.evidence(gamma, pa, pb)
    return matcher.score(gamma), {e["comparison"]: e["level"] for e in evidence}


def test_the_same_digits_read_in_two_countries_are_the_same_phone() -> None:
    # 415-586-5647 on a record with a US address, and on its twin without a country in a CRM
    # whose region is CN (a Dandong landline there)
    comparison = build_comparison(ComparisonSpec(type="phones"))
    us = comparison.prepare({"phones": ["+14155865647"]})
    guessed = comparison.prepare({"phones": ["+8613800138000", "+864155865647"]})
    assert comparison.level(us, guessed) == comparison.levels.index("same")
    assert comparison.detail(us, guessed) == (
        "+14155865647 = +864155865647 (the same digits read in two countries)"
    )
    other = comparison.prepare({"phones": ["+14155865648"]})
    assert comparison.level(other, guessed) == comparison.levels.index("different")


def test_same_company_across_crms_scores_high_with_reasons() -> None:
    probability, levels = score(
        "customer",
        {"name": "深圳市华腾科技有限公司", "phones": ["+8675523456789"], "website": "huateng.com"},
        {"name": "华腾科技(深圳)有限公司", "phones": ["+8675523456789"], "address": None},
    )
    assert probability > 0.99
    # the city both names carry (深圳市… / …(深圳)…) and the 0755 area code agree too
    assert levels == {"company_name": "same_key", "phones": "same", "place": "same"}


def test_chinese_and_english_names_of_one_company_meet_on_the_brand() -> None:
    _, levels = score(
        "customer",
        {"name": "深圳市华腾科技有限公司", "industry": "technology"},
        {"name": "Shenzhen Huateng Technology Co., Ltd.", "industry": "technology"},
    )
    assert levels["company_name"] == "same_brand"


def test_subsidiary_on_the_group_domain_is_not_merged() -> None:
    probability, levels = score(
        "customer",
        {"name": "华腾科技有限公司", "website": "huateng.com", "phones": ["+8675523456789"],
         "industry": "technology", "address": {"city": "深圳"}},
        {"name": "华腾物流有限公司", "website": "huateng.com", "phones": ["+8675523450000"],
         "industry": "logistics", "address": {"city": "深圳"}},
    )  # fmt: skip
    assert levels["domains"] == "same"
    assert levels["phones"] == "different"
    assert probability < 0.5


def test_namesakes_at_different_customers_are_kept_apart() -> None:
    probability, levels = score(
        "contact",
        contact("伟", "张", customer={"entity_id": "0b6a9a2e-6a8e-4f4e-9b43-6c1c6d9c0001"}),
        contact("Wei", "Zhang", customer={"entity_id": "0b6a9a2e-6a8e-4f4e-9b43-6c1c6d9c0002"}),
    )
    assert levels == {"person_name": "same", "customer": "different"}
    assert probability < 0.5


def test_one_person_at_one_customer_across_scripts_is_merged() -> None:
    customer = {"entity_id": "0b6a9a2e-6a8e-4f4e-9b43-6c1c6d9c0001"}
    probability, levels = score(
        "contact",
        contact("伟", "张", customer=customer, mobile="+8613800138000"),
        contact("Wei", "Zhang", customer=customer, mobile="+8613800138000"),
    )
    assert levels == {"person_name": "same", "customer": "same", "phones": "same"}
    assert probability > 0.99


def test_two_surnames_alone_at_one_customer_go_to_review_not_merge() -> None:
    # 罗 and 罗 at one company: one person as often as two (the 10k run merged two people)
    customer = {"entity_id": "0b6a9a2e-6a8e-4f4e-9b43-6c1c6d9c0001"}
    probability, levels = score(
        "contact", contact(None, "罗", customer=customer), contact(None, "罗", customer=customer)
    )
    assert levels == {"person_name": "same_partial_name", "customer": "same"}
    assert 0.5 <= probability < 0.95
    # a shared e-mail settles it
    probability, _ = score(
        "contact",
        contact(None, "罗", customer=customer, email="luo@example.com"),
        contact(None, "罗", customer=customer, email="luo@example.com"),
    )
    assert probability >= 0.95


def test_nickname_level() -> None:
    _, levels = score("contact", contact("Bill", "Gates"), contact("William", "Gates"))
    assert levels["person_name"] == "nickname"


def test_customer_names_compare_when_there_is_no_entity() -> None:
    _, same = score(
        "contact",
        contact("Bob", "Smith", customer={"remote_id": "x", "name": "Zylker Inc."}),
        contact("Bob", "Smith", customer={"remote_id": "y", "name": "ZYLKER"}),
    )
    assert same["customer"] == "same"


EDITS = ComparisonSpec(type="edit_distance", fields=["x"])
TEXT = ComparisonSpec(type="text", fields=["x"])


@pytest.mark.parametrize(
    ("spec", "a", "b", "level"),
    [
        (EDITS, "19560409", "19560409", "same"),
        (EDITS, "19560409", "19560490", "within_1_edits"),
        (EDITS, "19560409", "19651409", "within_2_edits"),
        (EDITS, "19560409", "20011231", "different"),
        (TEXT, "wallaby place", "walaby place", "similar_0.92"),
        (TEXT, "wallaby place", "WALLABY  PLACE", "same"),
        (ComparisonSpec(type="same_value", fields=["x"]), "A1", "a1", "same"),
    ],
)  # fmt: skip
def test_generic_comparisons(spec: ComparisonSpec, a: str, b: str, level: str) -> None:
    comparison = build_comparison(spec)
    found = comparison.level(comparison.prepare({"x": a}), comparison.prepare({"x": b}))
    assert found is not None
    assert comparison.levels[found] == level


def test_missing_values_are_no_evidence() -> None:
    comparison = build_comparison(ComparisonSpec(type="phones"))
    assert comparison.level(comparison.prepare({}), comparison.prepare({"phones": ["+86"]})) is None


def test_unknown_level_in_config_is_refused_with_the_known_ones() -> None:
    spec = ComparisonSpec(type="phones", levels={"samee": LevelWeights(m=0.9, u=0.1)})
    with pytest.raises(ValueError, match=r"no level samee \(its levels: same, different\)"):
        build_comparison(spec)


def test_weights_are_log_likelihood_ratios() -> None:
    weights = Weights(prior=0.5, m=((0.8, 0.2),), u=((0.1, 0.9),))
    assert weights.bits[0][0] == pytest.approx(3.0)
    assert weights.score((0,)) == pytest.approx(0.8 / (0.8 + 0.1))
    assert weights.score((None,)) == pytest.approx(0.5)
    assert probability_of(100) == 1.0
    assert probability_of(-100) == 0.0


def test_em_recovers_m_and_the_share_of_matches_without_labels() -> None:
    rng = random.Random(3)
    true_m, true_u = ((0.9, 0.1), (0.7, 0.3)), ((0.05, 0.95), (0.2, 0.8))

    def draw(probabilities: tuple[tuple[float, float], ...]) -> tuple[int, ...]:
        return tuple(0 if rng.random() < p[0] else 1 for p in probabilities)

    pairs = [draw(true_m) for _ in range(3000)] + [draw(true_u) for _ in range(7000)]
    randoms = [draw(true_u) for _ in range(20000)]
    start = Weights(prior=0.1, m=((0.6, 0.4), (0.6, 0.4)), u=((0.5, 0.5), (0.5, 0.5)))
    u = estimate_u(randoms, (2, 2), start)
    assert u[0][0] == pytest.approx(0.05, abs=0.01)
    result = estimate_weights(pairs, Weights(0.1, start.m, u), total_pairs=10000)
    assert result.weights.m[0][0] == pytest.approx(0.9, abs=0.03)
    assert result.weights.m[1][0] == pytest.approx(0.7, abs=0.05)
    assert result.match_share == pytest.approx(0.3, abs=0.03)


def test_a_config_sections_matcher_is_built_once_and_a_new_config_gets_its_own() -> None:
    config = MatchingConfig()
    first = matcher_for("customer", config.customer)
    assert matcher_for("customer", config.customer) is first
    assert matcher_for("contact", config.contact) is not first
    reloaded = MatchingConfig()  # equal, but another object: a config loaded again
    assert matcher_for("customer", reloaded.customer) is not first
