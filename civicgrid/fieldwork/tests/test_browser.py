"""A grid worker's day on a 360 px phone, in chromium: my grids and tasks, a report located by
the phone, a patrol whose failed item becomes a case in one tap, and a verification.

Saves docs/screenshots/phone-home.png, phone-report.png, phone-patrol.png, phone-case.png and
phone-visit.png (360×740)."""

import datetime
import re

import pytest
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.cases import services as cases
from civicgrid.cases.choices import CaseAction, CaseStatus
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.fieldwork.models import Patrol, PatrolFinding, Visit
from civicgrid.grids.choices import PostRole
from civicgrid.grids.models import Grid
from civicgrid.testing.browser import login, screenshot, wait_until
from civicgrid.testing.factories import UserFactory, assign_post, make_tree
from civicgrid.testing.people import add_household
from civicgrid.testing.world import IN_MICRO, category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NAMES = ["康桥半岛居委", "秀沿居委"]


def _street():
    tree = make_tree()
    for c, community in enumerate(tree["communities"]):
        Grid.objects.filter(pk=community.pk).update(name=NAMES[c])
    for i, micro in enumerate(tree["micro_grids"]):
        name = f"{NAMES[i // 2]}第{i % 2 + 1}网格"
        Grid.objects.filter(pk=micro.pk).update(
            name=name, party_organisation=f"{name}党支部", household_count=180 + 23 * i
        )
    return tree


def _cases(worker, operator, colleague):
    """Two cases in the worker's grid: one to handle, one handled by a colleague and waiting for
    the worker's verification (管监分离: nobody checks their own handling)."""
    lon, lat = IN_MICRO[0]
    task = cases.do_report(
        user=operator,
        category=category("community", "0103"),
        description="12号楼底楼有居民从窗口拉电线给电瓶车充电",
        lon=lon,
        lat=lat,
        address="秀沿路1501弄12号",
        source="resident",
    ).case
    cases.do_file(task, operator)
    cases.do_dispatch(task, operator, to_grid=True)
    handled = cases.do_report(
        user=worker,
        category=category("community", "0101"),
        description="8号楼2楼楼道堆放旧沙发和纸箱,堵塞疏散通道",
        lon=lon + 0.001,
        lat=lat,
        address="秀沿路1501弄8号",
    ).case
    cases.do_file(handled, operator)
    cases.do_dispatch(handled, operator, to_grid=True)
    cases.do_accept(handled, colleague)
    cases.do_handle(handled, colleague, result="已联系8号楼居民清理,楼道恢复通畅")
    return task, handled


