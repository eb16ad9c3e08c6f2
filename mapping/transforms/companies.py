"""Company names: a tidy display form, and a key under which one company's spellings agree."""

from __future__ import annotations

import gettext
import re
from functools import cache

import pycountry

from ._cn_places import CN_CITIES, CN_CITIES_WITH_SHI_ONLY, CN_PROVINCES
from ._text import collapse_spaces, fold_width, words
from .errors import TransformError
from .pinyin import to_pinyin

__all__ = ["clean_company_name", "company_brand_key", "company_key", "company_place"]

_EN_SUFFIXES = frozenset(
    words(
        "inc incorporated corp corporation co company ltd limited llc llp lp plc gmbh ag kg sa "
        "sas sarl srl spa se nv bv ab oy kk pte pty"
    )
)
# 集团 is kept: a group (海尔集团) and its operating company (海尔) are different customers.
# 总公司 (head office) is the company itself.
_CN_LEGAL = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "有限合伙", "总公司", "公司")
# A branch is its own record (腾讯科技北京分公司), so these markers survive with their place.
_CN_BRANCH = ("分公司", "分店", "分行", "支行", "分厂", "办事处", "代表处", "营业部")
# Industry words: what is left after a place prefix must contain something else, or the
# prefix was part of the name (北京银行 and 南京银行 must not both become 银行).
_GENERIC = sorted(
    words("""
    银行 商业银行 农村商业银行 证券 保险 信托 基金 汽车 集团 控股 投资 实业 科技 技术 信息
    网络 软件 电子 电器 电气 电力 能源 石油 化工 医药 医院 大学 学院 建设 建筑 工程 地产
    房地产 置业 物流 贸易 商贸 国际 发展 管理 咨询 服务 文化 传媒 广告 设计 制造 机械 设备
    材料 食品 餐饮 酒店 旅游 交通 运输 航空 铁路 地铁 公交 水务 燃气 电视台 日报 出版社
    人民政府 中心 研究院 研究所 计算机 系统 通信 电信 移动 联通 钢铁 矿业 农业 商业 工业
    数据 智能 环保 新材料 生物 健康 教育 培训 金融 租赁 担保 市政 物业 图书馆 博物馆 第一
    """),
    key=len,
    reverse=True,
)
# What an English name says about the trade, not who the company is ("Huateng Technology").
_EN_GENERIC = frozenset(
    words("""
    technology technologies tech software electronics electronic machinery machines trading
    trade pharmaceutical pharmaceuticals pharma biotech biotechnology bio foods food logistics
    construction engineering materials consulting energy capital investment investments
    holdings holding group international industrial industries industry manufacturing
    network networks information systems system science sciences development services service
    and of the
    """)
)
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_BRACKETED = re.compile(r"\(([^()]*)\)")
_JOINERS = re.compile(r"[.'’‘]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


@cache
def _places() -> tuple[frozenset[str], tuple[str, ...]]:
    """(names that may stand in brackets, Chinese prefixes longest first)."""
    catalogue = gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True
    )
    chinese: set[str] = set()
    english: set[str] = {"china", "prc", "hk", "hong kong", "macau", "macao"}
    for sub in pycountry.subdivisions:
        if sub.country_code != "CN":
            continue
        name = catalogue.gettext(sub.name)
        if name != sub.name:
            chinese.add(name)
    for province in CN_PROVINCES:
        chinese.add(province.full)
        if province.short not in CN_CITIES_WITH_SHI_ONLY:
            level = "市" if province.full.endswith("市") else "省"
            chinese.update({province.short, province.short + level})
        english.update(name.casefold() for name in province.english)
    for city, pinyin in CN_CITIES.items():
        chinese.update({city, city + "市"})
        english.add(pinyin)
    chinese.update(city + "市" for city in CN_CITIES_WITH_SHI_ONLY)
    bracketable = frozenset(chinese | english | {"中国", "中國"})
    return bracketable, tuple(sorted(chinese, key=len, reverse=True))


