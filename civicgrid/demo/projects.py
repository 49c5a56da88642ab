"""The demo street's community projects (社区项目, seeds 000, 001, 002, 004).

"共征集62个创建项目和点位，并择优推荐8个 … 参与新区层面评选": the 2023 镇级 campaign on 网格治理,
民生实事 and 痛点难点 gathers 62 proposals across the 居村; 30 pass the screening, each has its
hearing (civicgrid.meetings), the panel scores them against the default template and the best 8
are recommended. Among them: 普育里's 美丽家园 (seed 001: 立面、电线、四分类箱房、晾衣架、车棚、花坛、
照明、门岗), built, accepted and handed over to its 物业 for long-term management; the 600 m²
休闲长廊 with 100 m of seats (seed 000, a 微更新 still being built, its build milestone late); a
美丽楼道 in three themes. Everything goes through projects.services and meetings.services; the
same seed gives the same figures.
"""

import datetime
import random

from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.accounts.policy import PROJECTS_TEMPLATE_ROLES
from civicgrid.estates.choices import EstateClass
from civicgrid.estates.models import Estate
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.meetings import services as meetings
from civicgrid.party.models import Organisation
from civicgrid.projects import services
from civicgrid.projects.choices import HomeKind, MilestoneKind, ProjectKind
from civicgrid.projects.models import Campaign, Milestone
from civicgrid.projects.workflow import DEFAULT_CRITERIA

PROPOSALS = 62
SCREENED = 30
QUOTA = 8
TZ = datetime.timezone(datetime.timedelta(hours=8))

HOME_ITEMS = [
    ("立面整修", 3200, "平方米"),
    ("架空电线入地", 860, "米"),
    ("四分类箱房", 2, "座"),
    ("晾衣架", 120, "个"),
    ("非机动车车棚", 3, "座"),
    ("花坛", 6, "处"),
    ("照明", 45, "盏"),
    ("门岗", 1, "座"),
]
TITLES = {
    ProjectKind.MICRO_RENEWAL: ["口袋花园", "健身角微更新", "宅间绿地改造", "小区出入口微更新"],
    ProjectKind.BEAUTIFUL_STAIRWAY: ["美丽楼道", "楼道文化墙", "楼道扶手加装"],
    ProjectKind.SERVICE_SITE: ["睦邻点", "为老服务站", "网格工作站"],
    ProjectKind.HERITAGE: ["风貌道路整治", "历史建筑外立面修缮"],
    ProjectKind.BEAUTIFUL_HOME: ["美丽家园综合改造", "雨污混接改造", "车棚充电设施"],
    ProjectKind.OTHER: ["停车秩序整治", "垃圾箱房升级"],
}


def _at(month, day, hour=9):
    return datetime.datetime(2023, month, day, hour, tzinfo=TZ)


def _place(rng, community):
    lon, lat = community.centroid_lon, community.centroid_lat
    if lon is None:
        return None, None
    return round(lon + rng.uniform(-0.003, 0.003), 6), round(lat + rng.uniform(-0.003, 0.003), 6)


def _hold_hearing(project, day):
    meeting = meetings.do_plan_meeting(
        None,
        kind="hearing",
        community=project.community,
        estate=project.estate,
        title=f"{project.title}听证会",
        starts_at=_at(6, day, 14),
        place="居委会议室",
        subject=project,
        now=_at(5, day),
    )
    meetings.do_notice_meeting(None, meeting, now=_at(5, day + 1))
    meetings.do_hold_meeting(None, meeting, now=_at(6, day, 14))


def _lead(name: str) -> dict:
    """The 牵头党组织 from the party register when the demo street has it (built before the
    projects), else the name as text."""
    org = Organisation.objects.filter(short_name=name, ended_on__isnull=True).first()
    return {"lead_party_organisation": org} if org else {"lead_organisation": name}


