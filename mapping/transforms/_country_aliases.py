"""Country names people type that ISO 3166 does not spell that way, English and Chinese."""

from __future__ import annotations

__all__ = ["COUNTRY_ALIASES", "ZH_COUNTRY_NAMES"]

# Keys are written as typed; lookups fold case, width, dots and a leading "the".
COUNTRY_ALIASES: dict[str, str] = {
    # English
    "USA": "US", "U.S.A.": "US", "U.S.": "US", "America": "US", "United States": "US",
    "United States of America": "US", "UK": "GB", "U.K.": "GB", "Great Britain": "GB",
    "Britain": "GB", "England": "GB", "Scotland": "GB", "Wales": "GB",
    "Northern Ireland": "GB", "PRC": "CN", "P.R.C.": "CN", "P.R. China": "CN",
    "China Mainland": "CN", "Mainland China": "CN", "People's Republic of China": "CN",
    "Peoples Republic of China": "CN", "Korea": "KR", "South Korea": "KR",
    "Republic of Korea": "KR", "North Korea": "KP", "DPRK": "KP", "Russia": "RU",
    "Vietnam": "VN", "Taiwan": "TW", "Republic of China": "TW", "Hong Kong": "HK",
    "Hong Kong SAR": "HK", "Hongkong": "HK", "Macau": "MO", "Macao": "MO",
    "Macao SAR": "MO", "Macau SAR": "MO", "Iran": "IR", "Syria": "SY", "Laos": "LA",
    "Bolivia": "BO", "Venezuela": "VE", "Tanzania": "TZ", "Moldova": "MD",
    "Czech Republic": "CZ", "Turkey": "TR", "Holland": "NL", "UAE": "AE",
    "U.A.E.": "AE", "Emirates": "AE", "Ivory Coast": "CI", "Cape Verde": "CV",
    "Swaziland": "SZ", "Burma": "MM", "Vatican": "VA", "Vatican City": "VA",
    "Palestine": "PS", "Micronesia": "FM", "Brunei": "BN", "Russian Federation": "RU",
    "Deutschland": "DE", "Brasil": "BR", "Espana": "ES", "España": "ES",
    "Nippon": "JP", "KSA": "SA", "Saudi": "SA", "Congo-Kinshasa": "CD", "DRC": "CD",
    "Congo-Brazzaville": "CG", "East Timor": "TL", "Macedonia": "MK", "Slovak Republic": "SK",
    # Chinese, simplified and traditional
    "中国": "CN", "中國": "CN", "中华人民共和国": "CN", "中華人民共和國": "CN",
    "中国大陆": "CN", "中國大陸": "CN", "大陆": "CN", "内地": "CN", "中国内地": "CN",
    "美国": "US", "美國": "US", "美利坚合众国": "US", "英国": "GB", "英國": "GB",
    "香港": "HK", "中国香港": "HK", "中國香港": "HK", "澳门": "MO", "澳門": "MO",
    "中国澳门": "MO", "台湾": "TW", "台灣": "TW", "臺灣": "TW", "中国台湾": "TW",
    "台湾省": "TW", "韩国": "KR", "韓國": "KR", "南韩": "KR", "南韓": "KR",
    "朝鲜": "KP", "北韩": "KP", "日本": "JP", "德国": "DE", "德國": "DE", "法国": "FR",
    "法國": "FR", "新加坡": "SG", "俄罗斯": "RU", "俄羅斯": "RU", "越南": "VN",
    "马来西亚": "MY", "馬來西亞": "MY", "泰国": "TH", "泰國": "TH", "印度": "IN",
    "印尼": "ID", "印度尼西亚": "ID", "菲律宾": "PH", "澳大利亚": "AU", "澳洲": "AU",
    "新西兰": "NZ", "紐西蘭": "NZ", "加拿大": "CA", "意大利": "IT", "義大利": "IT",
    "西班牙": "ES", "荷兰": "NL", "荷蘭": "NL", "瑞士": "CH", "瑞典": "SE",
    "阿联酋": "AE", "阿拉伯联合酋长国": "AE", "沙特": "SA", "沙特阿拉伯": "SA",
    "巴西": "BR", "墨西哥": "MX", "伊朗": "IR", "土耳其": "TR", "以色列": "IL",
    "埃及": "EG", "南非": "ZA", "爱尔兰": "IE", "比利时": "BE", "奥地利": "AT",
    "丹麦": "DK", "挪威": "NO", "芬兰": "FI", "波兰": "PL", "葡萄牙": "PT", "希腊": "GR",
    "捷克": "CZ", "匈牙利": "HU", "乌克兰": "UA", "哈萨克斯坦": "KZ", "巴基斯坦": "PK",
    "孟加拉": "BD", "缅甸": "MM", "柬埔寨": "KH", "老挝": "LA", "蒙古": "MN",
    "阿根廷": "AR", "智利": "CL", "秘鲁": "PE", "哥伦比亚": "CO", "尼日利亚": "NG",
}  # fmt: skip

# The names a Chinese customer expects to read back; ISO's zh catalogue gives formal ones
# (大韩民国, 中国台湾省) or nothing.
ZH_COUNTRY_NAMES: dict[str, str] = {
    "CN": "中国", "US": "美国", "GB": "英国", "KR": "韩国", "KP": "朝鲜", "TW": "中国台湾",
    "HK": "中国香港", "MO": "中国澳门", "RU": "俄罗斯", "VN": "越南", "IR": "伊朗",
    "SY": "叙利亚", "LA": "老挝", "BO": "玻利维亚", "VE": "委内瑞拉", "TZ": "坦桑尼亚",
    "MD": "摩尔多瓦", "JP": "日本", "AE": "阿联酋", "CZ": "捷克",
}  # fmt: skip