def clean_company_name(raw: str) -> str:
    """Return the display form of a company name: trimmed, whitespace collapsed, full-width
    ASCII and brackets made half-width (``（深圳）`` → ``(深圳)``); otherwise as given.

    Raises TransformError for a blank name.
    """
    name = collapse_spaces(fold_width(raw))
    if not name:
        raise TransformError("empty company name", raw)
    return name


def _drop_qualifiers(text: str) -> str:
    bracketable, _ = _places()

    def replace(match: re.Match[str]) -> str:
        inner = collapse_spaces(match.group(1))
        return " " if inner in bracketable or inner == "有限合伙" else f" {inner} "

    return _BRACKETED.sub(replace, text.translate(_BRACKETS))


def _strip_english(text: str) -> list[str]:
    tokens = _PUNCTUATION.sub(" ", _JOINERS.sub("", text)).split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    stripped = False
    while tokens and (tokens[-1] in _EN_SUFFIXES or (stripped and tokens[-1] == "and")):
        tokens.pop()
        stripped = True
    return tokens


def _strip_legal(text: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for suffix in _CN_LEGAL:
            if text.endswith(suffix):
                text, stripped = text[: -len(suffix)], True
                break
    return text


def _has_trade_name(rest: str) -> bool:
    for word in _GENERIC:
        rest = rest.replace(word, "")
    return bool(rest)


@cache
def _prefixes_by_first_character() -> dict[str, tuple[str, ...]]:
    # Matching looks up millions of names: try only the places that start like the name.
    grouped: dict[str, list[str]] = {}
    for place in _places()[1]:  # longest first, kept within each group
        grouped.setdefault(place[0], []).append(place)
    return {first: tuple(places) for first, places in grouped.items()}


def _place_prefix(text: str) -> tuple[str, tuple[str, ...]]:
    """(the name without its leading places, those places in order)."""
    by_first = _prefixes_by_first_character()
    places: list[str] = []
    for _round in range(2):  # 广东省深圳市…
        for place in by_first.get(text[:1], ()):
            rest = text[len(place) :]
            if text.startswith(place) and len(rest) >= 2 and _has_trade_name(rest):
                text = rest
                places.append(place)
                break
        else:
            break
    return text, tuple(places)


def _strip_place_prefix(text: str) -> str:
    return _place_prefix(text)[0]


def _split_branch(text: str) -> tuple[str, str]:
    """(company, branch marker with its place) for 腾讯科技有限公司北京分公司."""
    for marker in _CN_BRANCH:
        if text.endswith(marker) and len(text) > len(marker):
            head = text[: -len(marker)]
            ends = [head.rfind(legal) + len(legal) for legal in _CN_LEGAL if legal in head]
            cut = max(ends, default=0)
            if cut == 0:
                return head, marker
            place = head[cut:]
            if place.endswith(("市", "省")) and place[:-1] in _places()[0]:
                place = place[:-1]
            return head[:cut], place + marker
    return text, ""


def company_key(raw: str) -> str:
    """Return a matching key: equal for spellings of one company, different for two companies.

    Not for display. Case and width are folded; punctuation and spaces are removed; ``&``
    equals ``and``; a leading "The" goes. Legal forms are removed at the end: English (Inc,
    Corp, Co., Ltd., Company Limited, LLC, PLC, GmbH, AG, S.A., B.V., Pte Ltd, K.K. …) and
    Chinese (有限公司, 有限责任公司, 股份有限公司, 公司); 集团 is kept (a group is not its
    subsidiary). Place qualifiers go: bracketed (``腾讯科技(深圳)有限公司`` → ``腾讯科技``) and
    a leading province or city (深圳市, 上海, 浙江省) unless only industry words would remain
    (北京银行 stays). A branch keeps its marker and place: ``腾讯科技有限公司北京分公司`` →
    ``腾讯科技北京分公司``. Returns "" only when the name is nothing but legal forms.
    Raises TransformError for a blank name.
    """
    text = clean_company_name(raw).casefold().replace("&", " and ")
    text = "".join(_strip_english(_drop_qualifiers(text)))
    company, branch = _split_branch(text)
    return _strip_place_prefix(_strip_legal(company)) + branch


@cache
def _english_places() -> frozenset[str]:
    bracketable, _ = _places()
    return frozenset(name.replace(" ", "") for name in bracketable if name.isascii())


def company_brand_key(raw: str) -> str:
    """Return the trade name alone, in Latin letters: what a company's Chinese name and its
    English name share (``深圳市华腾科技有限公司`` and ``Shenzhen Huateng Technology Co., Ltd.``
    → ``huateng``). Legal forms, places and trade words (科技, 物流, Technology, Logistics …)
    go; hanzi become toneless pinyin. Weaker than company_key: two companies of one brand in
    different trades share it. Returns "" when nothing but such words remain. Raises
    TransformError for a blank name.
    """
    text = clean_company_name(raw).casefold().replace("&", " and ")
    tokens = _strip_english(_drop_qualifiers(text))
    places = _english_places()
    latin = [t for t in tokens if t.isascii()]
    if latin == tokens:
        kept = [t for t in tokens if t not in _EN_GENERIC]
        while len(kept) > 1 and kept[0] in places:
            kept.pop(0)
        return "".join(kept)
    company, _branch = _split_branch("".join(tokens))
    rest = _strip_place_prefix(_strip_legal(company))
    stripped = True
    while stripped:  # 生物科技: trade words stack up
        stripped = False
        for word in _GENERIC:
            if rest.endswith(word) and len(rest) > len(word):
                rest, stripped = rest[: -len(word)], True
                break
    return to_pinyin(rest).replace(" ", "")


@cache
def _cities() -> tuple[frozenset[str], frozenset[str]]:
    """(city names in hanzi without 市, city names in Latin letters, casefolded); the
    municipalities (北京, 上海, 天津, 重庆) are cities and provinces at once."""
    municipalities = [p for p in CN_PROVINCES if p.full == p.short + "市"]
    chinese = set(CN_CITIES) | {p.short for p in municipalities}
    latin = set(CN_CITIES.values()) | {n.casefold() for p in municipalities for n in p.english}
    return frozenset(chinese), frozenset(latin)


def _city(place: str) -> str | None:
    chinese, latin = _cities()
    short = place.removesuffix("市")
    if short in chinese or (short in CN_CITIES_WITH_SHI_ONLY and place.endswith("市")):
        return short
    return place if place in latin else None


def company_place(raw: str) -> str | None:
    """Return the city a company's name states: a bracketed qualifier (``华腾科技(深圳)有限公司``
    → ``深圳``, ``(Shenzhen)`` → ``shenzhen``) or a leading prefix (``深圳市华腾…`` and
    ``广东省深圳市华腾…`` → ``深圳``), hanzi without 市, Latin casefolded; None when it states
    none. A province alone (``广东华腾…``) states no city; a municipality (北京, 上海) does.

    A Chinese company's registered name carries its place: two names that differ in it are two
    companies (a group's subsidiaries share everything else). Raises TransformError for a blank
    name.
    """
    text = clean_company_name(raw).casefold().replace("&", " and ").translate(_BRACKETS)
    for inner in _BRACKETED.findall(text):
        city = _city(collapse_spaces(inner))
        if city:
            return city
    tokens = _strip_english(_drop_qualifiers(text))
    if len(tokens) > 1 and all(t.isascii() for t in tokens):  # Shenzhen Huateng Technology
        return _city(tokens[0])
    company, _branch = _split_branch("".join(tokens))
    _rest, places = _place_prefix(_strip_legal(company))
    cities = [city for city in map(_city, places) if city]
    return cities[-1] if cities else None
