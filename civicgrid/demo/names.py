"""Name pools for the demo street: people, streets and towns, communities, roads, departments.

Everything here is data plus small pickers that take a `random.Random`, so a seed decides every
name. The first street is 康桥镇 (浦东新区, the 康桥 of seed 002) with its real-sounding
communities and roads; further streets (city-scale benchmarks) draw from other 浦东 towns and
generated names.
"""

import random
from itertools import accumulate

# Surnames with rough weights: the national top of the list plus the names common in old
# Shanghai families (陆, 沈, 顾, 钱, 倪, 施, 瞿, 浦 …).
SURNAMES = {
    "王": 60, "李": 55, "张": 55, "陈": 50, "刘": 40, "杨": 30, "黄": 25, "赵": 20, "吴": 30,
    "周": 30, "徐": 35, "孙": 18, "马": 12, "朱": 28, "胡": 18, "郭": 12, "何": 12, "高": 12,
    "林": 12, "罗": 10, "郑": 10, "梁": 8, "谢": 9, "宋": 8, "唐": 12, "许": 10, "韩": 7,
    "冯": 7, "邓": 6, "曹": 10, "彭": 6, "曾": 5, "肖": 6, "田": 5, "董": 8, "袁": 8, "潘": 9,
    "蒋": 12, "蔡": 10, "余": 6, "杜": 6, "叶": 9, "程": 6, "苏": 6, "魏": 5, "吕": 5, "丁": 8,
    "沈": 20, "姚": 10, "陆": 22, "顾": 18, "钱": 12, "金": 12, "倪": 8, "施": 10, "汪": 8,
    "范": 7, "龚": 6, "严": 7, "秦": 5, "邵": 6, "瞿": 4, "浦": 3, "盛": 4, "俞": 6, "毛": 5,
    "卢": 5, "杭": 2, "戴": 5, "夏": 6, "费": 3, "汤": 6, "庄": 4, "奚": 2, "宣": 2, "储": 2,
}  # fmt: skip

# Given names by sex and birth cohort: what parents chose changes with the decades.
GIVEN_NAMES = {
    ("M", 1930): "建国 国强 国华 志明 德明 永康 金海 根宝 福生 金龙 宝林 荣根 正德 兴华 文斌 "
    "阿三 龙根 秋生 杏林 伯平 家骅 茂林 鸿昌 金根 仁德".split(),
    ("F", 1930): "秀英 桂英 玉兰 凤英 美华 秀珍 桂芳 金妹 月娥 惠珍 雅琴 素芬 佩芳 丽华 "
    "兰英 杏娣 阿娣 彩娣 招娣 翠英 宝娣 引娣 菊芳 月仙 珍妹".split(),
    ("M", 1955): "卫东 红兵 建华 援朝 建军 志刚 伟民 卫国 立新 振华 永明 国庆 向东 跃进 "
    "建平 明华 志强 海涛 国良 文华 勇 军 强 斌".split(),
    ("F", 1955): "红梅 卫红 建英 丽萍 海燕 雪梅 晓燕 春燕 美玲 慧敏 红英 秀华 爱华 凤仙 "
    "建芳 丽娟 敏 静 芳 萍".split(),
    ("M", 1975): "伟 勇 军 斌 杰 磊 强 明 涛 俊 华 峰 晓东 海峰 志强 晨 飞 健 毅 骏 文杰 "
    "晓峰 振宇 立伟 海明".split(),
    ("F", 1975): "丽 敏 静 燕 芳 娟 霞 艳 琳 颖 洁 蓉 慧 佳 文娟 晓雯 丽华 燕萍 雯 菁 "
    "晓红 蕾 婷 倩 琼".split(),
    ("M", 1990): "浩 宇 俊杰 子豪 浩然 天宇 家豪 嘉诚 思远 逸飞 晨阳 一鸣 昊 佳俊 宇航 "
    "文轩 子健 骏驰 承志 博文 宏宇 志远".split(),
    ("F", 1990): "婷 雯 倩 佳怡 思琪 欣怡 诗涵 雨婷 晓雯 梦琪 可馨 悦 怡 佳琪 嘉欣 雨欣 "
    "思佳 晓倩 静怡 琳琳 文静 佳慧".split(),
    ("M", 2008): "子轩 浩宇 梓睿 宇轩 奕辰 沐宸 俊熙 皓轩 子墨 睿泽 铭泽 宸 佑安 一诺 "
    "梓豪 煜城 奕博 景行 瑞霖 明轩 嘉佑".split(),
    ("F", 2008): "梓涵 一诺 欣妍 语桐 若汐 雨萱 可欣 诗琪 沐晴 梓萱 依诺 安然 芷若 "
    "思彤 语嫣 梓琪 欣怡 乐瑶 书瑶 知夏 予希".split(),
}
_COHORTS = sorted({year for _, year in GIVEN_NAMES})

