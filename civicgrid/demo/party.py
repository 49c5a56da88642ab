"""The demo street's party organisations (seeds 000, 002, 003), built through party.services.

- The tree: the town 党委, the six 社区党委 of the 片区 ("六大社区党委"), a 总支 for each 居村
  (~62), and one 党支部 or 党小组 for every micro-grid (251 in the full demo: "每个微网格中设立1个
  党支部或党小组"), each headed by the micro-grid's 网格长 ("'1'即由微网格党组织负责人兼任网格长").
- Unit organisations under the town 党委: the 12 branches named "五星级党支部" of 2018 with their
  full official names (seed 000's 光荣榜), and the 机关/事业 branches of the units in which most
  双报到 members hold their membership.
- About 3,000 双报到 members (in work, reporting to the 居村 where they live) in one bulk call.
- A year of organisational life ("三会一课", 主题党日): most organisations keep the standard
  frequencies, some miss a period now and then — the completion table shows them.
- The "1+6+62+X" service points: 1 town centre, 6 community centres, a station in every 居村, and
  X points — the three 红色加油站 of 新苗村, 汤巷馨村 and 汤巷雅苑, 家门口服务站 and 文明实践站.
- The "1+6+7+x" co-building signing of 5 月 10 日 with about a hundred enterprises.
"""

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from civicgrid.demo import names
from civicgrid.grids.choices import CommunityKind, GridLevel, PostRole
from civicgrid.grids.models import Grid, GridPost
from civicgrid.party import services
from civicgrid.party.choices import LifeKind, OrgLevel, Sector
from civicgrid.party.models import Organisation
from civicgrid.registry.models import Resident

# Seed 000: 普陀区 2018 年度“五星级党支部”名单 — (full name, short name, level, sector).
FIVE_STAR_2018 = [
    ("中共普陀区桃浦镇樱花苑总支部委员会", "樱花苑党总支", "general_branch", "residential"),
    ("中共普陀区桃浦镇莲花公寓总支部委员会", "莲花公寓党总支", "general_branch", "residential"),
    ("中共普陀区桃浦镇石榴苑总支部委员会", "石榴苑党总支", "general_branch", "residential"),
    ("中共普陀区桃浦镇白丽苑总支部委员会", "白丽苑党总支", "general_branch", "residential"),
    ("中共普陀区桃浦镇紫藤苑总支部委员会", "紫藤苑党总支", "general_branch", "residential"),
    ("中共上海市新杨工业园区行政支部委员会", "新杨工业园区行政支部", "branch", "park"),
    ("中共上海市普陀区桃浦镇祁连村总支部委员会", "祁连村党总支", "general_branch", "village"),
    ("中共上海金环工业有限公司行政支部委员会", "金环工业行政支部", "branch", "enterprise"),
    ("中共上海绿新新材料科技有限公司支部委员会", "绿新新材料党支部", "branch", "enterprise"),
    ("中共普陀区桃浦镇李子园大厦联合支部委员会", "李子园大厦联合支部", "joint_branch", "building"),
    (
        "中共上海福克斯波罗有限公司委员会工厂制造支部委员会",
        "福克斯波罗工厂制造支部",
        "branch",
        "enterprise",
    ),
    (
        "中共上海市普陀区桃浦镇城市管理行政执法中队支部委员会",
        "城管执法中队党支部",
        "branch",
        "enforcement",
    ),
]
# Seed 002: the three 红色加油站 for the new employment groups (riders, couriers).
RED_STATIONS = ("新苗村", "汤巷馨村", "汤巷雅苑")
DUAL_REPORT_MEMBERS = 3000
# Enterprise names of the co-building signing: two syllables and a trade.
NAME_SYLLABLES = "康桥浦汇鑫华瑞恒联创博凯宏远达隆盛源泰安"
INDUSTRIES = ("科技", "实业", "物流", "电子", "机械", "医疗器械", "食品", "包装", "新材料", "贸易")
CO_BUILDING_PARTNERS = 100
# Share of a standard period an organisation of the demo misses (so the table is not all 100 %).
MISS_RATE = 0.06


def _street_short(street: Grid) -> str:
    return names.street_short(street.name)


