"""The big screen at 1920×1080 as the 城运中心 sees it on the wall: every department of the
ranking comes into view (the table scrolls by itself and stops under the pointer), the map has a
colour legend, and the screen shows the time of its last refresh and a running clock."""

import re

import pytest
from playwright.sync_api import expect

from civicgrid.dashboard.tests.test_browser import _charts_drawn, demo  # noqa: F401
from civicgrid.demo.logins import PASSWORDS
from civicgrid.testing.browser import _context, login, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INSIDE = """() => {
  const box = document.getElementById('dept-scroller').getBoundingClientRect();
  const rows = document.querySelectorAll('#dept-ranking tbody tr');
  const last = rows[rows.length - 1].getBoundingClientRect();
  return last.top >= box.top - 1 && last.bottom <= box.bottom + 1;
}"""


@pytest.mark.long(20)
def test_every_department_comes_into_view_with_legend_and_clock(demo, page, browser, live_server):  # noqa: F811
    login(page, live_server, "leader", PASSWORDS["leader"])
    context = _context(browser, viewport={"width": 1920, "height": 1080})
    context.add_cookies(page.context.cookies())
    screen = context.new_page()
    screen.goto(f"{live_server.url}/dashboard/screen/")
    _charts_drawn(screen)

    rows = screen.locator("#dept-ranking tbody tr")
    count = rows.count()
    assert count > 5  # more than the box holds: the old screen cut the ranking after row 5
    assert screen.locator("#dept-count").inner_text() == f"共 {count} 个"
    last_rank = rows.nth(count - 1).locator("td").first.inner_text()
    assert last_rank == str(count)
    # At first the worst departments are below the box; the table is scrolling by itself.
    assert screen.evaluate(INSIDE) is False
    expect(screen.locator("#dept-scroller.scrolling")).to_have_count(1)
    animation = "document.querySelector('#dept-ranking').getAnimations()[0]"
    assert screen.evaluate(f"() => {animation}.playState") == "running"
    # Half-way through a cycle (the far end of the alternate run) the last one is in view.
    screen.evaluate(
        f"() => {{ const a = {animation}; const t = a.effect.getTiming();"
        " a.currentTime = t.delay + t.duration * 0.95; }"
    )
    wait_until(screen, INSIDE)
    # Under the pointer the table stops, to be read.
    screen.locator("#dept-scroller").hover()
    wait_until(screen, f"() => {animation}.playState === 'paused'")
    screen.mouse.move(5, 5)
    wait_until(screen, f"() => {animation}.playState === 'running'")

    # The map's legend says what the colours count, and follows the metric.
    legend = screen.locator("#map-legend")
    assert legend.is_visible()
    assert screen.locator("#legend-title").inner_text() == "在办案件数"
    screen.locator("[data-map-metric=overdue]").click()
    expect(screen.locator("#legend-title")).to_have_text("超期案件数")
    assert int(screen.locator("#legend-max").inner_text()) >= 1

    # The last refresh and a clock that runs.
    assert re.fullmatch(r"更新于 \d\d:\d\d:\d\d", screen.locator("#updated-at").inner_text())
    clock = screen.locator("#clock")
    first = clock.inner_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first)
    wait_until(screen, f"() => document.getElementById('clock').textContent !== '{first}'")
    # Still one 1920×1080 page without scrolling.
    size = screen.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size == [1920, 1080], size
    context.close()
