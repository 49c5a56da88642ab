"""The 绿色账户 on a 360 px phone in chromium: the guide on duty finds a household from the
point and taps 正确投放 +1; the 居委 redeems points for goods and is told when there are too
few. No sideways scrolling.

Saves docs/screenshots/phone-sorting-green.png (360×740)."""

import datetime

import pytest

from civicgrid.sorting import services
from civicgrid.sorting.models import PointsEntry
from civicgrid.sorting.tests.test_browser_sorting import NO_SIDEWAYS, signed_in
from civicgrid.testing.browser import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MON = datetime.date(2026, 11, 23)


def test_the_guide_on_duty_awards_a_point_from_the_phone(
    phone_page, live_server, running_clock, world, users
):
    page = phone_page
    running_clock.set(2026, 11, 23, 7, 5)
    shift = services.do_plan_shifts(
        world["point"], None, first=MON, last=MON, guide=world["guide"]
    )[0]
    services.do_check_in(shift, users["resident"])
    home = world["households"][0][0]
    signed_in(page, live_server, running_clock, users["resident"])

    page.goto(live_server.url + "/sorting/m/guide/")
    with page.expect_navigation():
        page.click("a:text-is('正确投放积分')")
    assert "康乐苑1号箱房" in page.locator("#on-duty").inner_text()
    page.fill("input[name=q]", "１５０１弄1号")
    with page.expect_navigation():
        page.click("button:text-is('查找')")
    row = page.locator(f"#household-{home.pk}")
    assert "现有 0 分" in row.inner_text()
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, "phone-sorting-green")
    with page.expect_navigation():
        row.locator("button:text-is('正确投放 +1')").click()
    assert "已为该户记 1 分，现有 1 分" in page.locator("main").inner_text()
    assert page.locator("#balance").inner_text() == "1"
    assert page.evaluate(NO_SIDEWAYS)
    entry = PointsEntry.objects.get()
    assert (entry.amount, entry.shift_id, entry.by_id) == (1, shift.pk, users["resident"].pk)


def test_the_committee_redeems_goods_and_is_told_about_too_few_points(
    phone_page, live_server, running_clock, world, users
):
    page = phone_page
    running_clock.set(2026, 11, 23, 10, 0)
    home = world["households"][0][0]
    bag = services.do_save_reward(None, name="环保垃圾袋", points=2, order=1)
    soap = services.do_save_reward(None, name="洗洁精", points=5, order=2)
    services.do_award_points(home, None, amount=6)
    signed_in(page, live_server, running_clock, users["staff"])

    page.goto(f"{live_server.url}/sorting/green/households/{home.pk}/")
    page.fill(f"input[name=reward_{soap.pk}]", "2")
    with page.expect_navigation():
        page.click("#redeem button:text-is('兑换')")
    assert "积分不足：现有 6 分，兑换需 10 分" in page.locator("#redeem").inner_text()
    assert PointsEntry.objects.count() == 1
    page.fill(f"input[name=reward_{soap.pk}]", "0")
    page.fill(f"input[name=reward_{bag.pk}]", "2")
    with page.expect_navigation():
        page.click("#redeem button:text-is('兑换')")
    assert "已兑换 环保垃圾袋×2，扣 4 分，现有 2 分" in page.locator("main").inner_text()
    statement = page.locator("#statement tbody tr").first.inner_text()
    assert "兑换礼品" in statement and "-4" in statement and "环保垃圾袋×2" in statement
    assert page.evaluate(NO_SIDEWAYS)
