"""Whatever CRMs and operators type is shown as text: HTML in names is escaped, Chinese text
comes through unchanged, very long values are shown whole and do not break the page."""

from __future__ import annotations

import httpx
import pytest
from console_seed import HASHER, PASSWORD, add_operator_account, seed, sign_in

from console.accounts import add_operator
from core.store import Store

HOSTILE = '<script>alert("客户")</script><img src=x onerror=alert(1)>比亚迪 & 子公司'
ESCAPED = "&lt;script&gt;alert(&#34;客户&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
LONG = "深圳市" + "很长的公司名称" * 1500 + "有限公司"  # 10,506 characters
OPERATOR = "<b>王</b>芳"


@pytest.fixture
def hostile(store: Store) -> None:
    add_operator_account(store, OPERATOR, PASSWORD)
    seed(store, name=HOSTILE, dispute_name=LONG, error=f"{HOSTILE} {LONG}")


def pages(client: httpx.Client) -> dict[str, str]:
    urls = ["/", "/conflicts?status=all", "/conflicts/1", "/disputes", "/disputes/3",
            "/dead-letters", "/dead-letters/1", "/audit", "/matches", "/matches/2",
            "/matches/merges"]  # fmt: skip
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = response.text
    return found


def test_html_in_names_and_errors_is_escaped_everywhere(
    client: httpx.Client, hostile: None
) -> None:
    token = sign_in(client, OPERATOR)
    # the operator's name is shown too, and goes into the audit log with a decision
    client.post("/conflicts/1/resolve", data={"csrf_token": token, "choice": "take:zoho",
                                              "reason": HOSTILE})  # fmt: skip
    shown = pages(client)
    for url, html in shown.items():
        assert "<script>" not in html, url
        assert "<img src=x" not in html, url
        assert "<b>王</b>" not in html, url
        assert "&lt;b&gt;王&lt;/b&gt;芳" in html, url  # the operator, in the header
    for url in ("/conflicts?status=all", "/conflicts/1", "/dead-letters/1", "/audit"):
        assert ESCAPED in shown[url], url
    assert "比亚迪 &amp; 子公司" in shown["/conflicts/1"]


def test_chinese_and_very_long_values_come_through_whole(
    client: httpx.Client, hostile: None
) -> None:
    sign_in(client, OPERATOR)
    shown = pages(client)
    assert LONG in shown["/disputes/3"]  # the customer's name, not cut
    assert LONG in shown["/dead-letters/1"]  # the remote error, not cut
    assert shown["/dead-letters/1"].count(LONG) == 1
    response = client.get("/disputes/3")
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_over_long_form_values_are_refused_without_being_echoed(
    client: httpx.Client, hostile: None
) -> None:
    token = sign_in(client, OPERATOR)
    huge = "<i>" + "值" * 20_000
    response = client.post(
        "/conflicts/1/resolve", data={"csrf_token": token, "choice": "value", "value": huge}
    )
    assert response.status_code == 422
    assert "值值值" not in response.text
    assert "<i>" not in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_search_text_is_escaped_and_matched_literally(client: httpx.Client, hostile: None) -> None:
    sign_in(client, OPERATOR)
    response = client.get("/audit", params={"entity": '"><script>x</script>%_'})
    assert response.status_code == 200
    assert "<script>x</script>" not in response.text
    assert "No entries match." in response.text  # % and _ are not wildcards


def test_operator_names_refuse_control_characters_but_take_chinese(store: Store) -> None:
    with store.transaction() as session:
        account = add_operator(session, "  陈静 Chen  ", PASSWORD, hasher=HASHER, actor="t")
        assert account.name == "陈静 Chen"
        for bad in ("a\nb", "a\tb", "", "x" * 101):
            with pytest.raises(ValueError, match="operator"):
                add_operator(session, bad, PASSWORD, hasher=HASHER, actor="t")
