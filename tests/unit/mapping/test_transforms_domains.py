"""registrable_domain and is_free_mail_domain."""

from __future__ import annotations

import socket

import pytest

from mapping.transforms import TransformError, domains, is_free_mail_domain, registrable_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Example.co.uk/path?x", "example.co.uk"),
        ("http://WWW.Company.com.cn:8080/about", "company.com.cn"),
        ("company.com.cn", "company.com.cn"),
        ("www.zylker.com", "zylker.com"),
        ("crm.eu.zylker.com", "zylker.com"),
        ("zylker.com:8443", "zylker.com"),
        ("Example.com/about", "example.com"),
        ("example.com.", "example.com"),
        ("zhang@Mail.Zylker.com", "zylker.com"),
        ("https://user:secret@sub.example.org/x", "example.org"),
        ("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),
        ("www.example。com", "example.com"),
        ("例子.中国", "例子.中国"),
        ("www.xn--fsqu00a.xn--fiqs8s", "例子.中国"),
        ("foo.github.io", "github.io"),
        ("  HTTPS://Shop.Example.DE  ", "example.de"),
    ],
)
def test_registrable_domain(raw: str, expected: str) -> None:
    assert registrable_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("http://", "no host name"),
        ("192.168.0.1", "IP address"),
        ("http://10.0.0.1:8080/crm", "IP address"),
        ("http://[::1]:80/", "IP address"),
        ("http://[::1", "not a URL"),
        ("localhost", "localhost"),
        ("localhost:3000", "localhost"),
        ("api.localhost", "localhost"),
        ("intranet", "public suffix"),
        ("server.corp.invalidtld", "public suffix"),
        ("co.uk", "bare public suffix"),
        ("exa mple.com", "spaces or symbols"),
        ("exa*mple.com", "spaces or symbols"),
    ],
)
def test_registrable_domain_rejects(raw: str, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        registrable_domain(raw)
    assert reason in caught.value.reason


def test_registrable_domain_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    domains._extractor.cache_clear()
    assert registrable_domain("https://shop.example.com.cn") == "example.com.cn"
    extractor = domains._extractor()
    assert extractor.suffix_list_urls == ()
    assert extractor is domains._extractor()


@pytest.mark.parametrize(
    "domain",
    [
        "qq.com", "QQ.COM", " foxmail.com ", "163.com", "126.com", "yeah.net", "sina.com",
        "sina.cn", "sohu.com", "aliyun.com", "139.com", "189.cn", "vip.163.com", "vip.qq.com",
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "yahoo.com.cn", "yahoo.co.jp", "yahoo.co.uk", "icloud.com", "me.com",
        "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "gmx.at", "mail.ru",
        "yandex.ru", "yandex.kz", "hotmail.fr", "naver.com", "zhang@qq.com",
    ],
)  # fmt: skip
def test_free_mail_domains(domain: str) -> None:
    assert is_free_mail_domain(domain) is True


@pytest.mark.parametrize(
    "domain",
    ["zylker.com", "huawei.com", "tencent.com", "example.co.uk", "qq.com.evil.com",
     "notqq.com", "mail.zylker.com", "", "not a domain", "192.168.0.1"],
)  # fmt: skip
def test_company_domains_are_not_free_mail(domain: str) -> None:
    assert is_free_mail_domain(domain) is False


def test_free_mail_set_holds_only_registrable_or_known_subdomains() -> None:
    for domain in domains.FREE_MAIL_DOMAINS:
        assert domain == domain.strip().lower()
        assert registrable_domain(domain) in domains.FREE_MAIL_DOMAINS
