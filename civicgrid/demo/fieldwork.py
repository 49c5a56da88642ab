"""The demo grid worker's own work: cases in their grid, patrols (巡块) and visits (走访).

The 300 demo cases fall on random micro-grids, so the `gridworker` login would open empty task
lists. This builder gives their micro-grid what a grid worker's phone shows on a normal day:
a case dispatched to the grid waiting to be accepted, one being handled, one handled by a
department waiting for their 核查, two weeks of morning patrols along the grid's building groups
(most lines 正常, now and then a problem turned into a case in one tap), and four weeks of
household visits with follow-ups for the "四百走访" weekly summary. Their micro-grid is the
worker's 巡块责任区 (walked morning and afternoon; now and then an afternoon round is missed, so
the coverage page has something to show), a few visits are tagged with 急难愁盼 needs, one
follow-up became a case and one, too hard for the grid, is a 难点 on the 居村's 专题会 agenda
with its work plan.

Everything goes through the services of the loop and of civicgrid.fieldwork, each given the
builder's clock as `now=` as in civicgrid.demo.cases; the same seed and day give the same
records.
"""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.cases import notifications, services, warnings
from civicgrid.cases.models import Category
from civicgrid.demo.cases import SHANGHAI, _Clock, backfill_updated_at, read_old_notifications
from civicgrid.fieldwork import services as field
from civicgrid.fieldwork.choices import FindingResult
from civicgrid.fieldwork.models import ChecklistItem, NeedKind, PatrolArea
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.registry.models import Household
from civicgrid.workcalendar.services import get_calendar

PATROL_DAYS = 14
VISIT_DAYS = 28

PROBLEMS = {
    "楼道堆物": "{b}楼道堆放纸箱和旧家具,堵塞疏散通道",
    "飞线充电": "{b}有居民从窗口拉线给电瓶车充电",
    "垃圾分类": "{b}垃圾箱房湿垃圾混投,桶边散落",
    "非机动车乱停放": "{b}门口非机动车乱停,占用消防通道",
    "消防通道": "{b}消防通道被私家车占用",
}
TOPICS = [
    "了解独居老人近况,询问用餐和就医需求",
    "宣传垃圾分类定时定点投放",
    "核对实有人口信息,登记新租户",
    "征求加装电梯意见",
    "提醒电瓶车不要入户充电",
    "了解对小区停车管理的意见",
]
# Visits whose needs (急难愁盼) the demo tags, by need kind: the topics asked and the follow-up.
NEED_VISITS = {
    "养老助餐": ("了解独居老人用餐情况", "联系社区助餐点每天送午餐"),
    "停车难": ("了解小区夜间停车情况", "协调物业夜间开放地面临时车位"),
    "住房修缮": ("查看老房屋顶渗水情况", "联系房管办上门查看屋顶渗水"),
    "噪音扰民": ("了解底商噪音扰民情况", "约谈底商经营户控制营业时间"),
}
# The follow-up turned into a case, and the one too hard for the grid (难点) with its work plan.
CASE_FOLLOW_UP = ("住房修缮", "楼道顶部渗水,墙皮脱落,需维修")
HARD_FOLLOW_UP = (
    "停车难",
    "小区车位缺口约80个,夜间车辆占用消防通道",
    "小区停车难:车位缺口与消防通道占用",
    "居委牵头,物业、业委会参加:夜间开放周边单位停车场错时停车,"
    "施划消防通道禁停标线,两个月内完成地面车位挖潜",
)
FOLLOW_UPS = [
    "联系社区助餐点送餐",
    "反馈物业维修楼道灯",
    "协助办理居住证",
    "转居委会帮困救助",
    "下周回访",
]


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def _category(name):
    """The category of the checklist line of that name (巡查记录表), else one of that name."""
    item = ChecklistItem.objects.filter(name=name).select_related("category").first()
    if item is not None and item.category_id:
        return item.category
    return Category.objects.filter(parent__isnull=False, name=name, is_active=True).first()


