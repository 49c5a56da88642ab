"""A grid worker's phone forms at 360×740 in chromium: the error summary at the top after a
failed submit, the character counter, a report kept on the phone without signal and sent when
the connection returns (one case), the photo viewer on the case page, "其余全部正常" leaving a
line just marked 有问题, the household search with full-width digits and the householder's name,
and the grid's reports waiting for 立案.

Saves docs/screenshots/phone-errors.png, phone-offline.png and phone-photo-viewer.png."""

import datetime
import io
import json

import pytest
from PIL import Image
from playwright.sync_api import expect

from civicgrid.accounts.choices import Role
from civicgrid.cases import services as cases
from civicgrid.cases.models import Case
from civicgrid.fieldwork.choices import FindingResult
from civicgrid.fieldwork.models import ChecklistItem, Patrol, PatrolFinding
from civicgrid.testing.browser import (
    HeldAnswer,
    ensure_migration_data,
    login,
    screenshot,
    wait_until,
    wait_until_photo_shown,
)
from civicgrid.testing.factories import UserFactory, assign_post, make_tree
from civicgrid.testing.images import photo
from civicgrid.testing.people import add_household
from civicgrid.testing.world import IN_MICRO, category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def jpeg(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def world():
    ensure_migration_data()
    tree = make_tree()
    worker = UserFactory(username="wangxy", role=Role.GRID_WORKER, first_name="王秀英")
    assign_post(worker, tree["micro_grids"][0])
    operator = UserFactory(username="operator", role=Role.OPERATOR)
    return {"tree": tree, "worker": worker, "operator": operator}


def in_view(page, selector) -> bool:
    return page.evaluate(
        # A pixel of slack: scrolled to an element on a fractional offset, its top reads -0.5.
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= -1 && r.top < window.innerHeight; }""",
        selector,
    )


def test_a_failed_report_shows_every_error_at_the_top(phone_page, live_server, world):
    page = phone_page
    login(page, live_server, "wangxy")
    page.goto(live_server.url + "/m/report/")
    # The counter tells how much may still be typed; a paste over the limit is not cut.
    page.fill("#id_description", "楼道堆物")
    assert page.locator("#id_description-counter").inner_text() == "还可输入 1996 字"
    page.fill("#id_description", "长" * 2005)
    assert page.locator("#id_description-counter").inner_text() == "已超出 5 字"
    assert len(page.input_value("#id_description")) == 2005
    page.fill("#id_description", "")
    page.locator("#report-form button[type=submit]").scroll_into_view_if_needed()
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    summary = page.locator("[data-error-summary]")
    text = summary.inner_text()
    assert "请选择问题类别" in text and "请填写问题描述" in text
    assert "这个字段是必填项" not in page.content() and "该字段是必填项" not in page.content()
    # Scrolled to and focused, so a screen reader and a thumb both land on it.
    assert in_view(page, "[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    screenshot(page, "phone-errors")
    # Its link takes the focus to the field.
    summary.get_by_text("请填写问题描述").click()
    assert page.evaluate("document.activeElement.id") == "id_description"
    assert not Case.objects.exists()


def report_offline(page, live_server, description, photos=()):
    """The grid worker signs in and sends a 楼道堆物 report from the phone without signal."""
    login(page, live_server, "wangxy")
    page.goto(live_server.url + "/m/report/")
    page.context.set_offline(True)
    page.select_option("#id_category", label="楼道堆物")
    page.fill("#id_description", description)
    if photos:
        page.set_input_files("#id_photos", files=list(photos))
    page.click("#report-form button[type=submit]")


def test_a_report_without_signal_is_kept_and_sent_once_back_online(phone_page, live_server, world):
    page = phone_page
    report_offline(
        page,
        live_server,
        "地下车库入口堆放建筑垃圾",
        photos=[{"name": "garage.jpg", "mimeType": "image/jpeg", "buffer": jpeg((120, 90, 60))}],
    )
    wait_until(
        page, "document.querySelector('[data-outbox-status]').textContent.includes('已保存')"
    )
    assert page.locator("[data-outbox-status]").inner_text() == "已保存，联网后自动发送"
    assert page.locator("[data-outbox-count]").inner_text() == "1"
    assert page.input_value("#id_description") == ""  # ready for the next one
    screenshot(page, "phone-offline")
    assert not Case.objects.exists()

    page.context.set_offline(False)
    wait_until(page, "document.querySelector('[data-outbox]').hidden === true", 20_000)
    assert "暂存的上报已发送" in page.locator("[data-outbox-status]").inner_text()
    case = Case.objects.get()
    assert case.description == "地下车库入口堆放建筑垃圾" and case.client_key is not None
    assert case.reporter_user == world["worker"] and case.attachments.count() == 1
    # A later visit has nothing left to send: still one case.
    page.goto(live_server.url + "/m/")
    page.wait_for_timeout(500)
    assert Case.objects.count() == 1


def test_the_case_photos_open_in_the_viewer(phone_page, live_server, world):
    lon, lat = IN_MICRO[0]
    case = cases.do_report(
        user=world["operator"],
        category=category("community", "0101"),
        description="楼道堆放纸箱",
        lon=lon,
        lat=lat,
        source="resident",
        photos=[
            photo(jpeg((200, 60, 40)), name="one.jpg"),
            photo(jpeg((40, 60, 200)), name="two.jpg"),
        ],
    ).case
    page = phone_page
    login(page, live_server, "wangxy")
    page.goto(f"{live_server.url}/m/cases/{case.number}/")
    thumbs = page.locator("[data-photo-viewer] img")
    expect(thumbs).to_have_count(2)
    # Thumbnails, not the photos scaled down: the server sends a small picture.
    wait_until(
        page,
        "[...document.querySelectorAll('[data-photo-viewer] img')].every(i => i.complete && i.naturalWidth > 0)",
    )
    assert page.evaluate("document.querySelector('[data-photo-viewer] img').naturalWidth") <= 320
    # The full photo arrives late, as on a slow network: once it has come, rotate turns it.
    held = HeldAnswer(page, "**/file")
    thumbs.first.click()
    page.wait_for_selector(".viewer-container.viewer-in")
    wait_until(page, "document.querySelector('.viewer-canvas img') !== null")
    assert "/file" in page.evaluate("document.querySelector('.viewer-canvas img').src")
    first_src = page.evaluate("document.querySelector('.viewer-canvas img').src")
    held.release()
    wait_until_photo_shown(page)
    page.click(".viewer-toolbar .viewer-rotate-right")
    wait_until(
        page,
        "document.querySelector('.viewer-canvas img').style.transform.includes('rotate(90deg)')",
    )
    page.click(".viewer-toolbar .viewer-zoom-in")
    page.click(".viewer-toolbar .viewer-next")
    wait_until(page, f"document.querySelector('.viewer-canvas img').src !== '{first_src}'")
    screenshot(page, "phone-photo-viewer")
    page.keyboard.press("Escape")


def test_rest_ok_leaves_the_line_just_marked_as_a_problem(phone_page, live_server, world):
    page = phone_page
    login(page, live_server, "wangxy")
    page.goto(live_server.url + "/m/patrols/")
    page.click("main form button[type=submit]")
    patrol = Patrol.objects.get()
    first = ChecklistItem.objects.filter(is_active=True).order_by("pk").first()
    line = page.locator(f"#item-{first.pk}")
    # 有问题 without the note it needs: refused, the line says so and stays unsaved.
    line.locator("button.danger").click()
    wait_until(page, f"document.querySelector('#item-{first.pk} .error') !== null")
    with page.expect_navigation():
        page.click("form[data-rest-ok] button[type=submit]")
    findings = PatrolFinding.objects.filter(patrol=patrol)
    assert not findings.filter(item=first).exists()
    assert (
        findings.filter(result=FindingResult.OK).count()
        == ChecklistItem.objects.filter(is_active=True).count() - 1
    )
    assert "尚未保存" in page.locator(".messages").inner_text()


def test_household_search_by_full_width_number_and_householder(phone_page, live_server, world):
    tree = world["tree"]
    household = add_household(tree["building_groups"][0], 12)
    head = household.residents.get(relation_to_head="户主")
    page = phone_page
    login(page, live_server, "wangxy")
    page.goto(live_server.url + "/m/visits/new/")
    page.fill("#q", "１５０１弄１２号")
    page.click("form[role=search] button[type=submit]")
    assert "秀沿路1501弄12号" in page.locator(".fw-list").inner_text()
    page.fill("#q", head.name)
    page.click("form[role=search] button[type=submit]")
    assert head.name in page.locator(".fw-list").inner_text()


def test_the_grids_reports_waiting_for_filing(phone_page, live_server, world):
    lon, lat = IN_MICRO[0]
    waiting = cases.do_report(
        user=None,
        category=category("community", "0101"),
        description="楼道堆物待立案",
        lon=lon,
        lat=lat,
        source="resident",
        reporter_phone="13912345678",
    ).case
    filed = cases.do_report(
        user=None,
        category=category("community", "0101"),
        description="已经立案的",
        lon=lon,
        lat=lat,
        source="resident",
        reporter_phone="13912345678",
    ).case
    cases.do_file(filed, world["operator"])
    page = phone_page
    login(page, live_server, "wangxy")
    page.click("text=待立案")
    listed = page.locator("#waiting-list").inner_text()
    assert waiting.number in listed and filed.number not in listed
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_kept_report_waits_for_the_sign_in_when_the_session_has_ended(
    phone_page, live_server, world
):
    """Back online with the session ended (a shift's phone left overnight), the kept report is
    not sent, nor marked refused: it waits, and goes once the worker has signed in again."""
    page = phone_page
    report_offline(page, live_server, "消防通道被电瓶车占用")
    wait_until(page, "document.querySelector('[data-outbox-count]').textContent === '1'")
    # The session has ended (expired, or signed out elsewhere); the CSRF cookie stays.
    page.context.clear_cookies(name="sessionid")
    page.context.set_offline(False)
    page.wait_for_timeout(1500)  # the queue tried, and was told to sign in
    assert page.locator("[data-outbox-count]").inner_text() == "1"
    assert page.locator("[data-outbox] .error").count() == 0  # not a refusal
    assert not Case.objects.exists()

    login(page, live_server, "wangxy", next_url="/m/report/")
    # The page after the sign-in draws the outbox hidden until it has read the phone's store:
    # the sign that the report went is the status line naming its case.
    wait_until(
        page,
        "document.querySelector('[data-outbox-status]').textContent.includes('暂存的上报已发送')",
        20_000,
    )
    assert page.locator("[data-outbox]").is_hidden()
    assert Case.objects.get().description == "消防通道被电瓶车占用"


def test_route_points_taken_after_the_session_ended_are_sent_after_the_sign_in(
    phone_page, live_server, world
):
    """A patrol's positions that the server refused because the session had ended stay on the
    phone (its storage, not only the page), so going to the login and back loses none; a point
    sent twice (on leaving the page, then from storage) counts once."""
    page = phone_page
    lon, lat = IN_MICRO[0]
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 10})
    login(page, live_server, "wangxy")
    page.goto(live_server.url + "/m/patrols/")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    status = "document.querySelector('[data-patrol-route] .fw-status').textContent"
    wait_until(page, f"{status}.includes('1')")
    patrol = Patrol.objects.get()

    page.context.clear_cookies(name="sessionid")  # the session has ended
    for step in range(1, 6):  # walking on: the fifth point makes a batch, refused (401)
        page.context.set_geolocation({"longitude": lon + 0.0004 * step, "latitude": lat})
        page.wait_for_timeout(150)
    stored = f"localStorage.getItem('civicgrid-route:/m/patrols/{patrol.pk}/points/')"
    wait_until(page, f"JSON.parse({stored} || '[]').length === 5")
    patrol.refresh_from_db()
    assert len(patrol.route) == 1

    login(page, live_server, "wangxy", next_url=f"/m/patrols/{patrol.pk}/")
    wait_until(page, f"{status}.includes('6')")
    patrol.refresh_from_db()
    assert [p[0] for p in patrol.route] == [round(lon + 0.0004 * step, 6) for step in range(6)]
    # What the phone still keeps is only what it took since (the position on the page's load).
    left = page.evaluate(stored)
    last = datetime.datetime.fromisoformat(patrol.route[-1][2])
    assert all(
        datetime.datetime.fromisoformat(p[2].replace("Z", "+00:00")) > last
        for p in json.loads(left or "[]")
    )
