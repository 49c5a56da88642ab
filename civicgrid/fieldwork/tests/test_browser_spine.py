"""The grid worker's 巡块 plan, patrol and visit coverage, 专题会 topics and 六个到位 scorecard on a
360 px phone, in chromium: the figures a person reads, no sideways scrolling, the patrol page's
link to the plan, and the grid leader's coverage table listing the worker.

Saves docs/screenshots/phone-patrol-plan.png (360×740)."""

import datetime

import pytest
from playwright.sync_api import expect

from civicgrid.accounts.choices import Role
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import FollowUp, NeedKind, PatrolArea
from civicgrid.grids.choices import PostRole
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.factories import UserFactory, assign_post, make_tree
from civicgrid.testing.people import add_household
from civicgrid.testing.world import local

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MON = datetime.date(2026, 11, 23)
WORK_PLAN = "物业夜间开放地面临时车位，居委每月通报停车情况"
NO_SIDEWAYS = "document.documentElement.scrollWidth <= 360"


def walk(worker, micro_grid, *args):
    """A finished patrol started at the Shanghai time `args`, 40 minutes long."""
    start = local(*args)
    patrol = services.start_patrol(worker, micro_grid, now=start)
    services.finish_patrol(patrol, worker, now=start + datetime.timedelta(minutes=40))


def grid_day(running_clock):
    """Wednesday 25 November 2026, 15:00. The worker's area (micro-grid 0) is planned from Monday:
    Mon morning done, Mon afternoon missed, Tue both done, Wed morning missed, Wed afternoon
    still open — 3 done, 2 missed, 60.0%. Two of three households visited this quarter; one
    follow-up became a 难点 with its 专题会 work plan."""
    running_clock.set(2026, 11, 25, 15, 0)
    tree = make_tree()
    micro = tree["micro_grids"][0]
    worker = UserFactory(
        username="wangxy", role=Role.GRID_WORKER, last_name="王", first_name="秀英"
    )
    assign_post(worker, micro)
    leader = UserFactory(
        username="zhangjg", role=Role.GRID_LEADER, last_name="张", first_name="建国"
    )
    assign_post(leader, micro, role=PostRole.LEADER)
    services.save_patrol_area(None, PatrolArea(worker=worker, micro_grid=micro, start_date=MON))
    walk(worker, micro, 2026, 11, 23, 9, 0)
    walk(worker, micro, 2026, 11, 24, 9, 10)
    walk(worker, micro, 2026, 11, 24, 14, 30)

    homes = [add_household(tree["building_groups"][0], n) for n in range(1, 4)]
    parking = NeedKind.objects.get(name="停车难")
    visit = services.record_visit(
        worker,
        homes[0],
        visited_at=local(2026, 11, 24, 10, 0),
        topics="居民反映小区夜间停车难",
        follow_ups=["协调夜间停车位"],
        needs=[parking],
    )
    services.record_visit(
        worker, homes[1], visited_at=local(2026, 11, 24, 11, 0), topics="宣传垃圾分类"
    )
    topic = services.mark_hard(FollowUp.objects.get(visit=visit), worker, title="小区夜间停车难")
    services.record_work_plan(
        topic, worker, meeting_date=datetime.date(2026, 11, 25), work_plan=WORK_PLAN
    )
    return worker, leader


def signed_in(page, live_server, running_clock, user):
    """Sign in at the real time (the session cookie's expiry is then the browser's own two
    weeks), then go back to the grid's Wednesday."""
    at = running_clock.at
    running_clock.ago(seconds=0)
    login(page, live_server, user.username)
    running_clock.move_to(at)


def test_a_grid_worker_reads_plan_coverage_topics_and_scorecard(
    phone_page, live_server, running_clock
):
    page = phone_page
    worker, _leader = grid_day(running_clock)
    signed_in(page, live_server, running_clock, worker)

    # The patrol page links to the plan; the plan shows the month and each round's outcome.
    page.goto(live_server.url + "/m/patrols/")
    with page.expect_navigation():
        page.click("main a:text-is('我的巡块计划')")
    assert page.url == live_server.url + "/m/patrols/plan/"
    assert page.locator("h1").inner_text() == "我的巡块计划"
    month = page.locator("#month-coverage").inner_text()
    assert month == "本月巡查覆盖率 60.0%（已巡 3 次，漏巡 2 次）"
    days = page.locator("section.panel h2").all_inner_texts()
    assert days == ["今天 11-25 星期三", "11-24 星期二", "11-23 星期一"]
    expect(page.locator("li.plan-done")).to_have_count(3)
    expect(page.locator("li.plan-missed")).to_have_count(2)
    expect(page.locator("li.plan-pending")).to_have_count(1)
    assert page.locator("li.plan-missed .badge").first.inner_text() == "漏巡"
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, "phone-patrol-plan")

    page.goto(live_server.url + "/m/patrols/coverage/?from=2026-11-23&to=2026-11-25")
    total = page.locator("#total-coverage").inner_text()
    assert total == "合计覆盖率 60.0%（已巡 3，漏巡 2）"
    worker_row = page.locator("#by-worker tbody tr")
    expect(worker_row).to_have_count(1)
    assert "王秀英" in worker_row.inner_text() and "覆盖率 60.0%" in worker_row.inner_text()
    assert page.evaluate(NO_SIDEWAYS)

    page.goto(live_server.url + "/m/visits/coverage/")
    assert page.locator("#total").inner_text() == "合计 66.7%（已走访 2 户 / 共 3 户）"
    assert "已走访 2 / 3 户" in page.locator("table.list tbody").inner_text()
    assert page.evaluate(NO_SIDEWAYS)

    page.goto(live_server.url + "/m/topics/")
    topic = page.locator("ul.fw-list > li").first
    assert "小区夜间停车难" in topic.inner_text()
    assert "已形成方案" in topic.inner_text()
    assert f"专题会（2026-11-25）工作方案：{WORK_PLAN}" in topic.inner_text()
    assert page.evaluate(NO_SIDEWAYS)

    page.goto(live_server.url + "/m/scorecard/")
    card = page.locator(f"#worker-{worker.pk}")
    assert card.locator("h2").inner_text().startswith("王秀英 · ")
    rows = card.locator("tbody tr")
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == [
        "联系到位",
        "排查到位",
        "帮教到位",
        "管控到位",
        "服务到位",
        "防范到位",
    ]
    inspection = card.locator("tr[data-measure=inspection] td").all_inner_texts()
    assert inspection == ["排查到位", "3", "5", "60"]
    assert page.evaluate(NO_SIDEWAYS)


def test_the_grid_leader_sees_the_worker_in_the_coverage_table(
    phone_page, live_server, running_clock
):
    page = phone_page
    _worker, leader = grid_day(running_clock)
    signed_in(page, live_server, running_clock, leader)

    page.goto(live_server.url + "/m/patrols/coverage/")
    assert page.locator("#total-coverage").inner_text() == "合计覆盖率 60.0%（已巡 3，漏巡 2）"
    cells = page.locator("#by-worker tbody tr").first.locator("td").all_inner_texts()
    assert cells == ["王秀英", "计划 6 次", "已巡 3", "漏巡 2", "覆盖率 60.0%"]
    assert page.evaluate(NO_SIDEWAYS)