class _FieldworkMaker:
    def __init__(self, seed: int, now: datetime.datetime):
        self.rng = random.Random(seed * 104729 + 3)
        self.now = now
        self.clock = _Clock(now)
        self.counts: Counter = Counter()
        self.worker = User.objects.filter(username="gridworker", is_active=True).first()
        self.operator = (
            User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("pk").first()
        )
        self.grid = None
        if self.worker is not None:
            self.grid = field.my_micro_grids(self.worker).order_by("code").first()
        self.calendar = get_calendar()
        # The patrol areas and needs draw from their own stream, so the rest stays as it was.
        self.rng_needs = random.Random(seed * 7919 + 11)

    def workdays_back(self, days: int) -> list[datetime.date]:
        today = timezone.localtime(self.now).date()
        span = [today - datetime.timedelta(days=n) for n in range(days, 0, -1)]
        return [d for d in span if self.calendar.is_workday(d)]

    def at(self, moment) -> bool:
        if moment >= self.now:
            return False
        self.clock.at = moment
        return True

    def stops(self):
        """Where the worker walks: the centres of the grid's building groups, in code order."""
        groups = Grid.objects.filter(
            parent=self.grid, level=GridLevel.BUILDING_GROUP, centroid_lon__isnull=False
        ).order_by("code")
        return [(g.centroid_lon, g.centroid_lat, g.name) for g in groups] or [
            (self.grid.centroid_lon, self.grid.centroid_lat, self.grid.name)
        ]

    # --- cases in the grid -------------------------------------------------------------------
    def grid_cases(self):
        stops = self.stops()
        handler = (
            User.objects.filter(role=Role.DEPT_HANDLER, is_active=True, department__isnull=False)
            .select_related("department")
            .order_by("pk")
            .first()
        )
        plans = [
            ("楼道堆物", "waiting", 26),
            ("飞线充电", "accepted", 50),
            ("垃圾分类", "handled", 30),
        ]
        for name, plan, hours_ago in plans:
            category = _category(name)
            if category is None:
                continue
            lon, lat, place = stops[self.rng.randrange(len(stops))]
            start = self.now - datetime.timedelta(hours=hours_ago)
            if not self.at(start):
                continue
            case = services.do_report(
                user=self.worker,
                category=category,
                description=PROBLEMS.get(name, "{b}" + name).format(b=place),
                lon=lon,
                lat=lat,
                address=place,
                now=self.clock.at,
            ).case
            self.at(start + datetime.timedelta(minutes=12))
            services.do_file(case, self.operator, now=self.clock.at)
            self.at(start + datetime.timedelta(minutes=20))
            if plan == "handled" and handler is not None:
                services.do_dispatch(
                    case, self.operator, department=handler.department.pk, now=self.clock.at
                )
                self.at(start + datetime.timedelta(hours=2))
                services.do_accept(case, handler, now=self.clock.at)
                self.at(start + datetime.timedelta(hours=5))
                services.do_handle(
                    case, handler, result="已清理垃圾箱房,张贴分类指引", now=self.clock.at
                )
            else:
                services.do_dispatch(
                    case, self.operator, to_grid=True, note="网格自治处置", now=self.clock.at
                )
                if plan == "accepted":
                    self.at(start + datetime.timedelta(hours=1))
                    services.do_accept(
                        case, self.worker, note="已到现场,联系居民整改", now=self.clock.at
                    )
            self.counts[f"case:{plan}"] += 1

    # --- patrols -----------------------------------------------------------------------------
    def patrols(self):
        items = list(ChecklistItem.objects.filter(is_active=True).select_related("category"))
        stops = self.stops()
        for day in self.workdays_back(PATROL_DAYS):
            start = _local(day, 9, self.rng.randrange(0, 30))
            if not self.at(start):
                continue
            patrol = field.start_patrol(self.worker, self.grid, now=self.clock.at)
            minute = start
            points = []
            for lon, lat, _name in stops:
                minute += datetime.timedelta(minutes=self.rng.randint(3, 7))
                jitter = (self.rng.uniform(-2e-5, 2e-5), self.rng.uniform(-2e-5, 2e-5))
                points.append(
                    [round(lon + jitter[0], 6), round(lat + jitter[1], 6), minute.isoformat()]
                )
            self.at(minute)
            field.add_route_points(patrol, self.worker, points, now=self.clock.at)
            if items and self.rng.random() < 0.35:
                item = self.rng.choice([i for i in items if i.name in PROBLEMS] or items)
                place = stops[self.rng.randrange(len(stops))][2]
                finding = field.record_finding(
                    patrol,
                    self.worker,
                    item,
                    result=FindingResult.PROBLEM,
                    note=PROBLEMS.get(item.name, "{b}" + item.name).format(b=place),
                    now=self.clock.at,
                )
                if item.category_id and self.rng.random() < 0.7:
                    field.finding_to_case(finding, self.worker, now=self.clock.at)
                    self.counts["patrol_case"] += 1
            field.mark_rest_ok(patrol, self.worker, now=self.clock.at)
            self.at(minute + datetime.timedelta(minutes=5))
            field.finish_patrol(patrol, self.worker, note="巡查完毕", now=self.clock.at)
            self.counts["patrol"] += 1

    # --- patrol areas (巡块责任区) -------------------------------------------------------------
    def patrol_areas(self):
        """The grid worker's responsibility area: their whole micro-grid, walked twice a working
        day since the first day of the demo's patrols."""
        days = self.workdays_back(PATROL_DAYS)
        if not days:
            return
        area = PatrolArea(worker=self.worker, micro_grid=self.grid, start_date=days[0])
        field.save_patrol_area(None, area)
        self.counts["patrol_area"] += 1

    def afternoon_patrols(self):
        """The afternoon round of most working days (the morning ones are self.patrols)."""
        stops = self.stops()
        for day in self.workdays_back(PATROL_DAYS):
            if self.rng_needs.random() < 0.15:
                continue  # a missed round now and then
            start = _local(day, 14, self.rng_needs.randrange(0, 40))
            if not self.at(start):
                continue
            patrol = field.start_patrol(self.worker, self.grid, now=self.clock.at)
            minute = start
            points = []
            for lon, lat, _name in reversed(stops):
                minute += datetime.timedelta(minutes=self.rng_needs.randint(3, 7))
                points.append([round(lon, 6), round(lat, 6), minute.isoformat()])
            self.at(minute)
            field.add_route_points(patrol, self.worker, points, now=self.clock.at)
            field.mark_rest_ok(patrol, self.worker, now=self.clock.at)
            self.at(minute + datetime.timedelta(minutes=5))
            field.finish_patrol(patrol, self.worker, note="下午巡查完毕", now=self.clock.at)
            self.counts["patrol"] += 1

    # --- 急难愁盼 needs, a follow-up as a case, a 难点 on the 专题会 agenda ------------------
    def needs(self):
        kinds = {k.name: k for k in NeedKind.objects.filter(is_active=True)}
        households = list(
            Household.objects.filter(address__micro_grid=self.grid).order_by("pk")[:60]
        )
        days = self.workdays_back(VISIT_DAYS)
        if not kinds or not households or len(days) < 8:
            return
        visits = {}
        for n, (name, (topics, follow_up)) in enumerate(NEED_VISITS.items()):
            kind = kinds.get(name)
            if kind is None:
                continue
            day = days[-8 + n]
            moment = _local(day, 10, self.rng_needs.randrange(60))
            if not self.at(moment):
                continue
            extra = []
            if name == CASE_FOLLOW_UP[0]:
                extra.append(CASE_FOLLOW_UP[1])
            if name == HARD_FOLLOW_UP[0]:
                extra.append(HARD_FOLLOW_UP[1])
            visits[name] = field.record_visit(
                self.worker,
                self.rng_needs.choice(households),
                visited_at=moment,
                topics=topics,
                follow_ups=[follow_up, *extra],
                needs=[kind],
                now=self.clock.at,
            )
            self.counts["visit"] += 1
            self.counts["visit_need"] += 1
        visit = visits.get(CASE_FOLLOW_UP[0])
        if visit is not None:
            follow_up = visit.follow_ups.get(text=CASE_FOLLOW_UP[1])
            self.at(visit.visited_at + datetime.timedelta(hours=1))
            field.follow_up_to_case(follow_up, self.worker, now=self.clock.at)
            self.counts["follow_up_case"] += 1
        visit = visits.get(HARD_FOLLOW_UP[0])
        if visit is not None:
            follow_up = visit.follow_ups.get(text=HARD_FOLLOW_UP[1])
            self.at(visit.visited_at + datetime.timedelta(hours=2))
            topic = field.mark_hard(
                follow_up, self.worker, title=HARD_FOLLOW_UP[2], now=self.clock.at
            )
            meeting = visit.visited_at + datetime.timedelta(days=3)
            if self.at(meeting):
                field.record_work_plan(
                    topic,
                    self.worker,
                    meeting_date=timezone.localdate(meeting),
                    work_plan=HARD_FOLLOW_UP[3],
                    now=self.clock.at,
                )
                self.counts["topic_planned"] += 1
            self.counts["topic"] += 1

    # --- visits ------------------------------------------------------------------------------
    def visits(self):
        households = list(
            Household.objects.filter(address__micro_grid=self.grid).order_by("pk")[:60]
        )
        if not households:
            return
        days = self.workdays_back(VISIT_DAYS)
        for day in days:
            for _n in range(self.rng.choice([0, 1, 1, 2])):
                moment = _local(day, self.rng.choice([14, 15, 16]), self.rng.randrange(60))
                if not self.at(moment):
                    continue
                follow_ups = []
                if self.rng.random() < 0.4:
                    follow_ups.append(self.rng.choice(FOLLOW_UPS))
                visit = field.record_visit(
                    self.worker,
                    self.rng.choice(households),
                    visited_at=moment,
                    topics=self.rng.choice(TOPICS),
                    follow_ups=follow_ups,
                    now=self.clock.at,
                )
                self.counts["visit"] += 1
                if follow_ups and day < days[-1] - datetime.timedelta(days=5):
                    follow_up = visit.follow_ups.first()
                    self.at(moment + datetime.timedelta(days=2))
                    field.set_follow_up_done(follow_up, self.worker, now=self.clock.at)

    def build(self) -> Counter:
        if self.worker is None or self.grid is None or self.operator is None:
            return self.counts
        self.patrol_areas()
        self.grid_cases()
        self.patrols()
        self.afternoon_patrols()
        self.visits()
        self.needs()
        return self.counts


def build_demo_fieldwork(*, seed: int = 2023, now=None) -> Counter:
    """Write the demo grid worker's cases, patrols and visits; returns counts by kind."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    maker = _FieldworkMaker(seed, now)
    # The worker's notification centre gets the steps' items, like the street's (demo.cases).
    with notifications.muted(inbox=True), transaction.atomic():
        counts = maker.build()
        backfill_updated_at()
        warnings.scan(now=now)
        read_old_notifications(now)
    return counts
