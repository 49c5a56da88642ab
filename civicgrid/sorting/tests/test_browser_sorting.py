"""The guide's and the inspector's phone pages at 360 px in chromium: a volunteer checks in at
their bin room and records the shift; a 居委 inspector scores an estate with a photo, sees the
running total, and a fail names its case and the re-inspection date. No sideways scrolling.

Saves docs/screenshots/phone-sorting-guide.png and phone-sorting-inspect.png (360×740)."""

import datetime
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from civicgrid.cases.models import Case
from civicgrid.sorting import services
from civicgrid.sorting.models import GuideShift, Inspection
from civicgrid.testing.browser import login, screenshot, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MON = datetime.date(2026, 11, 23)
NO_SIDEWAYS = "document.documentElement.scrollWidth <= 360"


def signed_in(page, live_server, running_clock, user):
    """Sign in at the real time (the session cookie's expiry is the browser's own), then go back
    to the test's Monday."""
    at = running_clock.at
    running_clock.ago(seconds=0)
    login(page, live_server, user.username)
    running_clock.move_to(at)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (40, 140, 70)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_guide_checks_in_and_records_the_shift(
    phone_page, live_server, running_clock, world, users
):
    page = phone_page
    running_clock.set(2026, 11, 23, 7, 5)
    services.do_plan_shifts(world["point"], None, first=MON, last=MON, guide=world["guide"])
    signed_in(page, live_server, running_clock, users["resident"])

    page.goto(live_server.url + "/sorting/m/guide/")
    assert page.locator("h1").inner_text() == "点位值守"
    morning = page.locator("section.shift").first
    assert "康乐苑1号箱房" in morning.inner_text()
    assert "07:00–09:00" in morning.locator("h2").inner_text()
    with page.expect_navigation():
        morning.locator("button:text-is('到岗签到')").click()
    assert "已签到：康乐苑1号箱房 07:00–09:00" in page.locator("main").inner_text()
    morning = page.locator("section.shift").first
    assert "值守中" in morning.inner_text()
    morning.locator("input[name$=households_guided]").fill("42")
    morning.locator("input[name$=wrong_drops]").fill("3")
    morning.locator("textarea").fill("湿垃圾破袋指导")
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, "phone-sorting-guide")
    with page.expect_navigation():
        morning.locator("button:text-is('签退并保存记录')").click()
    morning = page.locator("section.shift").first
    assert (
        "已完成" in morning.inner_text() and "指导 42 户次，纠正错投 3 次" in morning.inner_text()
    )
    assert page.evaluate(NO_SIDEWAYS)
    shift = GuideShift.objects.get(start=datetime.time(7, 0))
    assert (shift.state, shift.households_guided, shift.note) == ("done", 42, "湿垃圾破袋指导")


def test_an_inspector_scores_an_estate_with_a_photo(
    phone_page, live_server, running_clock, world, users
):
    page = phone_page
    running_clock.set(2026, 11, 23, 10, 0)
    signed_in(page, live_server, running_clock, users["staff"])

    page.goto(live_server.url + "/sorting/m/inspect/")
    with page.expect_navigation():
        page.click("main a:text-is('第1居委 · 康乐苑')")
    assert page.locator("h1").inner_text() == "垃圾分类检查"
    wait_until(page, "document.getElementById('total').textContent.length > 0")
    assert page.locator("#total").inner_text() == "合计 100 分 · 达标"
    purity = page.locator("input.score").first
    purity.fill("15")
    wait_until(page, "document.getElementById('total').textContent.indexOf('85') >= 0")
    assert page.locator("#total").inner_text() == "合计 85 分 · 不达标（90 分达标）"
    page.fill("textarea[name=note]", "湿垃圾桶内混有塑料袋")
    page.set_input_files(
        "input[name=photos]", files=[{"name": "bin.png", "mimeType": "image/png", "buffer": png()}]
    )
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, "phone-sorting-inspect")
    with page.expect_navigation():
        page.click("button:text-is('提交检查结果')")
    inspection = Inspection.objects.get()
    case = Case.objects.get()
    assert page.locator("#result").inner_text() == "85 分 · 不达标"
    followup = page.locator("#followup").inner_text()
    assert case.number in followup and "复查期限 2026-11-30" in followup
    assert inspection.photos.count() == 1 and case.attachments.count() == 1
    expect(page.locator("section.photos img")).to_have_count(1)


def test_the_points_map_colours_each_point_by_its_last_score(
    page, live_server, running_clock, world, users
):
    running_clock.set(2026, 11, 23, 10, 0)
    template = services.active_template()
    scores = {i.pk: i.max_points for i in template.items.all()}
    services.do_inspect(users["staff"], estate=world["east"], scores=scores)
    signed_in(page, live_server, running_clock, users["staff"])
    page.goto(live_server.url + "/sorting/points/")
    wait_until(page, "document.getElementById('points-map').dataset.ready === '1'")
    assert page.evaluate("document.getElementById('points-map').dataset.count") == "1"
    # One dot, green (passed at 100), drawn on the map's canvas.
    assert page.evaluate("document.getElementById('points-map').dataset.colors") == "#2e8b57"
    expect(page.locator("#points-map canvas")).not_to_have_count(0)
    assert "康乐苑1号箱房" in page.locator("#points").inner_text()
