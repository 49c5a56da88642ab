"""The demo street's 全国文明城区 campaign (创建/创评, seed 003) and its 无违建 register (seeds 001, 000).

Seed 003: "五大行动" (城区环境提升, 背街小巷整治, 小区环境提升, 文明实践志愿服务, 交通秩序整治),
"周周有行动，一周一个样，每月大变样", "有督查就有情况反馈，有督查就有处理结果". The campaign runs
twelve weeks up to this one with 300 checkpoints (小区, 背街小巷, 集贸市场, 公园, 商场, 学校门口,
公益广告点位) spread over the street's micro-grids, the 测评体系 per kind, the five actions with
their weekly plans (done for the weeks past, some still open this week), and twelve weekly
督查 rounds by the 居委 staff and the demo grid worker.

What was chosen to stay within the demo's time budget (about a second on SQLite):
- each round samples 40 checkpoints, as real 督查 does, and re-checks by itself every
  checkpoint that failed an item in its latest inspection (campaigns.services.do_plan_round);
- each item fails with a chance that falls week by week (and an item fixed after a failure
  rarely fails again), so the share passing rises from about 70% to about 95%;
- rounds 1–9 are taken in as past rounds from the paper sheets (`do_inspect_many(…,
  open_cases=False)`: results and re-check links, no cases — those findings were followed up on
  paper); rounds 10–12 go through the live path: every failure opens a 督查 case for the
  checkpoint's owner, or carries on the still-open case of the last failure;
- round 12 is this week's and still open: the demo grid worker has checkpoints left to score on
  the phone (/campaigns/m/).
The 无违建 register: structures per 居村 in every state; the first 居村 has passed its 复评, the
second is 已创建, the others are 创建中.

Everything goes through civicgrid.campaigns.services; the same seed gives the same campaign.
"""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from civicgrid.campaigns import services
from civicgrid.campaigns.choices import StructureState
from civicgrid.campaigns.models import Assignment
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid

WEEKS = 12
SAMPLE = 40
LIVE_ROUNDS = 3  # the last three rounds open cases; the earlier ones come from paper sheets
KINDS = {
    # kind: (how many, owner kind, checklist)
    "estate": (
        120,
        "property",
        ["环境卫生整洁", "楼道无堆物", "垃圾分类规范", "非机动车停放有序", "公益广告张贴"],
    ),
    "back_lane": (60, "community", ["路面整洁", "无乱设摊", "无乱张贴", "车辆停放有序"]),
    "market": (8, "unit", ["场内环境整洁", "明码标价", "公益广告", "垃圾分类规范"]),
    "park": (12, "department", ["绿化养护", "设施完好", "文明游园提示", "公厕整洁"]),
    "mall": (10, "unit", ["门责区域整洁", "无障碍设施", "公益广告", "禁烟标识"]),
    "school_gate": (20, "unit", ["护学岗到位", "交通秩序", "周边无摊贩"]),
    "ad_point": (70, "community", ["画面完好", "内容规范", "无遮挡"]),
}
NAMES = {
    "estate": "小区",
    "back_lane": "弄",
    "market": "菜市场",
    "park": "公园",
    "mall": "商场",
    "school_gate": "学校门口",
    "ad_point": "公益广告点位",
}
ACTIONS = (
    ("城区环境提升", "城建中心"),
    ("背街小巷整治", "城管中队"),
    ("小区环境提升", "房管办"),
    ("文明实践志愿服务", "文明办"),
    ("交通秩序整治", "派出所"),
)
PLAN_TEXT = {
    "城区环境提升": ("主干道沿线立面清洗、补种绿化", "康桥路沿线"),
    "背街小巷整治": ("清理占道设摊、乱张贴", "秀浦路、沪南路支弄"),
    "小区环境提升": ("楼道堆物清理、非机动车规范停放", "各居民小区"),
    "文明实践志愿服务": ("文明引导志愿服务", "地铁站口、菜市场"),
    "交通秩序整治": ("交通文明岗上岗", "学校门口、主要路口"),
}
STRUCTURES = (
    ("屋顶违章搭建", 35),
    ("天井搭建阳光房", 18),
    ("底层违规扩建", 26),
    ("沿街违章棚架", 12),
)


