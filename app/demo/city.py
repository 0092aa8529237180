"""Chengdu: real district names with approximate bounding boxes (WGS-84), streets, and name stock."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class District:
    name: str
    code: str  # administrative division code, used as the ID-number region prefix
    south: float
    north: float
    west: float
    east: float
    weight: int  # relative share of cases (roughly by population)

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.south + self.north) / 2, (self.west + self.east) / 2)


CITY = "成都市"
DISTRICTS: tuple[District, ...] = (
    District("锦江区", "510104", 30.575, 30.660, 104.075, 104.160, 9),
    District("青羊区", "510105", 30.645, 30.700, 103.985, 104.075, 9),
    District("金牛区", "510106", 30.685, 30.760, 103.985, 104.100, 11),
    District("武侯区", "510107", 30.575, 30.648, 103.985, 104.070, 11),
    District("成华区", "510108", 30.650, 30.730, 104.080, 104.180, 10),
    District("龙泉驿区", "510112", 30.530, 30.650, 104.180, 104.340, 7),
    District("青白江区", "510113", 30.850, 30.920, 104.200, 104.300, 3),
    District("新都区", "510114", 30.780, 30.900, 104.050, 104.200, 8),
    District("温江区", "510115", 30.650, 30.730, 103.780, 103.900, 5),
    District("双流区", "510116", 30.450, 30.580, 103.900, 104.000, 8),
    District("郫都区", "510117", 30.760, 30.850, 103.850, 103.970, 6),
)

STREETS = (
    "春熙路", "人民南路", "蜀都大道", "天府大道", "建设路", "一环路东段", "二环路西段", "府青路", "红星路",
    "玉林路", "科华北路", "光华大道", "星辉西路", "双林路", "沙湾路", "青龙街", "锦华路", "望江路",
    "东大街", "抚琴西路", "交大路", "营门口路", "武侯祠大街", "龙泉街", "大丰街道", "清江东路", "万家湾路",
)
COMPOUNDS = ("小区", "花园", "苑", "家园", "公寓", "新村", "大厦")
WORKPLACES = ("科技有限公司", "商贸有限公司", "餐饮店", "物流中心", "建材市场", "医院", "汽车维修厂")

# The most common surnames in China, roughly weighted by frequency.
SURNAMES = (
    ("王", 72), ("李", 70), ("张", 68), ("刘", 53), ("陈", 45), ("杨", 31), ("黄", 23), ("赵", 21),
    ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 14), ("朱", 13), ("胡", 12), ("郭", 11),
    ("何", 11), ("林", 10), ("高", 10), ("罗", 10), ("郑", 9), ("梁", 9), ("谢", 7), ("宋", 6),
    ("唐", 6), ("许", 6), ("韩", 6), ("邓", 6), ("冯", 6), ("曹", 5), ("彭", 5), ("曾", 5), ("蒋", 4),
    ("肖", 4), ("田", 4), ("董", 4), ("袁", 4), ("潘", 3), ("蔡", 3), ("欧阳", 1), ("司马", 1),
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌浩宇婷雪梅欣怡子轩梓涵俊杰思远佳琪"
PRODUCTS = ("随借随还", "消费分期", "小额现金贷", "装修贷", "车主贷")
RELATIONS = ("配偶", "父亲", "母亲", "兄弟", "姐妹", "同事", "朋友")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "156", "157", "158", "159", "166", "170", "173", "175", "176", "177", "178",
                   "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199")

SAFETY_TEXTS = {
    "aggressive": ("债务人曾持刀威胁外访人员", "家属情绪激动，曾推搡催收员", "Debtor shouted and threatened staff"),
    "dog": ("院内有大型犬，未拴绳", "门口有恶犬"),
    "unsafe_area": ("夜间路段无照明，治安较差", "城中村巷道狭窄，车辆无法进入"),
    "health_hazard": ("住户告知家中有传染病人", "楼道堆放杂物，有火灾隐患"),
    "other": ("小区门卫不允许外来人员进入", "需提前电话预约"),
}

AGENTS = (
    ("agent01", "张建军", "锦江区"), ("agent02", "李娜", "武侯区"), ("agent03", "王强", "金牛区"),
    ("agent04", "刘芳", "成华区"), ("agent05", "陈磊", "青羊区"), ("agent06", "杨洋", "新都区"),
)
SUPERVISOR = ("super01", "周志红")
TEAM = "成都外访一组"
# The team works in pairs (the CN profile wants two collectors at every home visit): agent01 with
# agent02, agent03 with agent04, agent05 with agent06 — each pair the standing partners of each other.
PAIRS: tuple[tuple[str, str], ...] = tuple((AGENTS[i][0], AGENTS[i + 1][0]) for i in range(0, len(AGENTS) - 1, 2))
