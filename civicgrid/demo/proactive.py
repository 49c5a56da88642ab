"""The demo street's 主动治理 (seed 003: "'一弄一案'，逐一解决背街小巷管理盲点", "防止非法小广告乱张贴
返潮"; seed 000: "将问题和矛盾化解在群众投诉之前"): on top of the demo's cases, residents' reports
that keep coming back in the demo grid worker's micro-grid and one next to it, so that the
detection finds a handful of 一弄一案 items —

- 暴露垃圾 at one building group (4 reports in 25 days): owner and plan, 整改中;
- 非法张贴小广告 at another (3 reports): planned, closed 15 days ago, back 5 days ago (返潮);
- 楼道堆物 in the neighbouring micro-grid (3 reports): 待落实;

— a visible hotspot (the cluster lifts the grid worker's micro-grid well above the street's
mean in the last 30 days), yesterday's anomaly of 暴露垃圾 (4 reports against a quiet baseline)
warned to the grid leader, and patrol tasks for the grid worker: one from the hotspot answered
with a finding (a case with source 主动发现), one open from the 一弄一案 item.

Everything goes through the services (cases.services.do_report, proactive.services,
proactive.hotspots, proactive.anomalies), about twenty reports: well under the builder's budget."""

import datetime

from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.cases import notifications
from civicgrid.cases import services as cases
from civicgrid.cases.models import Category
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid, GridPost
from civicgrid.proactive import anomalies, hotspots, services
from civicgrid.proactive.models import HotspotCell, StandingProblem

DESCRIPTIONS = {
    "0102": [
        "{a}门口垃圾又堆起来了，好几天没人清，夏天味道很重",
        "{a}旁边绿化带里扔了好多生活垃圾，还有装修垃圾",
        "{a}垃圾桶满了溢出来，野猫翻得到处都是",
        "又是{a}，垃圾堆在路边，早上上班都绕着走",
    ],
    "0201": [
        "{a}墙上、电线杆上贴满了开锁、通下水道的小广告",
        "{a}刚清理过的小广告又贴上了，楼道门上也有",
        "{a}单元门口贴了很多办证小广告，影响美观",
        "{a}小广告又回来了，请彻底处理",
    ],
    "0101": [
        "{a}楼道里堆了旧家具和纸箱，挡住消防通道",
        "{a}楼梯转角堆放杂物，老人上下楼不方便",
        "{a}楼道堆物又多了，请居委来看看",
    ],
}


def _point(grid):
    if grid.centroid_lon is not None and grid.centroid_lat is not None:
        return grid.centroid_lon, grid.centroid_lat
    centre = shape(grid.geometry).representative_point()
    return centre.x, centre.y


def _worker():
    """The demo grid worker (or any posted grid worker) and their micro-grid."""
    today = timezone.localdate()
    posts = GridPost.objects.filter(
        staff__user__role=Role.GRID_WORKER, staff__user__is_active=True, start_date__lte=today
    ).exclude(end_date__lt=today)
    post = posts.filter(staff__user__username="gridworker").first() or posts.order_by("pk").first()
    if post is None:
        return None, None
    return post.staff.user, post.micro_grid


def _neighbour(micro):
    """A micro-grid of the same 居村 next to `micro` (else any other)."""
    others = Grid.objects.filter(level=GridLevel.MICRO_GRID, geometry__isnull=False).exclude(
        pk=micro.pk
    )
    here = shape(micro.geometry)
    for other in others.filter(parent_id=micro.parent_id).order_by("code"):
        if shape(other.geometry).distance(here) < 1e-6:
            return other
    return others.order_by("code").first()


