"""A resident on a 360 px phone after reporting: the report form answers every mistake at once
with a summary at the top; on the case's link page they add a note and a photo, open the photos
in the viewer, and withdraw a report that waits for 立案; a case sent back by a department reads
as 处理中 and a refused one gives its reason and what to do next.

Saves docs/screenshots/resident-errors.png, resident-add-info.png and resident-not-filed.png."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from civicgrid.accounts.choices import Role
from civicgrid.cases import services as case_services
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.browser import ensure_migration_data, screenshot, wait_until
from civicgrid.testing.factories import DepartmentFactory, UserFactory, make_tree
from civicgrid.testing.images import photo
from civicgrid.testing.world import IN_MICRO, category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def jpeg(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def world():
    ensure_migration_data()
    make_tree()
    department = DepartmentFactory(name="康桥城管中队", code="CGZD")
    return {
        "operator": UserFactory(username="operator", role=Role.OPERATOR, is_staff=True),
        "chief": UserFactory(username="chief", role=Role.SHIFT_CHIEF, is_staff=True),
        "handler": UserFactory(username="handler", role=Role.DEPT_HANDLER, department=department),
        "department": department,
    }


def report(**fields):
    lon, lat = IN_MICRO[0]
    return case_services.do_report(
        user=None,
        source="resident",
        category=category("community", "0101"),
        description="3号楼2楼楼道堆放纸箱",
        lon=lon,
        lat=lat,
        reporter_name="陈敏",
        reporter_phone="13912345678",
        **fields,
    ).case


def test_the_report_form_answers_every_mistake_at_once(phone_page, live_server, world):
    page = phone_page
    page.goto(live_server.url + "/resident/report/")
    page.select_option("#id_category", label="楼道堆物")
    page.fill("#id_description", "楼道里堆满了纸箱")
    page.fill("#id_reporter_phone", "1391234567x")
    page.fill("#id_reporter_email", "chen@")
    page.set_input_files(
        "#id_photo", files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"hello"}]
    )
    page.locator("#report-form button[type=submit]").scroll_into_view_if_needed()
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    text = page.locator("[data-error-summary]").inner_text()
    assert "联系电话格式不正确" in text
    assert "电子邮箱格式不正确" in text
    assert "文件不是有效的图片" in text
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert (
        page.evaluate("document.querySelector('[data-error-summary]').getBoundingClientRect().top")
        >= 0
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "resident-errors")
    assert not Case.objects.exists()


def test_adding_a_note_and_a_photo_then_viewing_the_photos(phone_page, live_server, world):
    case = report(photos=[photo(jpeg((200, 80, 40)), name="first.jpg")])
    page = phone_page
    page.goto(f"{live_server.url}/resident/t/{case.public_token}/")
    assert page.locator(".case-head .badge").inner_text() == "已受理，待立案"
    page.fill("#add-info textarea[name=note]", "北侧楼梯也堆满了,晚上看不清")
    assert "还可输入" in page.locator("#add-info .counter").inner_text()
    page.set_input_files(
        "#add-info input[name=photos]",
        files=[{"name": "north.jpg", "mimeType": "image/jpeg", "buffer": jpeg((40, 80, 200))}],
    )
    with page.expect_navigation():
        page.click("#add-info button[type=submit]")
    assert "已补充" in page.locator(".messages").inner_text()
    assert "北侧楼梯也堆满了" in page.locator("#timeline").inner_text()
    assert CaseEvent.objects.filter(case=case, action="add_info").count() == 1
    thumbs = page.locator("#photos [data-photo-viewer] img")
    expect(thumbs).to_have_count(2)
    screenshot(page, "resident-add-info")
    thumbs.first.click()
    page.wait_for_selector(".viewer-container.viewer-in")
    wait_until(page, "document.querySelector('.viewer-canvas img') !== null")
    first = page.evaluate("document.querySelector('.viewer-canvas img').src")
    page.click(".viewer-toolbar .viewer-next")
    wait_until(page, f"document.querySelector('.viewer-canvas img').src !== '{first}'")
    page.keyboard.press("Escape")


def test_withdrawing_a_report_before_it_is_filed(phone_page, live_server, world):
    case = report()
    page = phone_page
    page.goto(f"{live_server.url}/resident/t/{case.public_token}/")
    page.click("#withdraw summary")
    page.fill("#withdraw textarea[name=reason]", "物业已经清理了")
    with page.expect_navigation():
        page.click("#withdraw button[type=submit]")
    assert page.locator(".case-head .badge").inner_text() == "已撤销"
    assert "您已撤销本次反映" in page.locator("#timeline").inner_text()
    expect(page.locator("#withdraw")).to_have_count(0)
    expect(page.locator("#add-info")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_returned_reads_in_hand_and_refused_gives_the_reason(phone_page, live_server, world):
    returned = report()
    case_services.do_file(returned, world["operator"])
    case_services.do_dispatch(returned, world["operator"], department=world["department"])
    case_services.do_return(returned, world["handler"], reason="不属于本中队职责")
    refused = report()
    case_services.do_refuse_filing(
        refused, world["chief"], reason="属于小区物业维修范围,已转告物业"
    )
    page = phone_page
    page.goto(f"{live_server.url}/resident/t/{returned.public_token}/")
    assert page.locator(".case-head .badge").inner_text() == "处理中"
    assert "退回" not in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/resident/t/{refused.public_token}/")
    assert "属于小区物业维修范围" in page.locator("#refusal-reason").inner_text()
    assert "12345" in page.locator("#next-step").inner_text()
    screenshot(page, "resident-not-filed")
