"""The demo's public notices (公示公告), through notices.services and notices.generate:

- seed 002's relocation of 花墙村 (“两旧一村”): up to 150 households with their 面积认定 and 评估,
  visits, the 24 party-member households signing first, then everyone within the signing period
  (“100%清盘”), the progress notice to every affected household; the `resident` login acts for
  one of the households, so it sees the totals and its own figures;
- the projects' 62 → 8 selection 公示 (from the demo campaign), a resident's objection answered,
  the period closed;
- honour rolls: the five-star party organisations (when the party demo is there), the time
  bank's top volunteers of last year, and 身边好人 nominated by residents (only those who
  consented on the roll);
- the outcome notices of the 三会 meetings whose outcome is published.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.meetings.choices import MeetingState
from civicgrid.meetings.models import Meeting
from civicgrid.notices import generate, services
from civicgrid.notices.models import Notice, Relocation
from civicgrid.projects.models import Campaign
from civicgrid.registry.models import Household

User = get_user_model()

RELOCATION_NAME = "花墙村“两旧一村”改造征收项目"
RELOCATION_HOUSEHOLDS = 150
PARTY_HOUSEHOLDS = 24  # seed 002: “花墙居民区动迁涉及党员24名…带头签约”
SIGNING_START = datetime.date(2025, 3, 3)
SIGNING_DAYS = 60
OFFICE = "康桥镇人民政府"
HQ = "花墙村动迁指挥部"


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _relocation(rng, staff, resident_login):
    community = (
        Grid.objects.filter(level=GridLevel.COMMUNITY, name="花墙村").first()
        or Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code").first()
    )
    households = list(
        Household.objects.filter(address__micro_grid__parent=community).order_by("pk")[
            :RELOCATION_HOUSEHOLDS
        ]
    )
    if not households:
        return 0
    project = services.do_save_relocation(
        None,
        name=RELOCATION_NAME,
        community=community,
        starts_on=SIGNING_START,
        headquarters=HQ,
        basis="按“三统一”办法：统一规划、统一安置、统一补偿标准。认定面积以合法产证及"
        "1990年前宅基地审批为准；评估由公开选定的评估机构按市场比较法进行。",
    )
    rows = []
    for i, household in enumerate(households):
        area = Decimal(rng.randint(4500, 16000)) / 100
        rows.append(
            {
                "household": household,
                "recognised_area": area,
                "valuation": (area * Decimal(rng.randint(52000, 61000))).quantize(Decimal("1")),
                "party_member": i < PARTY_HOUSEHOLDS,
            }
        )
    services.do_add_relocation_households(None, project, rows)
    members = list(project.households.order_by("pk"))
    # Visits before the signing period: every household once, the hesitant twice.
    for rh in members[:: max(1, len(members) // 30)]:
        services.do_record_visit(
            None,
            rh,
            on=SIGNING_START - datetime.timedelta(days=7),
            note="上门宣讲征收口径，听取诉求。",
        )
    signings = {}
    for i, rh in enumerate(members):
        if i < PARTY_HOUSEHOLDS:
            day = SIGNING_START + datetime.timedelta(days=i % 3)  # the party members first
        else:
            # Most sign in the first weeks; the last ones near the end, all within the period.
            fraction = (i - PARTY_HOUSEHOLDS) / max(1, len(members) - PARTY_HOUSEHOLDS)
            day = SIGNING_START + datetime.timedelta(days=3 + int((SIGNING_DAYS - 4) * fraction**2))
        signings[rh.household_id] = day
    end = SIGNING_START + datetime.timedelta(days=SIGNING_DAYS)
    services.do_sign_many(None, project, signings, now=_at(end))
    if resident_login is not None:
        services.do_link_household(None, login=resident_login, household=members[-1].household)
    notice = generate.relocation_progress(None, project, department_name=HQ, now=_at(end))
    services.do_publish(staff, notice, now=_at(end, 15))
    return len(members)


def _selection(staff, resident_login):
    campaign = Campaign.objects.order_by("pk").first()
    if campaign is None:
        return 0
    published = _at(datetime.date(campaign.year, 6, 5))
    notice = generate.project_selection(
        None, campaign, department_name="康桥镇社区自治办", now=published
    )
    notice = services.do_publish(staff, notice, now=published)
    if resident_login is not None:
        objection = services.do_object(
            resident_login,
            notice,
            text="第8名项目所在小区去年已改造过道路，是否重复立项？请说明。",
            now=published + datetime.timedelta(days=1),
        )
        services.do_answer(
            None,
            objection,
            text="经核实，去年改造的是小区主干道，本项目为宅间小路和雨污分流，不属重复立项，"
            "评审记录可到社区自治办查阅。",
            now=published + datetime.timedelta(days=2),
        )
    services.do_close_objections(None, notice, now=notice.objection_until)
    return 1


def _honour_rolls(rng, staff, resident_login, today):
    made = 0
    try:
        from civicgrid.party.models import StarRating

        years = list(StarRating.objects.filter(stars=5).values_list("year", flat=True).distinct())
    except ImportError:  # pragma: no cover - the party app is optional in a slimmed deployment
        years = []
    for year in sorted(years)[-1:]:
        roll = generate.star_honour_roll(None, year, department_name="镇党委组织办", now=_at(today))
        services.do_publish(staff, roll, now=_at(today, 11))
        made += 1
    last_year = today.year - 1
    try:
        roll = generate.volunteer_honour_roll(
            None,
            datetime.date(last_year, 1, 1),
            datetime.date(last_year, 12, 31),
            department_name="康桥镇爱心银行",
            now=_at(today),
        )
    except ValidationError:  # no verified service last year: no roll
        roll = None
    if roll is not None:
        services.do_publish(staff, roll, now=_at(today, 11))
        made += 1
    if resident_login is not None:
        community = Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code").first()
        deeds = [
            ("陆阿姨", "十年如一日照顾独居的邻居老人，每天送饭上门。", True),
            ("钱师傅", "义务为楼里居民修理水电，从不收钱。", True),
            ("小周", "疫情期间组织楼组志愿者为居民代购药品。", False),
        ]
        for name, deed, consent in deeds:
            nomination = services.do_nominate(
                resident_login,
                community=community,
                nominee=name,
                deed=deed,
                consent=consent,
                now=_at(today - datetime.timedelta(days=7), 20),
            )
            services.do_review_nomination(
                None,
                nomination,
                approve=True,
                note="事迹属实。",
                now=_at(today - datetime.timedelta(days=3)),
            )
        roll = generate.nomination_honour_roll(
            None, community, department_name=f"{community.name}居民委员会", now=_at(today)
        )
        services.do_publish(staff, roll, now=_at(today, 11))
        made += 1
    return made


def _meetings(staff):
    made = 0
    for meeting in Meeting.objects.filter(
        state__in=[MeetingState.PUBLISHED, MeetingState.FOLLOWED_UP], published_at__isnull=False
    ).select_related("community", "estate")[:10]:
        notice = generate.meeting_outcome(None, meeting, now=meeting.published_at)
        services.do_publish(staff, notice, now=meeting.published_at)
        made += 1
    return made


def build_demo_notices(*, seed: int = 7, now=None) -> dict:
    """Builds the demo's notices; returns counts ({} when they exist already)."""
    if Relocation.objects.filter(name=RELOCATION_NAME).exists() or Notice.objects.exists():
        return {}
    staff = User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
    if staff is None:
        return {}
    rng = random.Random(f"{seed}:notices")
    now = now or timezone.now()
    today = timezone.localdate(now)
    # The honour rolls are drafted at 10:00 and published at 11:00 of the last day whose 11:00
    # has passed: loaded in the night, they are yesterday's, never an hour still to come.
    roll_day = today if timezone.localtime(now) >= _at(today, 11) else today - datetime.timedelta(1)
    resident_login = User.objects.filter(username="resident", role=Role.RESIDENT).first()
    return {
        "relocation_households": _relocation(rng, staff, resident_login),
        "selection": _selection(staff, resident_login),
        "honour_rolls": _honour_rolls(rng, staff, resident_login, roll_day),
        "meeting_outcomes": _meetings(staff),
    }