def build_demo_proactive(*, seed: int = 2023, now=None) -> dict:
    """Write the demo's 主动治理 (module docstring); returns its figures."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    worker, micro = _worker()
    operator = User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("pk").first()
    staff = (
        User.objects.filter(role=Role.COMMUNITY_STAFF, community_id=micro.parent_id).first()
        if micro
        else None
    )
    categories = {
        c.code: c for c in Category.objects.filter(family="event", code__in=["0102", "0201"])
    }
    clutter = Category.objects.filter(family="community", code="0101").first()
    if None in (worker, micro, operator, clutter) or len(categories) < 2:
        return {}
    groups = list(micro.children.filter(level=GridLevel.BUILDING_GROUP).order_by("code")[:2])
    neighbour = _neighbour(micro)
    next_groups = list(
        neighbour.children.filter(level=GridLevel.BUILDING_GROUP).order_by("code")[:1]
    )
    if len(groups) < 2 or not next_groups:
        return {}
    leader = services.assignable_workers(micro).exclude(pk=worker.pk).first() or worker
    keeper = staff or operator

    def report(days, category, group, i, *, when=None):
        lon, lat = _point(group)
        texts = DESCRIPTIONS[category.code]
        return cases.do_report(
            user=operator,
            category=category,
            description=texts[(i + seed) % len(texts)].format(a=group.name),
            source="resident",
            lon=lon,
            lat=lat,
            address=group.name,
            reporter_name="居民",
            reporter_phone=f"1391234{5600 + i:04d}",
            now=when or now - datetime.timedelta(days=days),
        ).case

    def ago(days):
        return now - datetime.timedelta(days=days)

    garbage, posters = categories["0102"], categories["0201"]
    with notifications.muted(inbox=True), transaction.atomic():
        # 小广告 at building group 2: three reports 40–30 days ago, detected, planned, closed.
        for i, days in enumerate((40, 36, 31)):
            report(days, posters, groups[1], i)
        services.do_detect(now=ago(30))
        posters_item = StandingProblem.objects.get(category=posters, micro_grid=micro)
        services.do_plan(
            posters_item,
            keeper,
            owner=worker,
            plan="联合城管中队清理小广告，楼道门口张贴提示，组织志愿者每周巡查",
            now=ago(29),
        )
        services.do_close(
            posters_item, keeper, note="墙面已清洗粉刷，志愿者每周巡查一次", now=ago(15)
        )
        # 暴露垃圾 at building group 1, 楼道堆物 next door, and 小广告 back (返潮).
        for i, days in enumerate((25, 17, 9, 3)):
            report(days, garbage, groups[0], 10 + i)
        for i, days in enumerate((20, 12, 6)):
            report(days, clutter, next_groups[0], 20 + i)
        report(5, posters, groups[1], 30)
        # Yesterday: four 暴露垃圾 reports in the morning (an anomaly against quiet weeks).
        yesterday = timezone.localdate(now) - datetime.timedelta(days=1)
        morning = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(8)))
        for i in range(4):
            report(1, garbage, groups[i % 2], 40 + i, when=morning + datetime.timedelta(hours=i))
        services.do_detect(now=now)
        # On a small street the demo's own cases may make a second 暴露垃圾 item in this
        # micro-grid (at another building group): plan the one the reports above gathered.
        items = StandingProblem.objects.filter(category=garbage, micro_grid=micro)
        garbage_item = items.filter(building_group=groups[0]).first() or items.order_by("pk")[0]
        services.do_plan(
            garbage_item,
            keeper,
            owner=leader,
            plan="与物业协商增设垃圾箱房，清运改为每日两次，网格员每日巡查",
            now=now - datetime.timedelta(hours=2),
        )
        cells = hotspots.compute(yesterday)
        warned = anomalies.do_detect_anomalies(yesterday, now=now - datetime.timedelta(hours=3))
        hot = HotspotCell.objects.filter(
            period_end=yesterday, category__isnull=True, is_hot=True, micro_grid=micro
        ).first()
        tasks = 0
        if hot is not None:
            task = services.do_create_task(
                keeper,
                hotspot=hot,
                category=garbage,
                assignee=worker,
                look_for="垃圾箱房周边是否有垃圾散落、乱倒装修垃圾",
                now=now - datetime.timedelta(hours=2),
            )
            services.do_record_finding(
                task,
                worker,
                finding=f"{groups[0].name}垃圾箱房旁有装修垃圾约两袋，已告知物业清运",
                found_problem=True,
                now=now - datetime.timedelta(hours=1),
            )
            tasks += 1
        services.do_create_task(
            keeper,
            problem=garbage_item,
            assignee=worker,
            look_for="清运后是否再次堆放，记录堆放时间段",
            now=now - datetime.timedelta(minutes=30),
        )
        tasks += 1
    return {
        "items": StandingProblem.objects.count(),
        "hotspot_cells": cells,
        "hot": HotspotCell.objects.filter(
            period_end=yesterday, category__isnull=True, is_hot=True
        ).count(),
        "anomalies": len(warned),
        "tasks": tasks,
    }
