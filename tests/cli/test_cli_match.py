"""`crmhub match` (the CSV contract) and `crmhub reviews` (decide match reviews)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.config.matching import MatchingConfig
from core.matching import Decision, match_record
from core.store import Store
from workers.cli import app

runner = CliRunner()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no config/crmhub.yaml here: defaults
    monkeypatch.delenv("CRMHUB_CONFIG", raising=False)
    return tmp_path


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CUSTOMERS = """\
record_id,name,website,email,phone,city,country,source,note
1,深圳市华腾科技有限公司,www.huateng.com,info@huateng.com,0755-2345 6789,深圳,中国,fxiaoke,a
2,华腾科技(深圳)有限公司,https://huateng.com,,+86 755 2345 6789,Shenzhen,China,zoho,"b, with comma"
3,北京银行股份有限公司,,,010-12345678,北京,中国,fxiaoke,
4,南京银行,,,12ab,南京,中国,fxiaoke,bad phone
5,"Zylker, Inc.",zylker.com,sales@zylker.com,(512) 555-0101,Austin,USA,zoho,
6,ZYLKER INC,,,+1 512 555 0101,Austin,US,hubspot,
7,,,,,,,hubspot,no name
"""


def test_every_row_comes_out_with_its_cluster_score_and_reason(here: Path) -> None:
    source = write_csv(here / "in.csv", CUSTOMERS)
    result = runner.invoke(app, ["match", str(source), "--entity", "customer", "--out", "out.csv"])
    rows = read_csv(here / "out.csv")
    assert [r["record_id"] for r in rows] == ["1", "2", "3", "4", "5", "6", "7"]
    assert list(rows[0])[-3:] == ["cluster_id", "match_score", "match_reason"]
    by_id = {r["record_id"]: r for r in rows}
    assert by_id["1"]["cluster_id"] == by_id["2"]["cluster_id"] == "1"
    assert by_id["5"]["cluster_id"] == by_id["6"]["cluster_id"] == "5"
    assert by_id["3"]["cluster_id"] == "3"
    assert float(by_id["2"]["match_score"]) > 0.95
    assert by_id["2"]["match_reason"].startswith("same as 1: ")
    assert "phones same" in by_id["2"]["match_reason"]
    assert by_id["3"]["match_reason"] == "new: no candidate"
    # extra columns are carried through unchanged
    assert by_id["2"]["source"] == "zoho"
    assert by_id["2"]["note"] == "b, with comma"
    # bad rows: reported with their line numbers, kept in the output, the run went on
    assert by_id["4"]["cluster_id"] == ""
    assert "phone" in by_id["4"]["match_reason"]
    assert by_id["7"]["match_reason"].startswith("error: name")
    assert result.exit_code == 1
    assert "in.csv:5: phone: '12ab' phone number contains letters" in result.output
    assert "in.csv:8: name" in result.output


def test_contacts_with_customer_names(here: Path) -> None:
    source = write_csv(
        here / "contacts.csv",
        "record_id,first_name,last_name,full_name,email,mobile,customer_name\n"
        "a,伟,张,,,138 0013 8000,华腾科技有限公司\n"
        "b,Wei,Zhang,,,+86 138-0013-8000,深圳市华腾科技有限公司\n"
        "c,,,张伟,,,北京银行\n"
        "d,Bill,Gates,,bill@zylker.com,,Zylker Inc\n"
        "e,William,Gates,,Bill@Zylker.com,,ZYLKER\n",
    )
    result = runner.invoke(
        app, ["match", str(source), "--entity", "contact", "--out", str(here / "o.csv")]
    )
    assert result.exit_code == 0, result.output
    clusters = {r["record_id"]: r["cluster_id"] for r in read_csv(here / "o.csv")}
    assert clusters == {"a": "a", "b": "a", "c": "c", "d": "d", "e": "d"}


def test_weights_estimated_from_the_file_can_be_shown(here: Path) -> None:
    source = write_csv(here / "in.csv", CUSTOMERS)
    result = runner.invoke(
        app,
        ["match", str(source), "--entity", "customer", "--out", "o.csv", "--em", "--show-weights"],
    )
    assert "company_name:" in result.output
    assert "same_key:" in result.output
    assert "prior:" in result.output


def test_record_id_is_required(here: Path) -> None:
    source = write_csv(here / "in.csv", "id,name\n1,华腾\n")
    result = runner.invoke(app, ["match", str(source), "--entity", "customer", "--out", "o.csv"])
    assert result.exit_code == 2
    assert "no record_id column" in result.output
    assert not (here / "o.csv").exists()


def test_unknown_entity_is_a_usage_error(here: Path) -> None:
    source = write_csv(here / "in.csv", "record_id,name\n1,华腾\n")
    result = runner.invoke(app, ["match", str(source), "--entity", "deal", "--out", "o.csv"])
    assert result.exit_code == 2


def test_empty_values_and_missing_columns_are_allowed(here: Path) -> None:
    source = write_csv(here / "in.csv", "record_id,name,phone\n1,华腾科技,\n2,华腾科技有限公司,\n")
    result = runner.invoke(app, ["match", str(source), "--entity", "customer", "--out", "o.csv"])
    assert result.exit_code == 0, result.output
    rows = read_csv(here / "o.csv")
    # a name alone is not enough evidence at the default prior (1 in 10,000)
    assert [r["cluster_id"] for r in rows] == ["1", "2"]
    assert rows[1]["match_reason"] == "new: company_name same_key +10.6"
    assert 0 < float(rows[1]["match_score"]) < 0.5


def test_reviews_list_show_decide_and_unmerge(
    here: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRMHUB_DATABASE_URL", database_url)
    store = Store.open(database_url)
    store.upgrade()
    config = MatchingConfig()
    with store.transaction() as session:
        first = match_record(
            session, "customer", {"name": "华腾科技有限公司", "website": "huateng.com"},
            connection="fxiaoke", remote_id="A1", config=config,
        )  # fmt: skip
        grey = match_record(
            session, "customer", {"name": "Huateng Technology Co., Ltd.", "website": "huateng.com"},
            connection="zoho", remote_id="Z1", config=config,
        )  # fmt: skip
    store.close()
    assert grey.decision == Decision.REVIEW
    listed = runner.invoke(app, ["reviews", "list", "--kind", "match"])
    assert listed.exit_code == 0, listed.output
    assert f"{grey.review_id}" in listed.output
    assert "match" in listed.output
    shown = runner.invoke(app, ["reviews", "show", str(grey.review_id)])
    assert shown.exit_code == 0, shown.output
    assert str(first.entity_id) in shown.output
    assert "same_brand" in shown.output
    assert "domains" in shown.output
    decided = runner.invoke(
        app,
        [
            "reviews",
            "decide",
            str(grey.review_id),
            "merge",
            "--actor",
            "李娜",
            "--reason",
            "同一家",
        ],
    )
    assert decided.exit_code == 0, decided.output
    again = runner.invoke(app, ["reviews", "decide", str(grey.review_id), "keep-apart"])
    assert again.exit_code == 1
    assert "already resolved" in again.output
    split = runner.invoke(app, ["reviews", "unmerge", str(grey.entity_id), "--actor", "李娜"])
    assert split.exit_code == 0, split.output
    assert f"split from {first.entity_id}" in split.output
    missing = runner.invoke(app, ["reviews", "show", "999"])
    assert missing.exit_code == 1