def _monday(day):
    return day - datetime.timedelta(days=day.weekday())


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _fail_chance(week: int) -> float:
    """Chance an item fails in week 1..WEEKS: from 25% down to 3%."""
    return 0.25 - 0.22 * (week - 1) / (WEEKS - 1)


def build_demo_campaigns(seed: int = 1, today=None, now=None) -> Counter:
    rng = random.Random(seed)
    # This week's round is under way: what falls after `now` (loaded on a Monday night, all of
    # it) is still to come, never written as done.
    now = now or (_at(today, 23, 59) if today else timezone.now())
    today = today or timezone.localdate(now)
    counts = Counter()
    micro = list(
        Grid.objects.filter(level=GridLevel.MICRO_GRID, centroid_lon__isnull=False)
        .select_related("parent")
        .order_by("code")
    )
    communities = list(Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code"))
    # The 居委 staff logins and the demo grid worker inspect (who may: accounts.policy).
    inspectors = sorted(
        (
            u
            for u in services.eligible_inspectors()
            if u.community_id is not None or u.username == "gridworker"
        ),
        key=lambda u: u.username,
    )
    if not micro or not communities or not inspectors:
        return counts
    first_week = _monday(today) - datetime.timedelta(weeks=WEEKS - 1)
    with transaction.atomic():
        campaign = services.do_save_campaign(
            None,
            name=f"{today.year}年全国文明城区创评",
            level="national",
            starts_on=first_week,
            ends_on=_monday(today) + datetime.timedelta(weeks=12),
            review_on=_monday(today) + datetime.timedelta(weeks=4, days=2),
            re_review_on=_monday(today) + datetime.timedelta(weeks=11, days=2),
            target_percent=90,
        )
        items = {}
        for kind, (_n, _owner, names) in KINDS.items():
            items[kind] = [
                services.do_save_item(None, campaign, kind=kind, name=name, order=i)
                for i, name in enumerate(names, start=1)
            ]
        actions = [
            services.do_save_action(None, campaign, name=name, owner=owner, order=i)
            for i, (name, owner) in enumerate(ACTIONS, start=1)
        ]
        rows = []
        for kind, (n, owner_kind, _names) in KINDS.items():
            for i in range(1, n + 1):
                grid = micro[(i * 7 + len(rows)) % len(micro)]
                community = grid.parent if grid.parent.level == GridLevel.COMMUNITY else None
                community = community or communities[0]
                owner = {
                    "property": f"{community.name}物业",
                    "community": community.name,
                    "unit": f"{community.name}{NAMES[kind]}{i}管理方",
                    "department": "绿化市容所",
                }[owner_kind]
                rows.append(
                    {
                        "kind": kind,
                        "name": f"{community.name}{NAMES[kind]}{i:03d}",
                        "address": f"{community.name}辖区{NAMES[kind]}{i}",
                        "lon": round(grid.centroid_lon + rng.uniform(-0.0004, 0.0004), 6),
                        "lat": round(grid.centroid_lat + rng.uniform(-0.0004, 0.0004), 6),
                        "community": community.pk,
                        "owner_kind": owner_kind,
                        "owner_name": owner,
                    }
                )
        checkpoints = services.do_add_checkpoints_many(None, campaign, rows)
        counts["checkpoints"] = len(checkpoints)
        by_id = {c.pk: c for c in checkpoints}
        demo_worker = next((u for u in inspectors if u.username == "gridworker"), None)
        fixed_once = set()  # (checkpoint, item) fixed after a failure: rarely fails again
        for week in range(1, WEEKS + 1):
            monday = first_week + datetime.timedelta(weeks=week - 1)
            sample = rng.sample(checkpoints, SAMPLE)
            pairs = [(c.pk, rng.choice(inspectors).pk) for c in sample]
            if demo_worker is not None:
                pairs[:6] = [(c, demo_worker.pk) for c, _i in pairs[:6]]
            round_ = services.do_plan_round(
                None, campaign, starts_on=monday, assignments=pairs, now=min(_at(monday, 9), now)
            )
            counts["rounds"] += 1
            previous = services.previous_failures(
                list(Assignment.objects.filter(round=round_).values_list("checkpoint", flat=True))
            )
            assignments = list(Assignment.objects.filter(round=round_).order_by("pk"))
            current = week == WEEKS
            entries = []
            for n, a in enumerate(assignments):
                if current and a.inspector_id == getattr(demo_worker, "pk", None) and n % 2:
                    continue  # left for the demo grid worker to score this week
                if current and n % 3 == 0:
                    continue  # this week's round is still going on
                checkpoint = by_id[a.checkpoint_id]
                failed_before = previous.get(a.checkpoint_id, {})
                results = {}
                for item in items[checkpoint.kind]:
                    chance = _fail_chance(week)
                    if item.pk in failed_before:
                        chance = 0.35  # fixed by the re-check most of the time
                    elif (a.checkpoint_id, item.pk) in fixed_once:
                        chance /= 3
                    if rng.random() < chance:
                        results[item.pk] = {"passed": False, "note": f"{item.name}不达标"}
                    else:
                        results[item.pk] = {"passed": True}
                        if item.pk in failed_before:
                            fixed_once.add((a.checkpoint_id, item.pk))
                inspected_at = _at(monday, 9 + n % 8, (n * 7) % 60) + datetime.timedelta(days=n % 4)
                if inspected_at <= now:
                    entries.append(
                        {"assignment": a, "results": results, "inspected_at": inspected_at}
                    )
            live = week > WEEKS - LIVE_ROUNDS
            if entries:
                services.do_inspect_many(None, entries, open_cases=live)
            counts["inspections"] += len(entries)
            if not current:
                services.do_close_round(None, round_, now=_at(monday + datetime.timedelta(6), 18))
            for action in actions:
                what, where = PLAN_TEXT[action.name]
                plan = services.do_plan_week(
                    None, action, week_start=monday, what=what, where=where, who=action.owner
                )
                done_at = _at(monday + datetime.timedelta(4), 17)
                if (not current or rng.random() < 0.4) and done_at <= now:
                    services.do_mark_plan_done(None, plan, note="已完成", now=done_at)
                counts["plans"] += 1
        _build_register(rng, communities, today, counts)
    return counts


def _build_register(rng, communities, today, counts):
    """违法建筑 per 居村 in every state; the first 居村 passed its 复评, the second is 已创建."""
    for index, community in enumerate(communities):
        done = index < 2
        for n in range(rng.randint(2, 5)):
            text, area = STRUCTURES[(index + n) % len(STRUCTURES)]
            found = today - datetime.timedelta(days=rng.randint(30, 400))
            structure = services.do_register_structure(
                None,
                community=community,
                address=f"{community.name}{rng.randint(1, 120)}号",
                description=text,
                area_m2=area + rng.randint(0, 20),
                found_on=found,
                now=_at(found, 10),
            )
            counts["structures"] += 1
            steps = 4 if done else rng.randint(0, 4)
            path = [
                StructureState.NOTIFIED,
                rng.choice([StructureState.DEMOLISHED, StructureState.RECTIFIED]),
                StructureState.VERIFIED,
            ][: max(steps - 1, 0)]
            for k, state in enumerate(path, start=1):
                services.do_move_structure(
                    None, structure, to_state=state, now=_at(found + datetime.timedelta(k * 7), 10)
                )
        if done:
            services.do_set_creation_status(None, community, status="created")
            if index == 0:
                services.do_set_creation_status(None, community, status="passed_review")