_SURNAME_LIST = list(SURNAMES)
# Accumulated once (random.choices draws the same with cum_weights as with the weights).
_SURNAME_CUM = list(accumulate(SURNAMES.values()))


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    cohort = _COHORTS[0]
    for year in _COHORTS:
        if birth_year >= year:
            cohort = year
    return rng.choice(GIVEN_NAMES[(gender, cohort)])


def person_name(rng: random.Random, gender: str, birth_year: int, family: str | None = None):
    """A full Chinese name; `family` keeps a child's surname the same as the parent's."""
    return (family or surname(rng)) + given_name(rng, gender, birth_year)


# --- Places ------------------------------------------------------------------------------------

# The first street is the 康桥 of seed 002; further streets are other 浦东 towns and streets,
# then other 上海 ones, then numbered names (a city-scale benchmark wants ~160).
STREET_NAMES = (
    "康桥镇 周浦镇 航头镇 新场镇 宣桥镇 祝桥镇 惠南镇 川沙新镇 张江镇 北蔡镇 三林镇 唐镇 "
    "曹路镇 高桥镇 高行镇 高东镇 合庆镇 金桥镇 老港镇 泥城镇 书院镇 万祥镇 大团镇 "
    "花木街道 陆家嘴街道 潍坊新村街道 洋泾街道 塘桥街道 南码头路街道 周家渡街道 "
    "上钢新村街道 东明路街道 沪东新村街道 金杨新村街道 浦兴路街道 浦兴路东街道"
).split()


def street_name(index: int) -> str:
    if index < len(STREET_NAMES):
        return STREET_NAMES[index]
    return f"示范街镇{index + 1}"


