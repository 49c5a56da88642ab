"""The demo street's flood duty (防汛, seeds 003 and 001): "29个易积水小区" with their works
("强排泵改造、‘小包围’改造", drains) and the people to call, the street's and three 居村's flood
stores, a plan per kind of emergency (防汛, 防台, 火灾, 燃气) with its levels, a past typhoon
response at level III replayed (raised at IV, raised to III, patrols and pre-positioning done,
flooded points reported and their 积水 cases handled and closed, pumps run, people moved, then
lifted), and two drills ("应急演练": a flood drill whose findings became a task and a case, a gas
drill).

Everything goes through emergency.services (and cases.services for the 积水 cases' loop), with
`now` set to the replayed moments."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.cases import services as cases
from civicgrid.emergency import services
from civicgrid.emergency.choices import TaskKind, TaskState, WorkKind
from civicgrid.emergency.models import FloodPoint, FloodWork, Store, Task
from civicgrid.estates.models import Estate
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid

FLOOD_PRONE_ESTATES = 29  # seed 003: "29个易积水小区"
REPLAY_DAYS_AGO = 75
FLOODED_POINTS = 6
SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱马胡郭林何高罗"
PLANS = {
    "flood": (
        "街道防汛应急预案",
        "汛期（6月1日至9月30日）实行24小时值班和领导带班；易积水小区落实一点一策，强排泵专人值守。",
        # level, patrol risk, every minutes, sandbags, pumps, instructions
        [
            ("4", "1", 180, 0, 0, "值班长在岗，关注气象预警"),
            ("3", "1", 120, 20, 1, "带班领导到岗，高风险点位预置物资"),
            ("2", "2", 60, 30, 1, "街道领导带班，中高风险点位每小时巡查"),
            ("1", "3", 30, 50, 2, "全员上岗，所有点位每半小时巡查"),
        ],
    ),
    "typhoon": (
        "街道防台应急预案",
        "台风来临前加固广告牌、树木和临时建筑；危旧房屋和工地人员提前转移。",
        [
            ("4", "1", 180, 0, 0, "值班长在岗，发布防台提示"),
            ("3", "1", 120, 30, 0, "带班领导到岗，高风险点位预置沙袋"),
            ("2", "2", 60, 40, 1, "街道领导带班，危旧房屋人员转移"),
            ("1", "3", 30, 50, 2, "全员上岗，停止户外作业"),
        ],
    ),
    "fire": (
        "街道火灾事故应急预案",
        "接警后3分钟内通知消防救援站和微型消防站；组织疏散，封控周边。",
        [("4", "1", 120, 0, 0, "微型消防站待命"), ("1", "1", 30, 0, 0, "全员疏散")],
    ),
    "gas": (
        "街道燃气泄漏应急预案",
        "接报后通知燃气公司抢修，关闭总阀，疏散楼内居民，严禁明火。",
        [("4", "1", 120, 0, 0, "燃气公司到场"), ("1", "1", 30, 0, 0, "疏散周边居民")],
    ),
}


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(["先生", "女士", "经理", "主任"])


def _phone(rng) -> str:
    return "139" + "".join(rng.choice("0123456789") for _ in range(8))


def _points(rng, now) -> list:
    estates = list(
        Estate.objects.filter(micro_grids__isnull=False)
        .select_related("community")
        .distinct()
        .order_by("pk")
    )
    if not estates:
        return []
    # The towns' estates first (the seed's 易积水小区), then villages' groups if too few.
    town = [e for e in estates if not e.community.name.endswith("村")]
    village = [e for e in estates if e.community.name.endswith("村")]
    chosen = rng.sample(town, min(FLOOD_PRONE_ESTATES, len(town)))
    chosen += rng.sample(village, min(FLOOD_PRONE_ESTATES - len(chosen), len(village)))
    chosen.sort(key=lambda e: e.pk)
    points = []
    for i, estate in enumerate(chosen):
        micro = estate.micro_grids.order_by("pk").first()
        # About a third high risk, the rest medium, a few low.
        risk = "1" if i % 3 == 0 else ("3" if i % 7 == 6 else "2")
        point = services.do_save_point(
            None,
            name=estate.name,
            kind="other" if estate.community.name.endswith("村") else "estate",
            estate=estate,
            micro_grid=micro,
            risk=risk,
            households=rng.randint(80, 900),
            note=rng.choice(["地势低洼", "雨水管网老旧", "临近河道", "地下车库入口易倒灌"]),
            now=now,
        )
        points.append(point)
        # 强排泵改造 on two points in three, 小包围 on half, the drains everywhere.
        if i % 3 != 2:
            state = "ready" if i % 10 != 4 else "faulty"
            services.do_add_work(
                None,
                point,
                kind="pump",
                name=f"{estate.name}强排泵站",
                state=state,
                capacity=rng.choice([400, 600, 800, 1200]),
                now=now,
            )
        if i % 2 == 0:
            services.do_add_work(
                None,
                point,
                kind="enclosure",
                name=f"{estate.name}小包围",
                state=rng.choice(["ready", "ready", "building", "planned"]),
                now=now,
            )
        services.do_add_work(
            None,
            point,
            kind="drainage",
            name=f"{estate.name}雨水管网",
            state=rng.choice(["ready", "ready", "ready", "planned"]),
            now=now,
        )
        services.do_add_contact(None, point, name=_name(rng), title="物业经理", phone=_phone(rng))
        services.do_add_contact(
            None, point, name=_name(rng), title="居委防汛负责人", phone=_phone(rng)
        )
    return points


def _stores(now) -> Store:
    street = services.do_save_store(None, name="街道防汛物资仓库", address="秀沿路1号")
    services.do_move_stock(None, street, supply="sandbag", change=3000, reason="年度储备", now=now)
    services.do_move_stock(None, street, supply="pump", change=12, reason="年度储备", now=now)
    services.do_move_stock(None, street, supply="board", change=200, reason="年度储备", now=now)
    communities = Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code")[:3]
    for community in communities:
        store = services.do_save_store(
            None, name=f"{community.name}防汛物资点", community=community
        )
        services.do_move_stock(
            None, store, supply="sandbag", change=300, reason="年度储备", now=now
        )
    return street


def _walk_case(case, operator, at):
    """A 积水 case of the replay filed, sent to the grid, handled and closed within the hour (left
    as reported on a street whose grid has nobody posted)."""
    worker = _grid_worker(case)
    if worker is None:
        return
    cases.do_file(case, operator, now=at + datetime.timedelta(minutes=2))
    cases.do_dispatch(case, operator, to_grid=True, now=at + datetime.timedelta(minutes=4))
    cases.do_accept(case, worker, now=at + datetime.timedelta(minutes=6))
    cases.do_handle(
        case, worker, result="已开泵排水，积水退去", now=at + datetime.timedelta(minutes=55)
    )
    cases.do_verify_pass(case, operator, now=at + datetime.timedelta(minutes=80))


def _replay_typhoon(rng, points, street_store, operator, chief, now) -> dict:
    """A past typhoon: raised at IV the evening before, III overnight, lifted next afternoon."""
    day = timezone.localtime(now - datetime.timedelta(days=REPLAY_DAYS_AGO)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    raised = services.do_raise(
        operator, kind="typhoon", level="4", reason="台风“烟花”蓝色预警", now=day
    )
    response = raised.response
    at = day + datetime.timedelta(hours=3)
    services.do_change_level(chief, response, level="3", note="台风黄色预警，暴雨", now=at)
    tasks = list(
        Task.objects.filter(response=response, state=TaskState.OPEN)
        .select_related("point", "assignee")
        .order_by("pk")
    )
    for i, task in enumerate(tasks):
        done_at = at + datetime.timedelta(minutes=20 + 3 * i)
        services.do_complete_task(
            task.assignee,
            task,
            note="已巡查，无异常" if task.kind == TaskKind.PATROL else "已预置",
            store=street_store if task.kind == TaskKind.PREPOSITION else None,
            now=done_at,
        )
    by_point = {t.point_id: t.assignee for t in tasks}
    # Six flooded points: each report is a 积水 case walked through five steps of the loop.
    flooded = [p for p in points if p.pk in by_point][:FLOODED_POINTS]
    reports = 0
    for i, point in enumerate(flooded):
        seen = at + datetime.timedelta(hours=1, minutes=17 * i)
        worker = by_point[point.pk]
        report = services.do_report_flooding(
            worker,
            point,
            depth_cm=rng.choice([8, 12, 15, 20, 25, 30, 35, 45]),
            note=rng.choice(["小区主干道积水", "地下车库入口积水", "单元门口积水"]),
            now=seen,
        )
        _walk_case(report.case, operator, seen)
        reports += 1
        pump = FloodWork.objects.filter(point=point, kind=WorkKind.PUMP, state="ready").first()
        if pump is not None:
            services.do_switch_pump(
                worker, pump, running=True, now=seen + datetime.timedelta(minutes=8)
            )
            services.do_switch_pump(
                worker, pump, running=False, now=seen + datetime.timedelta(hours=5)
            )
    for point, people, shelter in flooded and (
        (flooded[0], 23, "社区文化活动中心"),
        (flooded[min(2, len(flooded) - 1)], 11, "秀沿小学体育馆"),
    ):
        services.do_record_evacuation(
            chief,
            response,
            point=point,
            people=people,
            shelter=shelter,
            now=at + datetime.timedelta(hours=2),
        )
    services.do_lift(
        chief, response, note="台风远离，解除响应", now=day + datetime.timedelta(hours=21)
    )
    return {"response": response, "reports": reports}


def _drills(rng, points, operator, now) -> int:
    workers = list(User.objects.filter(role=Role.GRID_WORKER, is_active=True).order_by("pk")[:8])
    if not workers or not points:
        return 0
    flood_day = timezone.localdate(now) - datetime.timedelta(days=REPLAY_DAYS_AGO + 40)
    drill = services.do_record_drill(
        operator,
        kind="flood",
        title="汛前防汛应急演练",
        held_on=flood_day,
        place=points[0].name,
        participants=workers[:6],
        others=18,
        summary="模拟暴雨积水：启动Ⅲ级响应、强排泵开泵、沙袋封堵车库入口、转移低洼住户。",
        findings=[
            {
                "text": "车库入口挡水板数量不足",
                "outcome": "task",
                "assignee": workers[0],
                "due_at": timezone.now() + datetime.timedelta(days=5),
            },
            {"text": "小区东侧雨水井堵塞", "outcome": "case", "point": points[1]},
        ],
        now=timezone.make_aware(datetime.datetime.combine(flood_day, datetime.time(15))),
    )
    case = drill.findings.get(outcome="case").case
    _walk_case(case, operator, case.reported_at)
    gas_day = timezone.localdate(now) - datetime.timedelta(days=20)
    services.do_record_drill(
        operator,
        kind="gas",
        title="老旧小区燃气泄漏应急演练",
        held_on=gas_day,
        place=points[-1].name,
        participants=workers[2:8],
        others=25,
        summary="模拟楼道燃气泄漏：关阀、疏散、燃气公司抢修到场用时18分钟。",
        now=timezone.make_aware(datetime.datetime.combine(gas_day, datetime.time(10))),
    )
    return 2


def _grid_worker(case):
    from civicgrid.messaging.messages import Recipient
    from civicgrid.messaging.recipients import staff_users

    return staff_users(Recipient(kind="grid", grid_id=case.micro_grid_id)).order_by("pk").first()


def build_demo_emergency(*, seed: int = 7, now=None) -> dict:
    """Builds flood duty; returns counts ({} when it exists already or nothing to build on)."""
    if FloodPoint.objects.exists():
        return {}
    operator = User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("pk").first()
    chief = User.objects.filter(role=Role.SHIFT_CHIEF, is_active=True).order_by("pk").first()
    if operator is None or chief is None:
        return {}
    rng = random.Random(f"{seed}:emergency")
    now = now or timezone.now()
    season = now - datetime.timedelta(days=REPLAY_DAYS_AGO + 60)
    with transaction.atomic():
        for kind, (title, summary, levels) in PLANS.items():
            plan = services.do_save_plan(None, kind=kind, title=title, summary=summary, now=season)
            for level, risk, every, sandbags, pumps, instructions in levels:
                services.do_set_level_plan(
                    None,
                    plan,
                    level=level,
                    patrol_risk=risk,
                    patrol_every_minutes=every,
                    sandbags_per_point=sandbags,
                    pumps_per_point=pumps,
                    instructions=instructions,
                )
        points = _points(rng, season)
        if not points:
            return {}
        street_store = _stores(season)
        drills = _drills(rng, points, operator, now)
        replay = _replay_typhoon(rng, points, street_store, operator, chief, now)
    return {"points": len(points), "drills": drills, "reports": replay["reports"]}