def build_demo_projects(*, seed: int = 7, now=None) -> dict:
    """Builds the 2023 campaign; returns counts ({} when it exists already)."""
    if Campaign.objects.exists():
        return {}
    communities = list(Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code"))
    panel = list(User.objects.filter(role__in=PROJECTS_TEMPLATE_ROLES).order_by("pk")[:3])
    if not communities or not panel:
        return {}
    rng = random.Random(f"{seed}:projects")
    campaign = services.do_save_campaign(
        None,
        name="2023年社区创建项目和点位征集",
        year=2023,
        level="town",
        starts_on=datetime.date(2023, 3, 1),
        ends_on=datetime.date(2023, 4, 30),
        focus_areas=["grid_governance", "livelihood", "pain_points"],
        quota=QUOTA,
    )
    puyuli = Estate.objects.filter(name="普育里").first() or (
        Estate.objects.filter(estate_class=EstateClass.OLD).order_by("pk").first()
    )
    home_community = puyuli.community if puyuli else communities[0]
    lon, lat = _place(rng, home_community)
    flagship = [
        services.do_submit_project(
            None,
            campaign=campaign,
            title=f"{puyuli.name if puyuli else home_community.name}美丽家园",
            community=home_community,
            estate=puyuli,
            kind=ProjectKind.BEAUTIFUL_HOME,
            home_kind=HomeKind.INFRASTRUCTURE,
            summary="基础设施、惠民利民、环境提升、综合管理四类改造，完工后移交物业长效管理。",
            lon=lon,
            lat=lat,
            **_lead(f"{home_community.name}党总支"),
            partners="区房管局、街道城建中心、物业公司",
            budget=480,
            funding="市区两级美丽家园专项资金",
            deliverables=HOME_ITEMS,
            now=_at(3, 10),
        )
    ]
    corridor_community = communities[1 % len(communities)]
    lon, lat = _place(rng, corridor_community)
    flagship.append(
        services.do_submit_project(
            None,
            campaign=campaign,
            title="滨河休闲长廊微更新",
            community=corridor_community,
            kind=ProjectKind.MICRO_RENEWAL,
            summary="600多平方米的休闲长廊，100多米长的座椅，居民全程参与设计。",
            lon=lon,
            lat=lat,
            **_lead(f"{corridor_community.name}党总支"),
            partners="区绿化市容局、共建单位",
            budget=95,
            funding="街道自治金",
            deliverables=[("休闲长廊", 600, "平方米"), ("座椅", 100, "米")],
            now=_at(3, 12),
        )
    )
    stair_community = communities[2 % len(communities)]
    lon, lat = _place(rng, stair_community)
    flagship.append(
        services.do_submit_project(
            None,
            campaign=campaign,
            title="美丽楼道三色主题创建",
            community=stair_community,
            kind=ProjectKind.BEAUTIFUL_STAIRWAY,
            summary="红色党建、绿色环保、橙色敬老三个主题的楼道。",
            lon=lon,
            lat=lat,
            **_lead(f"{stair_community.name}党总支"),
            budget=12,
            funding="居委自治金",
            deliverables=[("主题楼道", 3, "个")],
            now=_at(3, 14),
        )
    )
    others = []
    kinds = list(TITLES)
    for i in range(PROPOSALS - len(flagship)):
        community = communities[i % len(communities)]
        kind = kinds[rng.randrange(len(kinds))]
        lon, lat = _place(rng, community)
        others.append(
            services.do_submit_project(
                None,
                campaign=campaign,
                title=f"{community.name}{rng.choice(TITLES[kind])}",
                community=community,
                kind=kind,
                lon=lon,
                lat=lat,
                **_lead(f"{community.name}党总支"),
                budget=rng.choice([5, 8, 12, 20, 35, 60]),
                funding="街道自治金",
                now=_at(4, 1 + i % 28),
            )
        )
    # 初筛: the flagship projects and the first others pass, the rest drop out.
    passing = flagship + others[: SCREENED - len(flagship)]
    for project in others[SCREENED - len(flagship) :]:
        services.do_screen(None, project, passed=False, note="与征集方向不符或已列入其他计划")
    residents = list(User.objects.filter(role=Role.RESIDENT).order_by("pk")[:20])
    for i, project in enumerate(passing):
        services.do_screen(None, project, passed=True, now=_at(5, 5))
        for resident in residents[: len(flagship) * 5 if project in flagship else i % 3]:
            services.do_support(resident, project, now=_at(5, 8))
        _hold_hearing(project, 1 + i % 25)
        services.do_consult(None, project, now=_at(6, 28))
    # 评审: the flagship projects score highest; the others spread below.
    for project in passing:
        for member in panel:
            base = 0.95 if project in flagship else rng.uniform(0.55, 0.9)
            points = {
                name: max(0, min(top, round(top * base + rng.choice([-1, 0, 0, 1]))))
                for name, top in DEFAULT_CRITERIA
            }
            services.do_score(member, project, points=points, now=_at(7, 5))
    recommended = services.do_recommend(None, campaign, now=_at(7, 20))
    # The works: 普育里 built and handed over; the corridor half-way, its build late.
    home, corridor, stair = flagship
    for project, dues in (
        (home, ((MilestoneKind.DESIGN, 9, 1), (MilestoneKind.TENDER, 10, 15))),
        (corridor, ((MilestoneKind.DESIGN, 9, 10), (MilestoneKind.TENDER, 11, 1))),
        (stair, ((MilestoneKind.DESIGN, 9, 1),)),
    ):
        services.do_start(None, project, now=_at(8, 1))
        for kind, month, day in dues:
            milestone = Milestone.objects.get(project=project, kind=kind)
            services.do_plan_milestone(None, milestone, due_on=datetime.date(2023, month, day))
            services.do_complete_milestone(
                None, milestone, done_on=datetime.date(2023, month, day), now=_at(12, 1)
            )
    build = Milestone.objects.get(project=home, kind=MilestoneKind.BUILD)
    services.do_plan_milestone(None, build, due_on=datetime.date(2024, 5, 31))
    services.do_complete_milestone(
        None, build, done_on=datetime.date(2024, 5, 20), now=_at(12, 1).replace(year=2024)
    )
    services.do_accept(None, home, now=_at(6, 10).replace(year=2024))
    services.do_hand_over(
        None, home, maintainer="小区物业（长效管理）", now=_at(6, 30).replace(year=2024)
    )
    today = timezone.localdate(now or timezone.now())
    late_build = Milestone.objects.get(project=corridor, kind=MilestoneKind.BUILD)
    services.do_plan_milestone(None, late_build, due_on=today - datetime.timedelta(days=30))
    _ideas(campaign, communities)
    return {"proposals": PROPOSALS, "screened": len(passing), "recommended": len(recommended)}


# Residents' ideas (金点子): the desk has answered two, three wait on its review page.
IDEAS = [
    ("小区门口的空地能不能装几张休闲座椅，方便老人歇脚。", None),
    ("楼道里的电动自行车太多，希望加装充电桩。", None),
    ("垃圾箱房旁边的绿化带常年积水，建议改造。", None),
    ("希望在小区里放烟花。", "存在安全隐患，不符合消防规定。"),
    ("建议把健身角改成停车位。", "健身角是居民议事会确定保留的公共空间。"),
]


def _ideas(campaign, communities):
    for i, (text, reason) in enumerate(IDEAS):
        idea = services.do_propose_idea(
            None,
            campaign=campaign,
            community=communities[i % len(communities)],
            text=text,
            now=_at(4, 10 + i),
        )
        if reason:
            services.do_decline_idea(None, idea, reason=reason, now=_at(5, 20))
