"""The standard categories seeded by migration 0002 (editable afterwards in the admin).

部件 and 事件 follow CJ/T 214 / GB/T 30428.2; the limits are those seen in local practice
(DOMAIN.md §6: 暴露垃圾 1 working day, 积存垃圾渣土 4, 违法搭建 15; urgent 立案+派遣 ≤10 min,
others ≤30 min). The community extension class carries the problems named in the seeds.
Rows: (code, name, handling limit, unit "d"/"h", urgent).
"""

COMPONENT = [
    (
        "01",
        "公用设施",
        [
            ("0101", "上水井盖", 2, "d", False),
            ("0102", "污水井盖", 2, "d", False),
            ("0103", "雨水井盖", 2, "d", False),
            ("0106", "消防栓", 1, "d", False),
            ("0110", "路灯", 3, "d", False),
        ],
    ),
    (
        "02",
        "道路交通",
        [
            ("0201", "交通标志牌", 3, "d", False),
            ("0206", "护栏", 3, "d", False),
            ("0212", "公交站亭", 3, "d", False),
        ],
    ),
    (
        "03",
        "市容环境",
        [
            ("0301", "公共厕所", 2, "d", False),
            ("0304", "垃圾箱", 2, "d", False),
        ],
    ),
    (
        "04",
        "园林绿化",
        [
            ("0401", "古树名木", 3, "d", False),
            ("0402", "行道树", 3, "d", False),
            ("0403", "绿地", 5, "d", False),
        ],
    ),
    (
        "05",
        "房屋土地",
        [
            ("0501", "宣传栏", 5, "d", False),
        ],
    ),
    (
        "06",
        "其他设施",
        [
            ("0699", "其他设施", 5, "d", False),
        ],
    ),
]

EVENT = [
    (
        "01",
        "市容环境",
        [
            ("0101", "道路不洁", 5, "h", False),
            ("0102", "暴露垃圾", 1, "d", False),
            ("0103", "积存垃圾渣土", 4, "d", False),
        ],
    ),
    (
        "02",
        "宣传广告",
        [
            ("0201", "非法张贴小广告", 1, "d", False),
            ("0204", "街头散发小广告", 4, "h", False),
        ],
    ),
    (
        "03",
        "施工管理",
        [
            ("0301", "施工扰民", 1, "d", False),
            ("0302", "工地扬尘", 1, "d", False),
            ("0304", "道路遗撒", 4, "h", False),
        ],
    ),
    (
        "04",
        "突发事件",
        [
            ("0401", "路面塌陷", 4, "h", True),
            ("0403", "燃气管道破裂", 2, "h", True),
        ],
    ),
    (
        "05",
        "街面秩序",
        [
            ("0501", "无照经营游商", 1, "d", False),
            ("0502", "流浪乞讨", 1, "d", False),
            ("0503", "占道废品收购", 1, "d", False),
            ("0504", "店外经营", 1, "d", False),
            ("0505", "机动车乱停放", 4, "h", False),
            ("0506", "非机动车乱停放", 4, "h", False),
            ("0507", "乱堆物堆料", 2, "d", False),
            ("0508", "商业噪音", 1, "d", False),
            ("0509", "黑车拉客", 1, "d", False),
            ("0510", "露天烧烤", 4, "h", False),
            ("0599", "其他街面秩序", 3, "d", False),
        ],
    ),
    (
        "06",
        "其他事件",
        [
            ("0699", "其他事件", 5, "d", False),
        ],
    ),
]

COMMUNITY = [
    (
        "01",
        "社区治理",
        [
            ("0101", "楼道堆物", 3, "d", False),
            ("0102", "高空抛物", 1, "d", False),
            ("0103", "飞线充电", 1, "d", False),
            ("0104", "僵尸车", 10, "d", False),
            ("0105", "积水", 4, "h", True),
            ("0106", "群租", 10, "d", False),
            ("0107", "消防隐患", 1, "d", False),
            ("0108", "不文明养宠", 3, "d", False),
            ("0109", "噪音扰民", 2, "d", False),
            ("0110", "垃圾分类", 2, "d", False),
            ("0111", "违法搭建", 15, "d", False),
            ("0112", "无序设摊", 1, "d", False),
            ("0113", "跨门营业", 1, "d", False),
            ("0114", "停车难", 10, "d", False),
        ],
    ),
]

FAMILIES = {"component": COMPONENT, "event": EVENT, "community": COMMUNITY}
URGENT_FILING_MINUTES = 10
FILING_MINUTES = 30


def rows():
    """(family, code, name, parent_code, limit_value, limit_unit, urgent) for every category."""
    for family, classes in FAMILIES.items():
        for code, name, children in classes:
            yield family, code, name, None, 5, "working_days", False
            for child_code, child_name, value, unit, urgent in children:
                unit = "working_hours" if unit == "h" else "working_days"
                yield family, child_code, child_name, code, value, unit, urgent
