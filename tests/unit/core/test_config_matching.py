"""The matching config: shipped file = defaults, partial sections, errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.config import check_config, load_config
from core.config.matching import MatchingConfig
from core.matching import Matcher

ROOT = Path(__file__).parents[3]


def test_shipped_matching_yaml_is_the_built_in_default() -> None:
    loaded = load_config(ROOT / "config" / "crmhub.yaml")
    assert loaded.sections["matching"] == MatchingConfig()


def test_a_kind_may_give_only_its_thresholds() -> None:
    config = MatchingConfig.model_validate({"contact": {"thresholds": {"auto_merge": 0.99}}})
    assert config.contact.thresholds.auto_merge == 0.99
    assert config.contact.comparisons == MatchingConfig().contact.comparisons
    assert (
        Matcher("contact", config.contact).weights
        == Matcher("contact", MatchingConfig().contact).weights
    )


def test_configured_levels_override_default_weights() -> None:
    config = MatchingConfig.model_validate(
        {
            "customer": {
                "comparisons": [{"type": "phones", "levels": {"same": {"m": 0.5, "u": 0.25}}}]
            }
        }
    )
    weights = Matcher("customer", config.customer).weights
    assert weights.bits[0][0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"customer": {"thresholds": {"auto_merge": 0.5, "review": 0.7}}}, "must be below"),
        ({"customer": {"comparisons": [{"type": "phone"}]}}, "Input should be"),
        ({"customer": {"blocking": [{"key": "value"}]}}, "needs fields"),
        ({"customer": {"comparisons": [{"type": "phones"}, {"type": "phones"}]}}, "appears twice"),
        ({"customer": {"weights": "learned"}}, "Input should be"),
        ({"opportunity": {}}, "Extra inputs"),
    ],
)
def test_bad_matching_config_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        MatchingConfig.model_validate(data)


def test_error_in_matching_yaml_has_its_line(tmp_path: Path) -> None:
    (tmp_path / "matching.yaml").write_text("customer:\n  max_block_size: 0\n", encoding="utf-8")
    main = tmp_path / "crmhub.yaml"
    main.write_text("matching: matching.yaml\n", encoding="utf-8")
    issues = check_config(main)
    assert [(i.file.name, i.line) for i in issues] == [("matching.yaml", 2)]
