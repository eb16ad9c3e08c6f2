"""Conflicting identifiers veto an automatic join: a group's subsidiaries, other credit codes."""

from __future__ import annotations

from typing import Any

import pytest

from core.config.matching import ComparisonSpec, MatchingConfig
from core.matching import Matcher, match_batch
from core.matching.comparisons import build_comparison

# C0000549 and C0000586 of the seed-7 world (1000 customers), as Zoho held them: one group's
# companies in Hangzhou and Guangzhou on one domain, in one trade. The sync joined them.
HANGZHOU: dict[str, Any] = {
    "name": "杭州市明安永投资有限公司",
    "website": "www.minganyong.cn",
    "email": "info@minganyong.cn",
    "phones": ["+8657134609695"],
    "industry": "finance",
    "address": {"street": "滨海大道14号", "region": "CN-ZJ", "country": "CN"},
}
GUANGZHOU: dict[str, Any] = {
    "name": "明安永投资股份有限公司",
    "website": "https://www.minganyong.cn",
    "phones": ["+862059327707"],
    "industry": "finance",
    "address": {"city": "Guangzhou"},
}


def _matcher() -> Matcher:
    return Matcher("customer", MatchingConfig().customer)


def _judge(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, tuple[str, ...], Any]:
    matcher = _matcher()
    pa, pb = matcher.prepare(a), matcher.prepare(b)
    gamma = matcher.gamma(pa, pb)
    return matcher.score(gamma), matcher.vetoes(gamma), matcher.evidence(gamma, pa, pb)


def test_subsidiaries_in_other_cities_conflict_on_the_place_their_names_and_phones_carry() -> None:
    # the Hangzhou record states its city only in its name (杭州市…) and area code (0571)
    score, vetoes, evidence = _judge(HANGZHOU, GUANGZHOU)
    assert vetoes == ("place",)
    place = next(e for e in evidence if e["comparison"] == "place")
    assert place == {"comparison": "place", "level": "different", "weight": place["weight"],
                     "detail": "hangzhou / guangzhou", "veto": True}  # fmt: skip
    assert _matcher().reason(evidence).startswith("place different")
    assert 0.5 <= score < 0.95  # once 0.99: name key, domain and trade agree
    result = match_batch([HANGZHOU, GUANGZHOU], _matcher())
    assert result.clusters == [0, 1]


def test_a_us_number_read_as_a_chinese_landline_states_no_city() -> None:
    # 415-586-5647 on a record without a country, in a CRM whose region is CN, reads as a
    # Dandong landline (0415); its twin has the customer's US address and the +1 reading
    us = {
        "name": "Golden Gate Robotics Inc.",
        "website": "goldengaterobotics.com",
        "phones": ["+14155865647"],
        "address": {"city": "San Francisco", "country": "US"},
    }
    guessed = {"name": "Golden Gate Robotics Inc.", "phones": ["+864155865647"]}
    score, vetoes, evidence = _judge(us, guessed)
    assert vetoes == ()
    levels = {e["comparison"]: e["level"] for e in evidence}
    assert (levels["phones"], "place" in levels) == ("same", False)
    assert score >= 0.95
    # a Dandong landline that is not the twin's number still states Dandong
    dandong = {**guessed, "phones": ["+864155865640"]}
    assert _judge(us, dandong)[1] == ("place",)


def test_a_group_hotline_does_not_make_its_subsidiaries_one() -> None:
    hotline = {"phones": ["+864008001234"], "website": "minganyong.cn", "industry": "finance"}
    hangzhou = {**hotline, "name": "杭州市明安永投资有限公司"}
    guangzhou = {**hotline, "name": "广州市明安永投资有限公司"}
    score, vetoes, _ = _judge(hangzhou, guangzhou)
    assert score >= 0.95  # the weights alone would join them
    assert vetoes == ("place",)
    assert match_batch([hangzhou, guangzhou], _matcher()).clusters == [0, 1]


@pytest.mark.parametrize(
    "other",
    [
        {"name": "华腾科技(深圳)有限公司"},
        {"name": "Shenzhen Huateng Technology Co., Ltd."},
        {"name": "华腾科技有限公司", "address": {"city": "Shenzhen"}},
        {"name": "华腾科技有限公司", "phones": ["+8675587654321"]},  # 0755 is Shenzhen
        {"name": "广东华腾科技有限公司", "phones": ["+8613800138000"]},  # no city stated
    ],
)
def test_one_city_however_written_is_no_conflict(other: dict[str, Any]) -> None:
    huateng = {"name": "深圳市华腾科技有限公司", "phones": ["+8675523456789"]}
    _score, vetoes, _evidence = _judge(huateng, other)
    assert vetoes == ()


def test_another_credit_code_is_another_company() -> None:
    one = {"name": "深圳市华腾科技有限公司", "phones": ["+8675523456789"],
           "custom": {"credit_code": "91440300MA5F000001"}}  # fmt: skip
    score, vetoes, _ = _judge(one, {**one, "custom": {"credit_code": "91440300MA5F000002"}})
    assert score >= 0.95
    assert vetoes == ("credit_code",)
    assert _judge(one, dict(one))[1] == ()


def test_a_veto_names_levels_the_comparison_has() -> None:
    with pytest.raises(ValueError, match="comparison phones has no level nope"):
        build_comparison(ComparisonSpec(type="phones", veto=["nope"]))


def test_a_vetoed_cluster_is_passed_over_for_one_without_conflict() -> None:
    # the Hangzhou company is in the batch twice; the Guangzhou one may join neither
    records = [HANGZHOU, GUANGZHOU, {**HANGZHOU, "name": "明安永投资有限公司"}]
    result = match_batch(records, _matcher())
    assert result.clusters == [0, 1, 0]
