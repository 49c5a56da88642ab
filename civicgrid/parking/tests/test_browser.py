"""A resident books a shared space on a 360 px phone, in chromium: find a free slot, book it,
arrive and leave. Saves docs/screenshots/phone-parking-find.png and phone-parking-me.png."""

import pytest
from playwright.sync_api import expect

from civicgrid.parking.models import Booking
from civicgrid.testing.browser import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_resident_books_arrives_and_leaves(phone_page, live_server, parking):
    # The clock stands at Monday 2026-11-23 10:00 (the kit's clock).
    page = phone_page
    login(page, live_server, "resident2")
    page.goto(live_server.url + "/parking/me/")
    page.click("#find-link")
    offer = page.locator(f"#offer-{parking['offer'].pk}")
    assert "A-001" in offer.inner_text() and "10:00–18:00" in offer.inner_text()
    # The end before the start: the message says so and nothing is saved.
    page.select_option(f"#s-{parking['offer'].pk}", index=2)  # 12:00
    page.select_option(f"#e-{parking['offer'].pk}", index=0)  # 11:00
    offer.locator("button[type=submit]").click()
    expect(page.locator("#parking-errors")).to_contain_text("结束时间须晚于开始时间")
    assert not Booking.objects.exists()
    offer = page.locator(f"#offer-{parking['offer'].pk}")
    page.select_option(f"#s-{parking['offer'].pk}", index=0)  # 10:00
    page.select_option(f"#e-{parking['offer'].pk}", index=1)  # 12:00
    assert "沪A***45" in page.content() and "沪A12345" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone-parking-find", full_page=True)
    offer.locator("button[type=submit]").click()
    expect(page.locator(".message").first).to_contain_text("预约成功")
    booking = Booking.objects.get()
    assert booking.state == "confirmed" and booking.hours == 2
    card = page.locator(f"#booking-{booking.pk}")
    card.locator("button[value=arrive]").click()
    expect(page.locator(".message").first).to_contain_text("已登记停入")
    screenshot(page, "phone-parking-me", full_page=True)
    page.locator(f"#booking-{booking.pk} button[value=leave]").click()
    booking.refresh_from_db()
    assert booking.state == "completed"
    assert [e.to_state for e in booking.events.order_by("id")] == [
        "requested",
        "confirmed",
        "parked",
        "completed",
    ]
