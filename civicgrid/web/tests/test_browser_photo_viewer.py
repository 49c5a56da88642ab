"""The photos of a case on the console's case page (1280 px): thumbnails from the server, a tap
opens the viewer — zoom in, rotate, next photo — and Escape closes it; the page's
Content-Security-Policy stays clean (the page fixture fails on any refusal).

Saves docs/screenshots/console-photo-viewer.png."""

import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from civicgrid.accounts.choices import Role
from civicgrid.cases import services as cases
from civicgrid.testing.browser import (
    ensure_migration_data,
    login,
    screenshot,
    wait_until,
    wait_until_photo_shown,
)
from civicgrid.testing.factories import UserFactory, make_tree
from civicgrid.testing.images import photo
from civicgrid.testing.world import IN_MICRO, category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def picture(color, label) -> bytes:
    im = Image.new("RGB", (1200, 800), color)
    ImageDraw.Draw(im).rectangle([100, 100, 500, 400], outline=(255, 255, 255), width=12)
    buffer = io.BytesIO()
    im.save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_console_case_photos_open_in_the_viewer(page, live_server):
    ensure_migration_data()
    make_tree()
    operator = UserFactory(username="operator", role=Role.OPERATOR, is_staff=True)
    case = cases.do_report(
        user=operator,
        category=category("community", "0101"),
        description="楼道堆放纸箱和旧家具",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        source="resident",
        photos=[
            photo(picture((170, 120, 80), "a"), name="a.jpg"),
            photo(picture((60, 110, 160), "b"), name="b.jpg"),
        ],
    ).case
    login(page, live_server, "operator")
    page.goto(f"{live_server.url}/console/case/{case.number}/")
    thumbs = page.locator("[data-photo-viewer] img")
    expect(thumbs).to_have_count(2)
    wait_until(
        page,
        "[...document.querySelectorAll('[data-photo-viewer] img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
    )
    # The server's thumbnail, not the 1200 px photo scaled by CSS.
    assert page.evaluate("document.querySelector('[data-photo-viewer] img').naturalWidth") == 320
    assert "/thumb" in page.evaluate("document.querySelector('[data-photo-viewer] img').src")
    thumbs.first.click()
    page.wait_for_selector(".viewer-container.viewer-in")
    wait_until(page, "document.querySelector('.viewer-canvas img') !== null")
    image = ".viewer-canvas img"
    first = page.evaluate(f"document.querySelector('{image}').src")
    assert first.endswith("/file")
    # The viewer ignores zoom while it is still opening: wait until it has drawn the photo.
    wait_until_photo_shown(page)
    width = page.evaluate(f"document.querySelector('{image}').getBoundingClientRect().width")
    page.click(".viewer-toolbar .viewer-zoom-in")
    wait_until(
        page, f"document.querySelector('{image}').getBoundingClientRect().width > {width} + 1"
    )
    page.click(".viewer-toolbar .viewer-rotate-right")
    wait_until(page, f"document.querySelector('{image}').style.transform.includes('rotate(90deg)')")
    screenshot(page, "console-photo-viewer")
    page.click(".viewer-toolbar .viewer-next")
    wait_until(page, f"document.querySelector('{image}').src !== '{first}'")
    page.keyboard.press("Escape")
    wait_until(page, "!document.querySelector('.viewer-container.viewer-in')")
    assert page.url.endswith(f"/console/case/{case.number}/")  # never left the case page