def build_demo_party(*, seed: int = 7, now=None, members: int = DUAL_REPORT_MEMBERS) -> dict:
    """Builds the party data; returns counts ({} when it exists already or there is no tree)."""
    if Organisation.objects.exists():
        return {}
    street = Grid.objects.filter(level=GridLevel.STREET).order_by("code").first()
    if street is None:
        return {}
    rng = random.Random(f"{seed}:party")
    today = timezone.localdate(now) if now else timezone.localdate()
    short = _street_short(street)
    founded = datetime.date(2016, 1, 1)
    areas = list(Grid.objects.filter(parent=street, level=GridLevel.AREA).order_by("code"))
    communities = list(
        Grid.objects.filter(parent__in=areas, level=GridLevel.COMMUNITY).order_by("code")
    )
    micros = list(
        Grid.objects.filter(parent__in=communities, level=GridLevel.MICRO_GRID).order_by("code")
    )
    counts = {}

    # The tree, level by level (each level's parents saved first).
    (town,) = services.do_save_organisations_many(
        [
            {
                "name": f"中共{street.name}委员会",
                "short_name": f"{short}党委",
                "level": OrgLevel.COMMITTEE,
                "sector": Sector.ORGAN,
                "grid": street,
                "started_on": founded,
            }
        ]
    )
    area_orgs = services.do_save_organisations_many(
        [
            {
                "name": f"中共{street.name}{a.name}委员会",
                "short_name": a.party_organisation or f"{a.name}党委",
                "level": OrgLevel.COMMITTEE,
                "sector": Sector.RESIDENTIAL,
                "parent": town,
                "grid": a,
                "started_on": founded,
            }
            for a in areas
        ]
    )
    by_area = {a.pk: o for a, o in zip(areas, area_orgs, strict=True)}
    community_orgs = services.do_save_organisations_many(
        [
            {
                "name": f"中共{street.name}{c.name}总支部委员会",
                "short_name": f"{c.name}党总支",
                "level": OrgLevel.GENERAL_BRANCH,
                "sector": (
                    Sector.VILLAGE
                    if c.community_kind == CommunityKind.VILLAGE
                    else Sector.RESIDENTIAL
                ),
                "parent": by_area[c.parent_id],
                "grid": c,
                "started_on": founded,
            }
            for c in communities
        ]
    )
    by_community = {c.pk: o for c, o in zip(communities, community_orgs, strict=True)}
    micro_orgs = services.do_save_organisations_many(
        [
            {
                "name": m.party_organisation or f"{m.display_name}党小组",
                "short_name": (m.party_organisation or f"{m.display_name}党小组")[:60],
                "level": (
                    OrgLevel.BRANCH
                    if (m.party_organisation or "").endswith("党支部")
                    else OrgLevel.GROUP
                ),
                "sector": by_community[m.parent_id].sector,
                "parent": by_community[m.parent_id],
                "grid": m,
                "started_on": datetime.date(2021, 1, 1),
            }
            for m in micros
        ]
    )
    unit_orgs = services.do_save_organisations_many(
        [
            {
                "name": name,
                "short_name": short_name,
                "level": level,
                "sector": sector,
                "parent": town,
                "started_on": founded,
                "note": "普陀区2018年度五星级党支部",
            }
            for name, short_name, level, sector in FIVE_STAR_2018
        ]
        + [
            {
                "name": f"中共{unit}支部委员会",
                "short_name": f"{unit}党支部",
                "level": OrgLevel.BRANCH,
                "sector": Sector.INSTITUTION,
                "parent": town,
                "started_on": founded,
            }
            for unit in names.WORK_UNITS
        ]
    )
    counts["organisations"] = 1 + len(area_orgs) + len(community_orgs) + len(micro_orgs)
    counts["micro_grid_organisations"] = len(micro_orgs)
    counts["unit_organisations"] = len(unit_orgs)

    # Heads: each micro-grid's 网格长 is its organisation's head (and a member of it).
    leaders = dict(
        GridPost.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today),
            micro_grid__in=micros,
            role=PostRole.LEADER,
            start_date__lte=today,
        )
        .select_related("staff")
        .values_list("micro_grid_id", "staff")
    )
    staff_names = dict(
        GridPost.objects.filter(micro_grid__in=micros, role=PostRole.LEADER).values_list(
            "staff_id", "staff__name"
        )
    )
    staff_phones = dict(
        GridPost.objects.filter(micro_grid__in=micros, role=PostRole.LEADER).values_list(
            "staff_id", "staff__phone"
        )
    )
    head_rows = [
        (
            org,
            {
                "name": staff_names[leaders[m.pk]],
                "phone": staff_phones[leaders[m.pk]],
                "staff": leaders[m.pk],
            },
        )
        for m, org in zip(micros, micro_orgs, strict=True)
        if m.pk in leaders
    ]
    heads = services.do_register_members_bulk(head_rows)
    services.do_set_secretaries_many(
        [(org, head) for (org, _row), head in zip(head_rows, heads, strict=True)]
    )
    counts["heads"] = len(heads)

    # 双报到 members: membership in a unit's branch, reporting to the 居村 where they live; about
    # a third are on the registry there (linked to their resident record).
    units = unit_orgs
    residents: dict[int, list] = {}
    for pk, name, community_id in (
        Resident.objects.filter(lives_here=True, birth_date__year__range=(1960, 1998))
        .order_by("pk")
        .values_list("pk", "name", "household__address__micro_grid__parent_id")[: members * 2]
    ):
        residents.setdefault(community_id, []).append((pk, name))
    rows = []
    for _ in range(members):
        community = rng.choice(communities)
        reported = today - datetime.timedelta(days=rng.randint(30, 6 * 365))
        row = {
            "phone": names.mobile(rng),
            "work_unit": names.work_unit(rng),
            "dual_report_community": community,
            "dual_report_on": reported,
        }
        living = residents.get(community.pk)
        if living and rng.random() < 0.35:
            pk, name = living.pop(rng.randrange(len(living)))
            row.update(name=name, resident=pk)
        else:
            row["name"] = names.person_name(rng, rng.choice("MF"), rng.randint(1960, 1998))
        rows.append((rng.choice(units), row))
    dual = services.do_register_members_bulk(rows)
    counts["dual_report"] = len(dual)
    counts["linked_residents"] = sum(1 for _o, r in rows if "resident" in r)

    # Assignments: every head holds the grid post; a tenth of the 双报到 members serve in their
    # 居村's pioneer squad, and some are liaisons to a 居委 (the 城管 party groups' "1–2 居委").
    assignments = [
        (
            head,
            {
                "kind": "grid_post",
                "grid": m,
                "detail": "网格长",
                "started_on": datetime.date(2021, 1, 1),
            },
        )
        for head, m in zip(heads, [m for m in micros if m.pk in leaders], strict=True)
    ]
    for member, (_org, row) in zip(dual, rows, strict=True):
        roll = rng.random()
        if roll < 0.1:
            assignments.append(
                (
                    member,
                    {
                        "kind": "pioneer",
                        "grid": row["dual_report_community"],
                        "detail": "党员先锋队",
                        "started_on": row["dual_report_on"],
                    },
                )
            )
        elif roll < 0.12:
            assignments.append(
                (
                    member,
                    {
                        "kind": "community_liaison",
                        "grid": row["dual_report_community"],
                        "started_on": row["dual_report_on"],
                    },
                )
            )
    counts["assignments"] = len(services.do_assign_many(assignments))

    # Star ratings of 2018: the twelve five-star branches, and 3–4 stars for some 居村 总支.
    for org in unit_orgs[: len(FIVE_STAR_2018)]:
        services.do_rate(
            org,
            {
                "year": 2018,
                "stars": 5,
                "awarded_by": "中共上海市普陀区委组织部",
                "awarded_on": datetime.date(2019, 6, 28),
                "criteria": "组织建设、党员管理、组织生活、作用发挥、基础保障",
            },
        )
    rated = rng.sample(community_orgs, min(20, len(community_orgs)))
    for org in rated:
        services.do_rate(
            org,
            {
                "year": 2018,
                "stars": rng.choice([3, 4, 4]),
                "awarded_by": f"中共{street.name}委员会",
                "awarded_on": datetime.date(2019, 3, 15),
                "score": rng.randint(80, 95),
            },
        )
    counts["ratings"] = len(FIVE_STAR_2018) + len(rated)

    # A year of organisational life, up to today.
    first = datetime.date(today.year, 1, 1)
    life = []
    topics = ["学习党的二十大精神", "垃圾分类党员带头", "网格治理议事", "主题党日志愿服务"]

    def day_in(month: int) -> datetime.date:
        day = datetime.date(today.year, month, rng.randint(3, 25))
        return day if day <= today else today

    def add(org, kind, month, size):
        if rng.random() < MISS_RATE:
            return
        held = day_in(month)
        if held < max(first, org.started_on):
            return
        attended = max(1, size - rng.randint(0, max(1, size // 5)))
        life.append(
            (
                org,
                {
                    "kind": kind,
                    "held_on": held,
                    "topic": rng.choice(topics),
                    "expected": size,
                    "attended": attended,
                },
            )
        )

    for org in micro_orgs:
        size = rng.randint(6, 25)
        owed = (
            (LifeKind.GROUP_MEETING,)
            if org.level == OrgLevel.GROUP
            else (LifeKind.COMMITTEE_MEETING,)
        )
        for month in range(1, today.month + 1):
            for kind in owed:
                add(org, kind, month, size)
            if org.level != OrgLevel.GROUP and month % 3 == 2:
                add(org, LifeKind.MEMBER_MEETING, month, size)
                add(org, LifeKind.PARTY_CLASS, month, size)
    for org in community_orgs + unit_orgs:
        size = rng.randint(15, 160)
        for month in range(1, today.month + 1):
            add(org, LifeKind.COMMITTEE_MEETING, month, 7)
            if month % 3 == 2:
                add(org, LifeKind.MEMBER_MEETING, month, size)
                add(org, LifeKind.PARTY_CLASS, month, size)
        if today.month >= 7:
            add(org, LifeKind.THEME_DAY, 7, size)
    counts["life"] = services.do_record_life_many(life)

    # The "1+6+62+X" service points, on the grids' centroids.
    def at(grid, dx=0.0, dy=0.0):
        lat = grid.centroid_lat or 31.14
        lng = grid.centroid_lon or 121.57
        return {"lat": round(lat + dy, 6), "lng": round(lng + dx, 6)}

    points = [
        {
            "name": f"{short}党群服务中心",
            "tier": "town",
            "organisation": town,
            "grid": street,
            "address": f"{street.name}康桥路1号",
            "hours": "周一至周日 8:30–20:30",
            "services": ["党员教育", "政务咨询", "志愿服务", "法律援助"],
            **at(street),
        }
    ]
    for area, org in zip(areas, area_orgs, strict=True):
        points.append(
            {
                "name": f"{area.name}党群服务中心",
                "tier": "community",
                "organisation": org,
                "grid": area,
                "address": f"{area.name}中心路1号",
                "hours": "周一至周六 8:30–17:30",
                "services": ["党员活动", "社区事务受理", "就业服务", "文体活动"],
                **at(area),
            }
        )
    for community, org in zip(communities, community_orgs, strict=True):
        points.append(
            {
                "name": f"{community.name}党群服务站",
                "tier": "station",
                "organisation": org,
                "grid": community,
                "address": f"{community.name}活动室",
                "hours": "周一至周五 9:00–17:00",
                "services": ["党员学习", "居民议事", "为老服务"],
                **at(community, 0.0008, 0.0005),
            }
        )
    for name in RED_STATIONS:
        community = next((c for c in communities if c.name.startswith(name)), None)
        if community is None:
            continue
        points.append(
            {
                "name": f"{name}红色加油站",
                "tier": "point",
                "kind": "red_station",
                "organisation": by_community[community.pk],
                "grid": community,
                "address": f"{community.name}沿街一层",
                "hours": "全天开放",
                "services": ["饮水", "充电", "休息", "应急药箱", "如厕"],
                **at(community, -0.0012, 0.0009),
            }
        )
    for i, community in enumerate(rng.sample(communities, min(8, len(communities)))):
        kind = "doorstep" if i % 2 == 0 else "civility"
        points.append(
            {
                "name": f"{community.name}{'家门口服务站' if kind == 'doorstep' else '新时代文明实践站'}",
                "tier": "point",
                "kind": kind,
                "organisation": by_community[community.pk],
                "grid": community,
                "address": f"{community.name}小区内",
                "hours": "周一至周日 9:00–18:00",
                "services": ["代办代跑", "理发", "助餐"] if kind == "doorstep" else ["志愿服务"],
                **at(community, 0.0015, -0.0011),
            }
        )
    for data in points:
        services.do_save_service_point(data)
    counts["points"] = len(points)
    counts["red_stations"] = sum(1 for p in points if p.get("kind") == "red_station")

    # The "1+6+7+x" 企业党建联建 signing: about a hundred enterprises, seven working groups.
    signed = datetime.date(
        today.year if today >= datetime.date(today.year, 5, 10) else today.year - 1, 5, 10
    )
    partners: list[str] = []
    while len(partners) < CO_BUILDING_PARTNERS:
        name = f"上海{''.join(rng.sample(NAME_SYLLABLES, 2))}{rng.choice(INDUSTRIES)}有限公司"
        if name not in partners:
            partners.append(name)
    services.do_sign_co_building(
        town,
        {
            "title": "“企业党建联建”暨党建引领企业促进区域共治共建共享",
            "partners": partners,
            "signed_on": signed,
            "working_group": "七个专项推进组",
            "projects": [
                "企业服务",
                "就业招聘",
                "公益捐助",
                "社区共建",
                "人才服务",
                "安全生产",
                "环境整治",
            ],
        },
    )
    counts["co_buildings"] = 1
    return counts
