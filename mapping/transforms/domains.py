"""Registrable domains (``example.co.uk``) and the consumer mail providers that match nobody."""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from urllib.parse import urlsplit

import tldextract

from ._text import fold_width
from .errors import TransformError

__all__ = ["FREE_MAIL_DOMAINS", "is_free_mail_domain", "registrable_domain"]

# Consumer mailbox providers: an address at one of these says nothing about the employer, so
# the matcher must not link customers through them.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        # China
        "qq.com", "vip.qq.com", "foxmail.com", "163.com", "vip.163.com", "126.com",
        "vip.126.com", "yeah.net", "188.com", "netease.com", "sina.com", "sina.cn",
        "vip.sina.com", "sohu.com", "vip.sohu.com", "aliyun.com", "139.com", "189.cn",
        "wo.cn", "wo.com.cn", "21cn.com", "tom.com", "263.net", "2980.com", "yahoo.com.cn",
        "yahoo.cn", "hotmail.com.cn", "live.cn", "outlook.com.cn",
        # Hong Kong, Taiwan, Japan, Korea
        "yahoo.com.hk", "yahoo.com.tw", "netvigator.com", "hinet.net", "seed.net.tw",
        "yahoo.co.jp", "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp", "naver.com",
        "daum.net", "hanmail.net", "nate.com",
        # Worldwide
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "passport.com", "windowslive.com", "yahoo.com", "ymail.com", "rocketmail.com",
        "icloud.com", "me.com", "mac.com", "aol.com", "aim.com", "proton.me",
        "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com", "tutanota.de",
        "tuta.io", "zoho.com", "zohomail.com", "mail.com", "email.com", "usa.com",
        "fastmail.com", "fastmail.fm", "hushmail.com", "inbox.com", "lycos.com",
        "hey.com", "mailfence.com", "posteo.de", "web.de", "t-online.de", "freenet.de",
        "arcor.de", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr",
        "libero.it", "virgilio.it", "tiscali.it", "alice.it", "btinternet.com",
        "virginmedia.com", "sky.com", "talktalk.net", "ntlworld.com", "seznam.cz",
        "wp.pl", "o2.pl", "onet.pl", "interia.pl", "mail.ru", "inbox.ru", "list.ru",
        "bk.ru", "rambler.ru", "ya.ru", "ukr.net", "rediffmail.com", "comcast.net",
        "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net",
        "charter.net", "earthlink.net", "juno.com", "shaw.ca", "rogers.com",
        "sympatico.ca", "bigpond.com", "optusnet.com.au", "xtra.co.nz", "uol.com.br",
        "bol.com.br", "terra.com.br", "gmx.com", "gmx.net", "yandex.com", "yandex.ru",
    }
)  # fmt: skip
# Brands whose every country domain is consumer mail (gmx.de, yandex.kz, hotmail.fr …).
_FREE_MAIL_BRANDS = frozenset({"gmx", "yandex", "yahoo", "hotmail", "outlook", "live"})
_HOST = re.compile(r"[\w.-]+")


@cache
def _extractor() -> tldextract.TLDExtract:
    # The bundled Public Suffix List snapshot: no network, no cache files at runtime.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _host_of(text: str) -> str:
    if "://" not in text and "@" in text:
        text = text.rpartition("@")[2]
    try:
        host = urlsplit(text if "://" in text else "//" + text).hostname or ""
    except ValueError as exc:  # an unbalanced IPv6 bracket
        raise TransformError("not a URL or host name", text) from exc
    return host.rstrip(".")


def _to_unicode(host: str) -> str:
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError as exc:
                raise TransformError("invalid punycode label in host name", host) from exc
        labels.append(label)
    return ".".join(labels)


def registrable_domain(raw: str) -> str:
    """Return the registrable domain (public suffix plus one label), lower-case.

    ``raw`` may be a URL (``https://www.Example.co.uk/path?x`` → ``example.co.uk``), a bare
    host (``www.zylker.com``), a host with a port, or an e-mail address. Punycode labels come
    back in Unicode. Only ICANN suffixes count, so ``foo.github.io`` → ``github.io``. Raises
    TransformError for IP addresses, ``localhost``, and hosts with no known public suffix.
    """
    text = fold_width(raw).replace("。", ".").strip().lower()
    if not text:
        raise TransformError("empty domain", raw)
    host = _to_unicode(_host_of(text))
    if not host:
        raise TransformError("no host name found", raw)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise TransformError("an IP address has no registrable domain", raw)
    if host == "localhost" or host.endswith(".localhost"):
        raise TransformError("localhost has no registrable domain", raw)
    if not _HOST.fullmatch(host):
        raise TransformError("not a host name: contains spaces or symbols", raw)
    parts = _extractor()(host)
    if not parts.suffix:
        raise TransformError("host name does not end in a known public suffix", raw)
    if not parts.domain:
        raise TransformError("a bare public suffix is not a registrable domain", raw)
    return f"{parts.domain}.{parts.suffix}"


def is_free_mail_domain(domain: str) -> bool:
    """Whether ``domain`` (or the domain of a URL or e-mail address) is a consumer mail provider.

    Subdomains count (``vip.163.com``); so does any country domain of a few global brands
    (``gmx.de``, ``yandex.kz``, ``yahoo.co.uk``). Never raises: anything unparseable is False.
    """
    host = fold_width(domain).strip().lower().rstrip(".")
    if host in FREE_MAIL_DOMAINS:
        return True
    try:
        registrable = registrable_domain(host)
    except TransformError:
        return False
    if registrable in FREE_MAIL_DOMAINS:
        return True
    return registrable.split(".", 1)[0] in _FREE_MAIL_BRANDS
