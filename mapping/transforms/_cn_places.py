"""Chinese place names: provinces (hand table) and major cities, for regions and company keys."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CN_CITIES", "CN_CITIES_WITH_SHI_ONLY", "CN_PROVINCES", "Province"]


class Province(NamedTuple):
    """One CN province-level division: ISO 3166-2 code, Chinese short and full name, English."""

    code: str
    short: str
    full: str
    english: tuple[str, ...]


# pycountry's zh_CN catalogue lacks some entries (宁夏) and has no short forms (广东, 新疆),
# which is how people actually type them, so the province level is written out here.
CN_PROVINCES: tuple[Province, ...] = (
    Province("CN-AH", "安徽", "安徽省", ("Anhui",)),
    Province("CN-BJ", "北京", "北京市", ("Beijing", "Peking")),
    Province("CN-CQ", "重庆", "重庆市", ("Chongqing",)),
    Province("CN-FJ", "福建", "福建省", ("Fujian",)),
    Province("CN-GD", "广东", "广东省", ("Guangdong",)),
    Province("CN-GS", "甘肃", "甘肃省", ("Gansu",)),
    Province("CN-GX", "广西", "广西壮族自治区", ("Guangxi",)),
    Province("CN-GZ", "贵州", "贵州省", ("Guizhou",)),
    Province("CN-HA", "河南", "河南省", ("Henan",)),
    Province("CN-HB", "湖北", "湖北省", ("Hubei",)),
    Province("CN-HE", "河北", "河北省", ("Hebei",)),
    Province("CN-HI", "海南", "海南省", ("Hainan",)),
    Province("CN-HK", "香港", "香港特别行政区", ("Hong Kong",)),
    Province("CN-HL", "黑龙江", "黑龙江省", ("Heilongjiang",)),
    Province("CN-HN", "湖南", "湖南省", ("Hunan",)),
    Province("CN-JL", "吉林", "吉林省", ("Jilin",)),
    Province("CN-JS", "江苏", "江苏省", ("Jiangsu",)),
    Province("CN-JX", "江西", "江西省", ("Jiangxi",)),
    Province("CN-LN", "辽宁", "辽宁省", ("Liaoning",)),
    Province("CN-MO", "澳门", "澳门特别行政区", ("Macao", "Macau")),
    Province("CN-NM", "内蒙古", "内蒙古自治区", ("Inner Mongolia", "Nei Mongol", "Neimenggu")),
    Province("CN-NX", "宁夏", "宁夏回族自治区", ("Ningxia",)),
    Province("CN-QH", "青海", "青海省", ("Qinghai",)),
    Province("CN-SC", "四川", "四川省", ("Sichuan",)),
    Province("CN-SD", "山东", "山东省", ("Shandong",)),
    Province("CN-SH", "上海", "上海市", ("Shanghai",)),
    Province("CN-SN", "陕西", "陕西省", ("Shaanxi",)),
    Province("CN-SX", "山西", "山西省", ("Shanxi",)),
    Province("CN-TJ", "天津", "天津市", ("Tianjin",)),
    Province("CN-TW", "台湾", "台湾省", ("Taiwan",)),
    Province("CN-XJ", "新疆", "新疆维吾尔自治区", ("Xinjiang",)),
    Province("CN-XZ", "西藏", "西藏自治区", ("Xizang", "Tibet")),
    Province("CN-YN", "云南", "云南省", ("Yunnan",)),
    Province("CN-ZJ", "浙江", "浙江省", ("Zhejiang",)),
)

# Major prefecture-level cities and their pinyin, as found in front of or in brackets after a
# company's trade name (深圳市腾讯…, 腾讯科技(深圳)…). Municipalities are in CN_PROVINCES.
CN_CITIES: dict[str, str] = {
    "深圳": "shenzhen", "广州": "guangzhou", "东莞": "dongguan", "佛山": "foshan",
    "珠海": "zhuhai", "惠州": "huizhou", "汕头": "shantou", "江门": "jiangmen",
    "杭州": "hangzhou", "宁波": "ningbo", "温州": "wenzhou", "绍兴": "shaoxing",
    "嘉兴": "jiaxing", "湖州": "huzhou", "金华": "jinhua", "台州": "taizhou",
    "南京": "nanjing", "苏州": "suzhou", "无锡": "wuxi", "常州": "changzhou",
    "南通": "nantong", "扬州": "yangzhou", "徐州": "xuzhou", "镇江": "zhenjiang",
    "合肥": "hefei", "芜湖": "wuhu", "福州": "fuzhou", "厦门": "xiamen", "泉州": "quanzhou",
    "济南": "jinan", "青岛": "qingdao", "烟台": "yantai", "潍坊": "weifang", "临沂": "linyi",
    "郑州": "zhengzhou", "洛阳": "luoyang", "武汉": "wuhan", "宜昌": "yichang",
    "襄阳": "xiangyang", "长沙": "changsha", "株洲": "zhuzhou", "南昌": "nanchang",
    "成都": "chengdu", "绵阳": "mianyang", "贵阳": "guiyang", "昆明": "kunming",
    "南宁": "nanning", "桂林": "guilin", "柳州": "liuzhou", "海口": "haikou", "三亚": "sanya",
    "西安": "xian", "兰州": "lanzhou", "西宁": "xining", "银川": "yinchuan",
    "乌鲁木齐": "urumqi", "拉萨": "lhasa", "呼和浩特": "hohhot", "包头": "baotou",
    "太原": "taiyuan", "石家庄": "shijiazhuang", "唐山": "tangshan", "保定": "baoding",
    "沈阳": "shenyang", "大连": "dalian", "长春": "changchun", "哈尔滨": "harbin",
    "大庆": "daqing",
}  # fmt: skip
# Cities whose bare name is also an everyday word or a trade name (中山装, 大同, 吉林化纤):
# only the explicit 中山市 form is taken as a place.
CN_CITIES_WITH_SHI_ONLY: frozenset[str] = frozenset({"中山", "大同", "吉林", "开封"})
