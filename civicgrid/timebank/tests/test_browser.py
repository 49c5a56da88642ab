"""A volunteer records a service on a 360 px phone, in chromium, and sees it wait for the
coordinator; verified, the balance shows it."""

import pytest

from civicgrid.testing.browser import login
from civicgrid.timebank import services
from civicgrid.timebank.models import ServiceRecord

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_volunteer_records_a_service(phone_page, live_server, bank, users):
    page = phone_page
    login(page, live_server, "resident")
    page.goto(live_server.url + "/timebank/me/")
    page.click("#record-form summary")
    page.select_option("#r-project", str(bank["meals"].pk))
    page.fill("#r-activity", "长者食堂帮厨")
    page.fill("#r-start", "2026-11-23T07:00")
    page.fill("#r-end", "2026-11-23T06:00")
    page.click("#record-form button[type=submit]")
    assert "结束时间须晚于开始时间" in page.locator("#timebank-errors").inner_text()
    assert not ServiceRecord.objects.exists()
    page.fill("#r-end", "2026-11-23T09:00")
    page.click("#record-form button[type=submit]")
    assert "等待项目协调人审核" in page.locator(".message").first.inner_text()
    record = ServiceRecord.objects.get()
    assert (record.state, record.minutes) == ("submitted", 120)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    services.do_verify(record, users["staff"])
    page.reload()
    assert page.locator("#balance strong").inner_text() == "2.0"