def test_a_grid_worker_patrols_reports_and_verifies(browser, live_server):
    tree = _street()
    worker = UserFactory(username="wangxy", role=Role.GRID_WORKER, first_name="王秀英")
    assign_post(worker, tree["micro_grids"][0])
    colleagues = []
    for name, role in [("张建国", PostRole.LEADER), ("陈丽华", PostRole.PART_TIME)]:
        other = UserFactory(role=Role.GRID_WORKER, first_name=name)
        assign_post(other, tree["micro_grids"][0], role=role)
        colleagues.append(other)
    for n in range(1, 4):
        add_household(tree["building_groups"][0], n)
    operator = UserFactory(username="operator", role=Role.OPERATOR)
    task, handled = _cases(worker, operator, colleagues[1])

    lon, lat = IN_MICRO[0]
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 12},
        permissions=["geolocation"],
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, live_server, worker.username)
        assert page.url.endswith("/m/")
        assert page.locator("h1").inner_text() == "我的网格"
        assert task.number in page.content() and handled.number in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "phone-home")

        # Report: the phone's position fills the hidden inputs; the case number comes back.
        page.goto(live_server.url + "/m/report/")
        wait_until(page, "document.getElementById('id_lon').value !== ''")
        page.select_option("#id_category", label="楼道堆物")
        page.fill("#id_description", "15号楼1楼楼道堆放电动车电瓶和纸箱")
        page.fill("#id_address", "秀沿路1501弄15号")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "phone-report")
        page.click("main button[type=submit]")
        message = page.locator(".message.success").inner_text()
        number = re.search(r"\d{13}", message).group(0)
        reported = Case.objects.get(number=number)
        assert reported.micro_grid_id == tree["micro_grids"][0].pk
        assert reported.source == "grid_patrol"

        # Patrol: start, the route gets the phone's position, one item fails and becomes a case.
        page.goto(live_server.url + "/m/patrols/")
        page.click("main form button[type=submit]")
        patrol = Patrol.objects.get(worker=worker)
        wait_until(
            page,
            "document.querySelector('[data-patrol-route] .fw-status').textContent.includes('1')",
        )
        patrol.refresh_from_db()
        assert patrol.route and patrol.route[0][:2] == [lon, lat]
        # Walking along the lane: the page posts the positions in batches of five.
        for step in range(1, 6):
            context.set_geolocation(
                {"longitude": lon + 0.0006 * step, "latitude": lat - 0.0003 * (step % 3)}
            )
            page.wait_for_timeout(150)
        wait_until(
            page,
            "document.querySelector('[data-patrol-route] .fw-status').textContent.includes('6')",
        )
        patrol.refresh_from_db()
        assert len(patrol.route) == 6
        # Ticks swap just their line (htmx): the page, and the route watch, stay.
        page.locator("li.fw-item", has_text="垃圾分类").locator("button[value=ok]").click()
        wait_until(page, "document.getElementById('patrol-progress').textContent.includes('1/')")
        item = page.locator("li.fw-item", has_text="飞线充电")
        item.locator("summary").click()
        item.locator("input[type=text]").fill("5号楼东侧窗口有电线垂下给电瓶车充电")
        item.locator("button[value=problem]").click()
        to_case = page.locator("li.fw-item", has_text="飞线充电").locator(
            "button", has_text="转为案件上报"
        )
        to_case.click()
        page.locator("li.fw-item .fw-status.ok", has_text="已转为案件").wait_for()
        finding = PatrolFinding.objects.get(patrol=patrol, item__name="飞线充电")
        assert finding.case is not None
        assert finding.case.category.name == "飞线充电"
        assert finding.case.micro_grid_id == tree["micro_grids"][0].pk
        assert (finding.case.lon, finding.case.lat) == tuple(patrol.route[-1][:2])
        line = page.locator("li.fw-item", has_text="飞线充电").inner_text()
        assert finding.case.number in line
        assert "已查 2/" in page.locator("#patrol-progress").inner_text()
        page.evaluate("window.scrollTo(0, document.querySelector('main h1').offsetTop - 8)")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "phone-patrol")
        with page.expect_navigation():
            page.click("button:has-text('结束巡查')")
        patrol.refresh_from_db()
        assert patrol.status == "finished" and patrol.ended_at is not None

        # Verify the handled case: pass.
        page.goto(live_server.url + "/m/")
        page.click(f"a:has-text('{handled.number}')")
        # The click navigates: wait for the case page before measuring it.
        page.locator("#verify").wait_for()
        page.evaluate("window.scrollTo(0, document.querySelector('#verify').offsetTop - 300)")
        screenshot(page, "phone-case")
        page.check("input[name=decision][value=pass]")
        page.fill("#id_note", "现场查看,楼道已清理干净")
        with page.expect_navigation():
            page.click("#verify button[type=submit]")
        assert "核查通过" in page.locator(".message.success").inner_text()
        handled.refresh_from_db()
        assert handled.status == CaseStatus.CLOSED
        assert CaseEvent.objects.filter(
            case=handled, action=CaseAction.VERIFY_PASS, actor=worker
        ).exists()
        assert timezone.now() - handled.closed_at < datetime.timedelta(minutes=5)

        # A household visit: found by address, residents' phones masked, two follow-ups.
        page.goto(live_server.url + "/m/visits/new/")
        page.fill("#q", "1501弄2号")
        page.click("main form[role=search] button")
        page.click("a.fw-row")
        assert "****" in page.locator(".fw-residents").inner_text()
        page.fill("#id_topics", "了解独居老人身体状况，询问加装电梯意愿")
        page.fill("#id_follow_ups", "联系物业修复楼道灯\n帮助申请社区助餐")
        screenshot(page, "phone-visit")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert "已登记对" in page.locator(".message.success").inner_text()
        visit = Visit.objects.get(worker=worker)
        assert visit.follow_ups.count() == 2
    finally:
        context.close()
