"""The 巡块 plan: two rounds per working day for each responsibility area, done when the worker
finished a patrol of the area's micro-grid in the round's window, missed once the window is over;
coverage per worker, micro-grid and 居村; the worker's plan page and the summary page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.fieldwork import coverage, services
from civicgrid.fieldwork.models import PatrolArea
from civicgrid.testing.world import local
from civicgrid.workcalendar.services import is_workday

pytestmark = pytest.mark.django_db

MON = datetime.date(2026, 11, 23)
TUE = MON + datetime.timedelta(days=1)
WED = MON + datetime.timedelta(days=2)


def area(worker, micro_grid, groups=(), start=datetime.date(2026, 1, 1), end=None):
    return services.save_patrol_area(
        None,
        PatrolArea(worker=worker, micro_grid=micro_grid, start_date=start, end_date=end),
        groups,
    )


def walk(user, micro_grid, clock, *args, finish=True):
    clock.set(*args)
    patrol = services.start_patrol(user, micro_grid)
    if finish:
        clock.advance(minutes=40)
        services.finish_patrol(patrol, user)
    return patrol


def outcomes(rounds):
    return [(r.day, r.shift, r.outcome) for r in rounds]


def test_two_rounds_a_working_day_done_missed_and_pending(users, tree, clock):
    worker, micro = users["worker"], tree["micro_grids"][0]
    area(worker, micro)
    assert all(is_workday(d) for d in (MON, TUE, WED))
    walk(worker, micro, clock, 2026, 11, 23, 9, 0)  # Monday morning
    walk(worker, micro, clock, 2026, 11, 24, 14, 0)  # Tuesday afternoon
    walk(worker, micro, clock, 2026, 11, 25, 9, 30, finish=False)  # Wednesday: still walking
    clock.set(2026, 11, 25, 11, 0)

    rounds = coverage.plan(PatrolArea.objects.all(), MON, WED)

    assert outcomes(rounds) == [
        (MON, "morning", "done"),
        (MON, "afternoon", "missed"),
        (TUE, "morning", "missed"),
        (TUE, "afternoon", "done"),
        (WED, "morning", "pending"),  # the morning is not over and the round still runs
        (WED, "afternoon", "pending"),
    ]
    report = coverage.coverage(PatrolArea.objects.all(), MON, WED)
    assert report["total"] == {"done": 2, "missed": 2, "pending": 2, "rate": 0.5}
    assert [(r["name"], r["rate"]) for r in report["workers"]] == [("王秀英", 0.5)]
    assert [(r["name"], r["planned"]) for r in report["grids"]] == [(micro.name, 6)]
    assert [r["name"] for r in report["communities"]] == [tree["communities"][0].name]


def test_no_plan_on_days_off_and_a_plan_on_a_working_weekend(users, tree, clock):
    worker, micro = users["worker"], tree["micro_grids"][0]
    area(worker, micro)
    clock.set(2026, 12, 1, 9, 0)
    saturday, sunday = datetime.date(2026, 11, 28), datetime.date(2026, 11, 29)
    national_day = datetime.date(2026, 10, 1)
    assert not is_workday(saturday) and not is_workday(national_day)
    assert coverage.plan(PatrolArea.objects.all(), saturday, sunday) == []
    assert coverage.plan(PatrolArea.objects.all(), national_day, national_day) == []
    # 调休: a Saturday worked makes a plan of its own (2026's calendar has some).
    worked = next(
        d
        for d in (datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(365))
        if d.weekday() >= 5 and is_workday(d)
    )
    assert len(coverage.plan(PatrolArea.objects.all(), worked, worked)) == 2


def test_only_the_areas_worker_in_its_grid_and_within_its_period_counts(users, tree, clock):
    worker, micro = users["worker"], tree["micro_grids"][0]
    area(worker, micro, end=TUE)
    walk(users["colleague"], micro, clock, 2026, 11, 23, 9, 0)  # someone else walked it
    walk(users["worker2"], tree["micro_grids"][2], clock, 2026, 11, 23, 14, 0)
    clock.set(2026, 11, 26, 9, 0)
    rounds = coverage.plan(PatrolArea.objects.all(), MON, WED)
    # The area ended on Tuesday: Wednesday has no plan; nobody else's round counts for it.
    assert outcomes(rounds) == [
        (MON, "morning", "missed"),
        (MON, "afternoon", "missed"),
        (TUE, "morning", "missed"),
        (TUE, "afternoon", "missed"),
    ]
    assert coverage.rate(0, 4) == 0 and coverage.rate(0, 0) is None


def test_an_area_of_building_groups_of_its_own_grid_only(users, tree):
    worker, micro = users["worker"], tree["micro_grids"][0]
    mine = [g for g in tree["building_groups"] if g.parent_id == micro.pk]
    other = next(g for g in tree["building_groups"] if g.parent_id != micro.pk)
    saved = area(worker, micro, mine[:1])
    assert list(saved.building_groups.all()) == mine[:1]

    with pytest.raises(ValidationError) as exc:
        area(worker, micro, [other])
    assert exc.value.message_dict == {"building_groups": [f"{other.name}不属于{micro.name}"]}
    with pytest.raises(ValidationError) as exc:
        area(users["resident"], micro)
    assert "worker" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.save_patrol_area(
            users["staff2"],
            PatrolArea(worker=worker, micro_grid=micro, start_date=MON),
        )
    assert PatrolArea.objects.count() == 1


def test_the_workers_plan_page(users, tree, clock, client_for):
    worker, micro = users["worker"], tree["micro_grids"][0]
    area(worker, micro)
    walk(worker, micro, clock, 2026, 11, 24, 9, 0)
    clock.set(2026, 11, 24, 15, 0)
    response = client_for(worker).get("/m/patrols/plan/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "今天" in text and "已巡" in text and "漏巡" in text and "待巡" in text
    # November so far: Monday ×2 and Tuesday morning due, one of them done.
    assert "本月巡查覆盖率" in text and "已巡 1 次，漏巡" in text

    response = client_for(users["worker2"]).get("/m/patrols/plan/")
    assert response.status_code == 200
    assert "您还没有巡块责任区" in response.content.decode()


def test_the_coverage_page_for_the_grid_leader_and_the_community(users, tree, clock, client_for):
    micro = tree["micro_grids"]
    area(users["worker"], micro[0])
    area(users["worker2"], micro[2])
    walk(users["worker"], micro[0], clock, 2026, 11, 23, 9, 0)
    clock.set(2026, 11, 24, 9, 0)
    url = "/m/patrols/coverage/?from=2026-11-23&to=2026-11-23"

    text = client_for(users["gridhead"]).get(url).content.decode()
    assert "王秀英" in text and "刘洋" not in text  # the leader's grids only
    assert "50.0%" in text

    text = client_for(users["staff2"]).get(url).content.decode()
    assert "刘洋" in text and "王秀英" not in text and "0.0%" in text

    # A grid worker sees their own line only.
    text = client_for(users["colleague"]).get(url).content.decode()
    assert "王秀英" not in text and "没有巡块计划" in text


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=2026-13-01", "日期格式应为 YYYY-MM-DD"),
        ("from=2026-11-20&to=2026-11-01", "结束日期不能早于开始日期"),
        ("from=2024-01-01&to=2026-11-01", "统计区间不能超过一年"),
    ],
)
def test_a_bad_period_is_a_400_with_its_reason(users, clock, client_for, query, message):
    response = client_for(users["staff"]).get(f"/m/patrols/coverage/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_residents_and_departments_may_not_open_the_pages(users, client_for):
    for key in ("resident", "handler"):
        for url in ("/m/patrols/plan/", "/m/patrols/coverage/"):
            assert client_for(users[key]).get(url).status_code == 403


def test_local_helper_is_shanghai_time():
    assert coverage.shift_of(local(2026, 11, 23, 11, 59)) == "morning"
    assert coverage.shift_of(local(2026, 11, 23, 12, 0)) == "afternoon"


def test_the_operator_sets_an_area_in_the_admin_and_the_community_reads_it(users, tree, client_for):
    micro = tree["micro_grids"][0]
    mine = [g for g in tree["building_groups"] if g.parent_id == micro.pk]
    other = next(g for g in tree["building_groups"] if g.parent_id != micro.pk)
    c = client_for(users["operator"])
    form = {
        "worker": users["worker"].pk,
        "micro_grid": micro.pk,
        "start_date": "2026-11-01",
        "end_date": "",
    }
    response = c.post("/admin/fieldwork/patrolarea/add/", {**form, "building_groups": [other.pk]})
    assert response.status_code == 200
    assert f"{other.name}不属于{micro.name}" in response.content.decode()
    assert not PatrolArea.objects.exists()

    response = c.post("/admin/fieldwork/patrolarea/add/", {**form, "building_groups": [mine[0].pk]})
    assert response.status_code == 302
    saved = PatrolArea.objects.get()
    assert saved.worker == users["worker"] and list(saved.building_groups.all()) == [mine[0]]

    staff = client_for(users["staff"])
    assert staff.get("/admin/fieldwork/patrolarea/").status_code == 200
    assert staff.post("/admin/fieldwork/patrolarea/add/", form).status_code == 403
    assert PatrolArea.objects.count() == 1