def street_short(name: str) -> str:
    """ "康桥镇" → "康桥", "花木街道" → "花木" (used to name departments and party branches)."""
    for suffix in ("新镇", "街道", "镇"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# 康桥's residents' committees and villages (居村), 62 as in its "1+6+62+X" service circle (002),
# about a fifth of them villages. The kind decides the housing stock: "commodity" estates of
# 商品房, "old" estates of 公房/售后公房 like 普育里, "village" with self-built houses and their
# 队组. Named by the seed: 康桥半岛, 汤巷馨村, 汤巷雅苑, 新苗村, 康桥花园, 南华城, 花墙, 八街坊
# (保障性租赁住房), 横沔; the others are 康桥's roads and villages or sound like them.
KANGQIAO_COMMUNITIES = [
    ("康桥半岛居委", "commodity"),
    ("汤巷馨村居委", "old"),
    ("新苗村", "village"),
    ("秀沿居委", "commodity"),
    ("康桥老街居委", "old"),
    ("汤巷雅苑居委", "commodity"),
    ("康桥花园居委", "commodity"),
    ("沔北村", "village"),
    ("南华城居委", "commodity"),
    ("怡康居委", "old"),
    ("百曲居委", "commodity"),
    ("康乐居委", "old"),
    ("叠桥村", "village"),
    ("八街坊居委", "commodity"),
    ("周康居委", "old"),
    ("中邦居委", "commodity"),
    ("康桥水乡居委", "commodity"),
    ("横沔村", "village"),
    ("秀浦居委", "commodity"),
    ("康花居委", "old"),
    ("绿洲康城居委", "commodity"),
    ("花墙村", "village"),
    ("康沈居委", "old"),
    ("环桥居委", "commodity"),
    ("听悦居委", "commodity"),
    ("苗桥居委", "old"),
    ("沔青村", "village"),
    ("御桥居委", "commodity"),
    ("康弘居委", "commodity"),
    ("康杉居委", "old"),
    ("秀康居委", "commodity"),
    ("人南村", "village"),
    ("康意居委", "commodity"),
    ("秀云居委", "old"),
    ("康涵居委", "commodity"),
    ("康梧居委", "commodity"),
    ("石门村", "village"),
    ("拱极居委", "old"),
    ("康士居委", "commodity"),
    ("周邓居委", "old"),
    ("申江居委", "commodity"),
    ("苗园村", "village"),
    ("康新居委", "commodity"),
    ("汤巷居委", "old"),
    ("秀龙居委", "commodity"),
    ("叠桥新苑居委", "old"),
    ("百曲村", "village"),
    ("沔北新苑居委", "old"),
    ("横沔老街居委", "old"),
    ("康桥东苑居委", "commodity"),
    ("火箭村", "village"),
    ("南六居委", "commodity"),
    ("康华居委", "commodity"),
    ("秀沿雅苑居委", "commodity"),
    ("太平村", "village"),
    ("康桥半岛二期居委", "commodity"),
    ("南华城二期居委", "commodity"),
    ("汤巷新苑居委", "old"),
    ("秀龙村", "village"),
    ("沔青新苑居委", "old"),
    ("康城居委", "commodity"),
    ("叠桥花苑居委", "commodity"),
]
# 康桥's six 镇管社区 (002: "以康桥6个镇管社区为基本单元", "六大社区党委"): the 片区 level.
KANGQIAO_AREAS = ["康桥社区", "秀沿社区", "周康社区", "汤巷社区", "沔北社区", "横沔社区"]
_COMMUNITY_FIRST = "金华春新绿明锦嘉馨和丰瑞福兴怡桂梅东南沁秀康云"
_COMMUNITY_SECOND = "苑园城庭湾里坊景都港邸府"
_VILLAGE_SECOND = "丰联星光胜建民桥塘浜泾"
_KIND_CYCLE = ("commodity", "old", "village")


def community_names(rng: random.Random, street_index: int, count: int) -> list[tuple[str, str]]:
    """(name, kind) for the communities of one street, unique within it."""
    if street_index == 0 and count <= len(KANGQIAO_COMMUNITIES):
        return KANGQIAO_COMMUNITIES[:count]
    out, seen = [], set()
    for i in range(count):
        kind = _KIND_CYCLE[i % len(_KIND_CYCLE)]
        for attempt in range(50):
            first = rng.choice(_COMMUNITY_FIRST)
            if kind == "village":
                name = f"{first}{rng.choice(_VILLAGE_SECOND)}村"
            else:
                name = f"{first}{rng.choice(_COMMUNITY_SECOND)}居委"
            if attempt == 49:
                name = f"第{i + 1}{'村' if kind == 'village' else '居委'}"
            if name not in seen:
                break
        seen.add(name)
        out.append((name, kind))
    return out


AREA_ORDINALS = "一二三四五六七八九十"


def area_name(number: int, street_index: int = -1) -> str:
    """康桥's 镇管社区 by number on the first street; 第N片区 elsewhere."""
    if street_index == 0 and 1 <= number <= len(KANGQIAO_AREAS):
        return KANGQIAO_AREAS[number - 1]
    if 1 <= number <= len(AREA_ORDINALS):
        return f"第{AREA_ORDINALS[number - 1]}片区"
    return f"第{number}片区"


# Roads of 康桥 and its neighbours; further streets get generated names (2 characters + suffix).
KANGQIAO_ROADS = (
    "秀沿路 康桥路 沪南公路 秀浦路 康花路 康士路 康沈路 川周公路 环桥路 听悦路 苗桥路 叠桥路 "
    "杨高南路 周邓公路 御桥路 康新公路 申江南路 康桥东路 拱极路 康弘路 康杉路 康意路 康涵路 "
    "康梧路 秀云路 秀康路 南六公路 沔青路 横沔老街 百曲路"
).split()
_ROAD_FIRST = "春晨新华金银锦绣云海明光永安建德长宁东西南北兴盛丰泰松竹梅兰"
_ROAD_SUFFIX = ("路", "路", "路", "南路", "北路", "东路", "西路", "公路")


def road_pool(rng: random.Random, street_index: int, count: int) -> list[str]:
    """`count` distinct road names for one street."""
    if street_index == 0 and count <= len(KANGQIAO_ROADS):
        return list(KANGQIAO_ROADS[:count])
    names: list[str] = list(KANGQIAO_ROADS) if street_index == 0 else []
    seen: set[str] = set(names)
    while len(names) < count:
        name = rng.choice(_ROAD_FIRST) + rng.choice(_ROAD_FIRST) + rng.choice(_ROAD_SUFFIX)
        if name[0] == name[1] or name in seen:
            continue
        seen.add(name)
        names.append(name)
    return names


# --- Departments (accounts.Department) ---------------------------------------------------------

# (code, name template, duty phone). {s} is the street's short name (康桥).
DEPARTMENTS = [
    ("CGZD", "{s}城管中队", "021-58121101"),
    ("SCJG", "{s}市场监管所", "021-58121102"),
    ("FGB", "{s}房管办", "021-58121103"),
    ("LHSR", "{s}绿化市容所", "021-58121104"),
    ("PCS", "{s}派出所", "021-58121110"),
    ("XFJY", "{s}消防救援站", "021-58121119"),
    ("WYGS", "{s}物业管理有限公司", "021-58121105"),
    ("SWZ", "{s}水务管理站", "021-58121106"),
]


# --- Work units (下沉干部, 双报到党员) ----------------------------------------------------------

# Offices of the town that send cadres down to the grids ({s}: 康桥).
SENT_DOWN_UNITS = (
    "{s}镇党政办公室 {s}镇社区管理办公室 {s}镇城市运行管理中心 {s}镇平安办 {s}镇社会事业发展办公室 "
    "{s}镇经济发展办公室 {s}镇规划建设和环境保护办公室 {s}镇社区党建服务中心 {s}镇综合行政执法队"
).split()
# Where party members registering at home (双报到) work: offices, schools, hospitals, companies.
WORK_UNITS = (
    "浦东新区教育局 浦东新区卫生健康委员会 浦东新区城市管理行政执法局 浦东新区税务局 "
    "上海市第六人民医院东院 复旦大学附属儿科医院 上海国际医学园区集团 浦东新区人民法院 "
    "上海市浦东新区周浦医院 上海中学东校 华东师范大学附属周浦中学 中国商飞上海飞机制造有限公司 "
    "上海电力浦东供电公司 上海浦东发展银行 中国银行上海市分行 交通银行浦东分行 "
    "上海地铁第四运营公司 浦东新区康桥社区卫生服务中心 上汽通用汽车有限公司 上海国际旅游度假区管委会"
).split()


def sent_down_unit(rng: random.Random, street_short_name: str) -> str:
    return rng.choice(SENT_DOWN_UNITS).format(s=street_short_name)


def work_unit(rng: random.Random) -> str:
    return rng.choice(WORK_UNITS)


# --- Mobile numbers ----------------------------------------------------------------------------

MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 177 180 181 182 183 185 186 187 188 189 199"
).split()


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
