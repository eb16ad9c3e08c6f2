"""normalize_email and email_domain."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.transforms import TransformError, email_domain, normalize_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhang.san@example.com", "zhang.san@example.com"),
        ("  Zhang.San@Example.COM ", "zhang.san@example.com"),
        ("mailto:Li@Zylker.com", "li@zylker.com"),
        ("MAILTO:li@zylker.com?subject=Hello", "li@zylker.com"),
        ("<li@zylker.com>", "li@zylker.com"),
        ("ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "zhang@qq.com"),
        ("zhang＠qq.com", "zhang@qq.com"),
        ("zhang@qq。com", "zhang@qq.com"),
        ("　zhang@qq.com　", "zhang@qq.com"),
        ("first+tag@sub.example.co.uk", "first+tag@sub.example.co.uk"),
        ("用户@例子.中国", "用户@例子.中国"),
        ("a@xn--fsqu00a.xn--fiqs8s", "a@例子.中国"),
        ("Kontakt@Müller.DE", "kontakt@müller.de"),
        ("what?now@example.com", "what?now@example.com"),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("mailto:", "empty"),
        ("zhang.qq.com", "has no @"),
        ("zhang @qq.com", "contains spaces"),
        ("a@b", "should have a period"),
        ("a@localhost", "should have a period"),
        ("a..b@example.com", "two periods in a row"),
        ("@example.com", "something before the @"),
        ("a@@example.com", "invalid e-mail address"),
        ("a@-example.com", "hyphen"),
    ],
)
def test_normalize_email_rejects(raw: str, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        normalize_email(raw)
    assert reason in caught.value.reason
    assert caught.value.value == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhang@QQ.com", "qq.com"),
        ("Li@Mail.Zylker.com", "mail.zylker.com"),
        ("用户@例子.中国", "例子.中国"),
        ("ｚｈａｎｇ＠１６３．ｃｏｍ", "163.com"),
    ],
)
def test_email_domain(raw: str, expected: str) -> None:
    assert email_domain(raw) == expected


def test_email_domain_rejects_invalid_address() -> None:
    with pytest.raises(TransformError, match="has no @"):
        email_domain("not an address")


_LOCAL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,15}[A-Za-z0-9]", fullmatch=True).filter(
    lambda local: ".." not in local
)
_DOMAIN = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,10}\.(com|cn|com\.cn|co\.uk|de)", fullmatch=True)


@settings(database=None, deadline=None)
@given(_LOCAL, _DOMAIN)
def test_normalize_email_is_idempotent_and_lower(local: str, domain: str) -> None:
    once = normalize_email(f" {local}@{domain} ")
    assert once == f"{local}@{domain}".lower()
    assert normalize_email(once) == once
    assert email_domain(once) == domain.lower()
