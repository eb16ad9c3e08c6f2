"""Tiers from thresholds: like with like, converted with configured rates, or left alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.assignment import Amount, Rates, TierBasis
from core.assignment.config import TierSettings
from core.assignment.fields import customer_facts
from core.assignment.tiering import Tiering

REVENUE = Tiering.from_settings(
    TierSettings(
        by=TierBasis.ANNUAL_REVENUE, thresholds={"A": "100000000 CNY", "B": "10000000 CNY"}
    )
)
RATES = Rates("CNY", {"USD": Decimal("7.10")})


def facts(**data: Any) -> dict[str, Any]:
    return customer_facts({"name": "x", **data}, [])


@pytest.mark.parametrize(
    ("revenue", "rates", "tier", "why"),
    [
        ("150000000 CNY", Rates(), "A", "annual revenue 150000000 CNY ≥ 100000000 CNY"),
        ("10000000 CNY", Rates(), "B", "≥ 10000000 CNY"),
        ("9999999.99 CNY", Rates(), "C", "annual revenue 9999999.99 CNY < 10000000 CNY"),
        ("20000000 USD", RATES, "A", "20000000 USD = 142000000.00 CNY at the configured rate"),
        ("20000000 USD", Rates(), None, "no rate for USD in currency.rates: tier left as it is"),
        ("20000000 EUR", RATES, None, "no rate for EUR"),
    ],
)
def test_revenue_tiers_compare_like_with_like_or_convert(
    revenue: str, rates: Rates, tier: str | None, why: str
) -> None:
    amount = Amount.parse(revenue)
    money = {"amount": str(amount.value), "currency": amount.currency}
    result = REVENUE.tier_of(facts(annual_revenue=money), [], rates)
    assert result.tier == tier
    assert why in result.why


def test_unknown_revenue_leaves_the_tier_alone() -> None:
    result = REVENUE.tier_of(facts(tier="B"), [], RATES)
    assert result.tier is None
    assert "no annual revenue" in result.why


def test_open_pipeline_sums_what_it_can_convert_and_names_the_rest() -> None:
    tiering = Tiering.from_settings(
        TierSettings(
            by=TierBasis.OPEN_PIPELINE, thresholds={"A": "5000000 CNY", "B": "1000000 CNY"}
        )
    )
    deals = [Amount(Decimal("600000"), "CNY"), Amount(Decimal("100000"), "USD")]
    deals.append(Amount(Decimal("999"), "JPY"))
    result = tiering.tier_of(facts(), deals, RATES)
    assert result.tier == "B"  # 600000 + 710000 CNY; the JPY deal cannot be counted
    assert "open pipeline of 3 1310000.00 CNY ≥ 1000000 CNY" in result.why
    assert "left out (no rate): 999 JPY" in result.why
    assert tiering.tier_of(facts(), [], RATES).tier == "C"


def test_numeric_field_tiers() -> None:
    tiering = Tiering.from_settings(
        TierSettings(by=TierBasis.FIELD, field="employee_count", thresholds={"A": 1000, "B": 100})
    )
    assert tiering.tier_of(facts(employee_count=5000), [], RATES).tier == "A"
    assert tiering.tier_of(facts(employee_count=100), [], RATES).tier == "B"
    assert tiering.tier_of(facts(employee_count=3), [], RATES).tier == "C"
    assert tiering.tier_of(facts(), [], RATES).tier is None


def test_text_field_tiers_by_values() -> None:
    tiering = Tiering.from_settings(
        TierSettings(
            by=TierBasis.FIELD,
            field="custom.level",
            values={"A": ["战略客户", "VIP"], "B": ["重点"]},
            default="C",
        )
    )
    assert tiering.tier_of(facts(custom={"level": "vip"}), [], RATES).tier == "A"
    assert tiering.tier_of(facts(custom={"level": "重点"}), [], RATES).tier == "B"
    assert tiering.tier_of(facts(custom={"level": "普通"}), [], RATES).tier == "C"
