"""The notification centre in chromium: a handler sees the badge count of a new dispatch on the
console, opens the centre, clicks the item, lands on the case, and the badge goes down; a grid
worker on a 360 px phone does the same for a case waiting for 核查.

Saves docs/screenshots/notification-centre.png (1280×800) and phone-notification-centre.png
(360×740)."""

import pytest
from playwright.sync_api import expect

from civicgrid.accounts.choices import Role
from civicgrid.cases import services
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.cases import report
from civicgrid.testing.factories import DepartmentFactory, UserFactory, assign_post, make_tree
from civicgrid.testing.world import IN_MICRO, category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NO_SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def street():
    tree = make_tree()
    department = DepartmentFactory(name="城管中队", code="CG")
    garbage = category("event", "0102")
    garbage.default_department = department
    garbage.save()
    people = {
        "operator": UserFactory(username="zhanglei", role=Role.OPERATOR),
        "handler": UserFactory(
            username="liqiang",
            role=Role.DEPT_HANDLER,
            department=department,
            last_name="李",
            first_name="强",
        ),
        "worker": UserFactory(
            username="wangxy", role=Role.GRID_WORKER, last_name="王", first_name="秀英"
        ),
        "resident": UserFactory(username="chenmin", role=Role.RESIDENT, phone="13912345678"),
    }
    assign_post(people["worker"], tree["micro_grids"][0])
    return people, garbage


def dispatched(people, garbage, description):
    case = report(people["resident"], garbage, IN_MICRO[0], description)
    services.do_file(case, people["operator"])
    services.do_dispatch(case, people["operator"])
    return case


def badge(page) -> str:
    return page.locator("header a.notify-link").get_attribute("data-unread")


def test_a_handler_follows_a_new_dispatch_from_the_badge_to_the_case(
    page, live_server, running_clock
):
    people, garbage = street()
    older = dispatched(people, garbage, "小区门口垃圾堆积")
    services.do_accept(older, people["handler"])
    services.do_handle(older, people["handler"], result="已清运")
    services.do_verify_fail(older, people["worker"], reason="楼道口仍有垃圾袋")
    newest = dispatched(people, garbage, "沿街商铺门前堆放纸箱")
    login(page, live_server, "liqiang")

    # The department's queue, with the badge in the header: three unread.
    assert page.url.endswith("/console/inbox/")
    assert badge(page) == "3"
    assert page.locator("header .notify-count").inner_text() == "3"
    with page.expect_navigation():
        page.click("header a.notify-link")
    assert page.url.endswith("/notifications/")
    items = page.locator("ul.notices li")
    expect(items).to_have_count(3)
    expect(page.locator("ul.notices li.unread")).to_have_count(3)
    assert f"新派遣：请接单处置案件{newest.number}" in items.first.inner_text()
    assert f"案件{older.number}核查不通过，请返工处置" in page.locator("ul.notices").inner_text()
    screenshot(page, "notification-centre")

    # Opening the newest lands on its case page; the badge counts one fewer.
    with page.expect_navigation():
        items.first.locator("button").click()
    assert page.url.endswith(f"/console/case/{newest.number}/")
    assert newest.number in page.locator("h1").inner_text()
    assert badge(page) == "2"

    # Back in the centre: the item read, the filter lists the unread ones only.
    with page.expect_navigation():
        page.click("header a.notify-link")
    expect(page.locator("ul.notices li.read")).to_have_count(1)
    with page.expect_navigation():
        page.click("main a:text-is('只看未读')")
    expect(page.locator("ul.notices li")).to_have_count(2)
    assert newest.number not in page.locator("ul.notices").inner_text()
    with page.expect_navigation():
        page.click("main button:text-is('全部标为已读')")
    assert "已将2条通知标为已读" in page.locator(".messages").inner_text()
    assert badge(page) == "0"
    expect(page.locator("header .notify-count")).to_have_count(0)


def test_a_grid_worker_on_a_phone_opens_the_case_waiting_for_verification(
    phone_page, live_server, running_clock
):
    page = phone_page
    people, garbage = street()
    case = dispatched(people, garbage, "小区门口垃圾堆积")
    services.do_accept(case, people["handler"])
    services.do_handle(case, people["handler"], result="已清运完毕")
    login(page, live_server, "wangxy")

    assert page.url.endswith("/m/")
    assert badge(page) == "1"
    assert page.evaluate(NO_SIDEWAYS)
    with page.expect_navigation():
        page.locator("header a.notify-link").tap()
    screenshot(page, "phone-notification-centre")
    assert page.url.endswith("/notifications/")
    assert page.evaluate(NO_SIDEWAYS)
    item = page.locator("ul.notices li.unread")
    expect(item).to_have_count(1)
    assert f"案件{case.number}已处置，等待网格员核查" in item.inner_text()
    box = item.locator("button").bounding_box()
    assert box["width"] >= 300 and box["height"] >= 44  # a thumb's target at 360 px
    with page.expect_navigation():
        item.locator("button").tap()
    assert page.url.endswith(f"/m/cases/{case.number}/")
    assert badge(page) == "0"
    assert page.evaluate(NO_SIDEWAYS)
