"""Scoring, readiness and the round → case → re-check loop with known figures; bad input refused
with nothing saved; the 无违建 register."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.campaigns import services
from civicgrid.campaigns.models import (
    Assignment,
    CreationEvent,
    Inspection,
    InspectionResult,
    StructureEvent,
)
from civicgrid.campaigns.tests.conftest import all_pass, failing
from civicgrid.cases.choices import CaseSource, CaseStatus
from civicgrid.cases.models import Case
from civicgrid.testing.cases import walk_to

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def plan(campaign, users, pairs, starts_on=MONDAY):
    return services.do_plan_round(
        users["operator"], campaign, starts_on=starts_on, assignments=pairs
    )


def assignment(round_, checkpoint):
    return Assignment.objects.get(round=round_, checkpoint=checkpoint)


def first_round(world, users):
    c, (a, b, cc, d) = world["campaign"], world["checkpoints"]
    estate, lane = world["items"]["estate"], world["items"]["back_lane"]
    worker, worker2 = users["worker"], users["worker2"]
    r1 = plan(c, users, [(a, worker), (b, worker), (cc, worker2), (d, worker)])
    services.do_inspect(worker, assignment(r1, a), results=failing(estate, "楼道无堆物"))
    services.do_inspect(worker, assignment(r1, b), results=all_pass(estate))
    services.do_inspect(
        worker2,
        assignment(r1, cc),
        results=failing(estate, "垃圾分类规范", "公益广告张贴", note="桶边脏乱"),
    )
    services.do_inspect(
        worker, assignment(r1, d), results=failing(lane, "无乱设摊", note="早市占道")
    )
    return r1


def test_scoring_and_readiness_of_a_round(campaign, users):
    first_round(campaign, users)
    c = campaign["campaign"]
    scores = {i.checkpoint.name: (i.passed_count, i.item_count) for i in Inspection.objects.all()}
    assert scores == {
        "A 康桥半岛": (2, 3),
        "B 秀沿小区": (3, 3),
        "C 康花新村": (1, 3),
        "D 秀浦路": (1, 2),
    }
    ready = services.readiness(c)
    assert ready["percent"] == 63.6  # 7 of 11 items
    assert (ready["checkpoints"], ready["inspected"], ready["ready"]) == (4, 4, 1)
    assert [row["name"] for row in ready["below"]] == ["C 康花新村", "D 秀浦路", "A 康桥半岛"]
    by_kind = {row["kind"]: (row["passed"], row["total"], row["ready"]) for row in ready["by_kind"]}
    assert by_kind == {"estate": (6, 9, 1), "back_lane": (1, 2, 0)}
    by_item = {row["item__name"]: (row["passed"], row["total"]) for row in ready["items"]}
    assert by_item["垃圾分类规范"] == (2, 3)
    assert by_item["无乱设摊"] == (0, 1)
    on_map = {
        f["properties"]["label"].split("（")[0]: f["properties"]["ready"]
        for f in services.checkpoint_map(c)["features"]
    }
    assert on_map == {
        "A 康桥半岛": False,
        "B 秀沿小区": True,
        "C 康花新村": False,
        "D 秀浦路": False,
    }
    # A community's staff see their 居村's checkpoints only (A, B, D).
    mine = services.readiness(c, users["staff"])
    assert mine["checkpoints"] == 3 and mine["percent"] == 75.0  # 6 of 8


def test_every_failed_item_becomes_a_supervision_case_for_the_owner(campaign, users):
    first_round(campaign, users)
    failed = InspectionResult.objects.filter(passed=False).select_related("case__category")
    assert failed.count() == 4
    assert all(r.case is not None for r in failed)
    assert {r.case.source for r in failed} == {CaseSource.SUPERVISION}
    assert {r.case.category.name for r in failed} == {"文明创建督查问题"}
    lane = failed.get(item__name="无乱设摊").case
    assert "D 秀浦路" in lane.description and "城管中队" in lane.description
    assert "早市占道" in lane.description
    assert lane.micro_grid_id is not None  # located from the checkpoint's point
    assert Case.objects.count() == 4


def test_round_case_recheck_loop(campaign, users, departments, clock):
    r1 = first_round(campaign, users)
    c, (a, b, cc, d) = campaign["campaign"], campaign["checkpoints"]
    estate, lane = campaign["items"]["estate"], campaign["items"]["back_lane"]
    # A's owner fixed the 楼道: its case is handled and closed before the next round.
    a_case = InspectionResult.objects.get(inspection__checkpoint=a, passed=False).case
    walk_to(a_case, "closed", users, department=departments["cg"])
    with pytest.raises(ValidationError) as refused:
        plan(c, users, [(b, users["worker"])], starts_on=MONDAY + datetime.timedelta(days=7))
    assert "上一轮督查尚未结束" in str(refused.value)
    services.do_close_round(users["operator"], r1)
    clock.advance(days=7)
    # Only B is named: A, C and D come back by themselves as 复查, to who inspected them.
    r2 = plan(c, users, [(b, users["worker"])], starts_on=MONDAY + datetime.timedelta(days=7))
    given = {x.checkpoint.name: (x.inspector.username, x.is_recheck) for x in r2.assignments.all()}
    assert given == {
        "A 康桥半岛": ("worker", True),
        "B 秀沿小区": ("worker", False),
        "C 康花新村": ("worker2", True),
        "D 秀浦路": ("worker", True),
    }
    services.do_inspect(users["worker"], assignment(r2, a), results=all_pass(estate))
    services.do_inspect(users["worker"], assignment(r2, b), results=all_pass(estate))
    services.do_inspect(
        users["worker2"], assignment(r2, cc), results=failing(estate, "垃圾分类规范", note="仍脏乱")
    )
    services.do_inspect(users["worker"], assignment(r2, d), results=failing(lane, "无乱设摊"))
    # Still-open cases carry on; no new case for a failure already being handled.
    assert Case.objects.count() == 4
    c_results = InspectionResult.objects.filter(
        inspection__checkpoint=cc, item__name="垃圾分类规范"
    ).order_by("inspection__round__number")
    assert c_results[1].recheck_of == c_results[0]
    assert c_results[1].case_id == c_results[0].case_id
    a_recheck = InspectionResult.objects.get(
        inspection__round=r2, inspection__checkpoint=a, item__name="楼道无堆物"
    )
    assert a_recheck.passed and a_recheck.recheck_of.case_id == a_case.pk
    assert [row["percent"] for row in services.trend(c)] == [63.6, 81.8]
    assert services.loop_figures(c) == {
        "failures": 6,
        "cases": 4,
        "rechecked": 4,
        "fixed": 2,
        "open_cases": 3,
    }
    repeats = {(r["name"], r["item"], r["times"]) for r in services.repeat_failures(c)}
    assert repeats == {("C 康花新村", "垃圾分类规范", 2), ("D 秀浦路", "无乱设摊", 2)}
    # A fails again after its case was closed: that is a new case.
    services.do_close_round(users["operator"], r2)
    r3 = plan(c, users, [(a, users["worker"])], starts_on=MONDAY + datetime.timedelta(days=14))
    services.do_inspect(users["worker"], assignment(r3, a), results=failing(estate, "楼道无堆物"))
    assert Case.objects.count() == 5
    assert Case.objects.get(pk=a_case.pk).status == CaseStatus.CLOSED
    report = services.report(c, today=datetime.date(2026, 12, 10))
    assert report["days_left"] == 10 and report["assessment_on"] == datetime.date(2026, 12, 20)


def test_bad_inspections_are_refused_with_nothing_saved(campaign, users):
    c, (a, _b, cc, _d) = campaign["campaign"], campaign["checkpoints"]
    estate = campaign["items"]["estate"]
    r1 = plan(c, users, [(a, users["worker"]), (cc, users["worker2"])])
    mine = assignment(r1, a)
    partial = failing(estate, "楼道无堆物")
    partial.pop(estate[2].pk)
    with pytest.raises(ValidationError) as missing:
        services.do_inspect(users["worker"], mine, results=partial)
    assert "尚未评分：公益广告张贴" in str(missing.value)
    with pytest.raises(ValidationError) as no_note:
        services.do_inspect(users["worker"], mine, results=failing(estate, "楼道无堆物", note=""))
    assert "不合格，请说明情况" in str(no_note.value)
    with pytest.raises(ValidationError):
        services.do_inspect(users["worker"], mine, results={estate[0].pk: {"passed": "yes"}})
    with pytest.raises(ValidationError) as foreign:
        services.do_inspect(
            users["worker"],
            mine,
            results={**all_pass(estate), campaign["items"]["back_lane"][0].pk: True},
        )
    assert "不属于该类点位" in str(foreign.value)
    with pytest.raises(PermissionDenied):
        services.do_inspect(users["worker"], assignment(r1, cc), results=all_pass(estate))
    with pytest.raises(PermissionDenied):
        services.do_inspect(users["leader"], mine, results=all_pass(estate))
    assert Inspection.objects.count() == 0 and Case.objects.count() == 0
    services.do_inspect(users["worker"], mine, results=all_pass(estate))
    with pytest.raises(ValidationError) as twice:
        services.do_inspect(users["worker"], mine, results=all_pass(estate))
    assert "本轮已督查" in str(twice.value)
    services.do_close_round(users["operator"], r1)
    with pytest.raises(ValidationError) as closed:
        services.do_inspect(users["worker2"], assignment(r1, cc), results=all_pass(estate))
    assert "该轮督查已结束" in str(closed.value)
    assert Inspection.objects.count() == 1
    with pytest.raises(ValueError):
        Inspection.objects.update(note="x")


def test_bad_rounds_are_refused(campaign, users):
    c, a = campaign["campaign"], campaign["checkpoints"][0]
    with pytest.raises(ValidationError):
        plan(c, users, [])
    with pytest.raises(ValidationError):
        plan(c, users, [(a, users["worker"]), (a, users["worker2"])])
    with pytest.raises(ValidationError) as outside:
        plan(c, users, [(a, users["worker"])], starts_on=datetime.date(2027, 6, 1))
    assert "创建活动期间" in str(outside.value)
    with pytest.raises(ValidationError) as who:
        plan(c, users, [(a, users["resident"])])
    assert "督查人" in str(who.value)
    with pytest.raises(PermissionDenied):
        services.do_plan_round(
            users["staff"], c, starts_on=MONDAY, assignments=[(a, users["worker"])]
        )
    assert c.rounds.count() == 0


def test_weekly_plans(campaign, users, clock):
    c = campaign["campaign"]
    action = services.do_save_action(None, c, name="背街小巷整治", owner="城管中队")
    with pytest.raises(ValidationError) as not_monday:
        services.do_plan_week(
            users["staff"],
            action,
            week_start=MONDAY + datetime.timedelta(days=1),
            what="清理",
            where="秀浦路",
            who="李强",
        )
    assert "星期一" in str(not_monday.value)
    plan_ = services.do_plan_week(
        users["staff"], action, week_start=MONDAY, what="清理占道", where="秀浦路", who="李强"
    )
    services.do_mark_plan_done(users["staff"], plan_, note="已清理")
    with pytest.raises(ValidationError):
        services.do_mark_plan_done(users["staff"], plan_)
    assert services.report(c, today=MONDAY)["plans"] == {"n": 1, "done": 1}


def test_illegal_structures_and_creation_status(users, tree, clock):
    community = tree["communities"][0]
    with pytest.raises(ValidationError) as bad_area:
        services.do_register_structure(
            users["staff"],
            community=community,
            address="秀沿路1弄5号",
            description="屋顶搭建",
            area_m2="-3",
            found_on="2026-11-01",
        )
    assert "面积" in str(bad_area.value)
    with pytest.raises(PermissionDenied):
        services.do_register_structure(
            users["staff2"],
            community=community,
            address="秀沿路1弄5号",
            description="屋顶搭建",
            area_m2="12",
            found_on="2026-11-01",
        )
    s = services.do_register_structure(
        users["staff"],
        community=community,
        address="秀沿路1弄5号",
        description="屋顶搭建",
        area_m2="12.5",
        found_on="2026-11-01",
    )
    with pytest.raises(ValidationError):
        services.do_move_structure(users["staff"], s, to_state="demolished")
    with pytest.raises(ValidationError) as pending:
        services.do_set_creation_status(users["staff"], community, status="created")
    assert "尚有1处违法建筑未复核" in str(pending.value)
    for state in ("notified", "demolished", "verified"):
        services.do_move_structure(users["staff"], s, to_state=state)
    services.do_set_creation_status(users["staff"], community, status="created")
    creation = services.do_set_creation_status(users["staff"], community, status="passed_review")
    assert creation.get_status_display() == "复评通过"
    assert StructureEvent.objects.filter(structure=s).count() == 4
    assert CreationEvent.objects.count() == 2
    figures = services.structure_figures(users["staff"])
    assert [(r["name"], r["n"], r["open"], r["status"]) for r in figures] == [
        (community.name, 1, 0, "复评通过")
    ]
    assert services.structure_figures(users["staff2"]) == []
