"""The 六个到位 monthly scorecard: one measure per 到位 computed from the recorded work, a score,
the phone page for the grid leader and the 居委 (their workers) and the worker (their own card),
a flat number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.choices import Role
from civicgrid.cases.choices import CaseSource
from civicgrid.cases.services import do_report
from civicgrid.fieldwork import scorecard, services
from civicgrid.fieldwork.choices import FindingResult
from civicgrid.fieldwork.models import ChecklistItem, NeedKind, PatrolArea
from civicgrid.testing.factories import UserFactory, assign_post
from civicgrid.testing.world import category

pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)
MON = datetime.date(2026, 11, 23)
METRE = 1 / 111_000  # degrees of latitude


def report(user, source, micro, clock, *args, north_m=0, code="0101"):
    clock.set(*args)
    return do_report(
        user=user,
        category=category("community", code),
        description="楼道堆物",
        source=source,
        lon=micro.centroid_lon,
        lat=micro.centroid_lat + north_m * METRE,
    ).case


@pytest.fixture
def month(clock, users, tree, households):
    """A November of 王秀英's work with known figures (see each measure in the test)."""
    worker, micro = users["worker"], tree["micro_grids"][0]
    # 联系: one of the two households of micro-grid 0 visited (in October: the quarter counts).
    clock.set(2026, 10, 20, 10, 0)
    services.record_visit(worker, households[0][0], topics="了解家庭情况")
    # 帮教 and 服务: a 急难愁盼 visit with two follow-ups, one of them done.
    clock.set(2026, 11, 10, 10, 0)
    visit = services.record_visit(
        worker,
        households[0][0],
        topics="居民反映停车难",
        follow_ups=["联系物业划车位", "回访"],
        needs=[NeedKind.objects.get(name="停车难")],
    )
    services.set_follow_up_done(visit.follow_ups.first(), worker)
    # 排查: the area starts on Monday; Monday morning walked with a problem not turned into a case.
    services.save_patrol_area(None, PatrolArea(worker=worker, micro_grid=micro, start_date=MON))
    clock.set(2026, 11, 23, 9, 0)
    patrol = services.start_patrol(worker, micro)
    services.record_finding(
        patrol,
        worker,
        ChecklistItem.objects.first(),
        result=FindingResult.PROBLEM,
        note="楼道堆放纸箱",
    )
    clock.advance(minutes=40)
    services.finish_patrol(patrol, worker)
    # 防范: a resident complained 50 m away two days before the first report (found late);
    # the 12345 call near the second report was 8 days before it (outside the 7 days).
    report(users["resident"], CaseSource.RESIDENT, micro, clock, 2026, 11, 3, 9, 0, north_m=50)
    report(worker, CaseSource.GRID_PATROL, micro, clock, 2026, 11, 5, 9, 0)
    report(None, CaseSource.HOTLINE_12345, micro, clock, 2026, 11, 4, 9, 0, north_m=-300)
    report(worker, CaseSource.GRID_PATROL, micro, clock, 2026, 11, 12, 9, 0, north_m=-300)
    clock.set(2026, 11, 24, 9, 0)


def figures(card):
    return {m.key: (m.done, m.total, m.score) for m in card.rows}


def test_each_measure_and_the_score_from_known_figures(month, users):
    report = scorecard.scorecard(users["gridhead"], NOV)
    assert report["last"] == datetime.date(2026, 11, 24)  # the month so far
    cards = {c.name: c for c in report["cards"]}
    # The leader's micro-grids 0 and 1, not 刘洋; "former"'s post ended on the 22nd, in November.
    assert set(cards) == {"王秀英", "陈丽", "former"}
    assert figures(cards["王秀英"]) == {
        "contact": (1, 2, 50),
        "inspection": (1, 2, 50),  # Monday: morning walked, afternoon missed; Tuesday pending
        "help": (1, 2, 50),
        "control": (0, 1, 0),
        "service": (1, 1, 100),
        "prevention": (1, 2, 50),
    }
    assert cards["王秀英"].score == 50.0
    # 陈丽 visited nobody of her two households and has nothing else to measure.
    assert figures(cards["陈丽"])["contact"] == (0, 2, 0) and cards["陈丽"].score == 0.0
    assert figures(cards["陈丽"])["prevention"] == (0, 0, None)


def test_a_case_from_the_finding_raises_control(month, users):
    finding = users["worker"].patrols.get().findings.get()
    services.finding_to_case(finding, users["worker"])
    card = scorecard.scorecard(users["worker"], NOV)["cards"][0]
    assert figures(card)["control"] == (1, 1, 100)


def test_the_page_for_the_leader_the_community_and_the_worker(month, users, client_for):
    text = client_for(users["gridhead"]).get("/m/scorecard/?month=2026-11").content.decode()
    assert "六个到位考核" in text and "王秀英" in text and "陈丽" in text and "刘洋" not in text
    assert "50.0 分" in text and "防范到位" in text and "0.0 分" in text

    text = client_for(users["staff"]).get("/m/scorecard/?month=2026-11").content.decode()
    assert "王秀英" in text and "刘洋" not in text

    text = client_for(users["staff2"]).get("/m/scorecard/?month=2026-11").content.decode()
    assert "刘洋" in text and "王秀英" not in text

    response = client_for(users["colleague"]).get("/m/scorecard/?month=2026-11")
    assert response.status_code == 200
    text = response.content.decode()
    assert "陈丽" in text and "王秀英" not in text

    # October: only the visit (one household of two); the page defaults to this month.
    text = client_for(users["worker"]).get("/m/scorecard/?month=2026-10").content.decode()
    assert "50.0 分" in text and "2026-10-01 至 2026-10-31" in text
    text = client_for(users["worker"]).get("/m/scorecard/").content.decode()
    assert "2026-11-01 至 2026-11-24" in text


@pytest.mark.parametrize(
    "month, message",
    [
        ("2026-13", "月份格式应为 YYYY-MM"),
        ("11-2026", "月份格式应为 YYYY-MM"),
        ("2026-12", "不能查看未来月份的考核"),
    ],
)
def test_a_bad_month_is_a_400_with_its_reason(clock, users, client_for, month, message):
    response = client_for(users["gridhead"]).get(f"/m/scorecard/?month={month}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_residents_departments_and_the_desk_may_not_open_it(users, client_for):
    for key in ("resident", "handler", "operator"):
        assert client_for(users[key]).get("/m/scorecard/").status_code == 403


def test_the_number_of_queries_does_not_grow_with_the_workers(month, users, tree):
    scorecard.scorecard(users["staff"], NOV)  # warms the shared cache (the calendar's revision)
    with CaptureQueriesContext(connection) as few:
        scorecard.scorecard(users["staff"], NOV)
    for i in range(6):
        extra = UserFactory(username=f"extra{i}", role=Role.GRID_WORKER)
        assign_post(extra, tree["micro_grids"][i % 2])
        services.save_patrol_area(
            None, PatrolArea(worker=extra, micro_grid=tree["micro_grids"][i % 2], start_date=MON)
        )
    with CaptureQueriesContext(connection) as many:
        report = scorecard.scorecard(users["staff"], NOV)
    assert len(report["cards"]) == 9
    assert len(many) == len(few) <= 12
