"""A leader opens the dashboard in chromium and drills down street → community → micro-grid →
the grid's cases; the big screen at 1920×1080. Realistic data: the demo builders on a small street
(3 communities, 24 micro-grids) with 300 cases through the services.

Saves docs/screenshots/dashboard.png (1280×800) and docs/screenshots/big-screen.png (1920×1080)."""

import re

import pytest
import shapely.geometry
from playwright.sync_api import expect

from civicgrid.demo.builder import DemoParams, build_demo_street
from civicgrid.demo.cases import build_demo_cases
from civicgrid.demo.logins import PASSWORDS
from civicgrid.grids.models import Grid
from civicgrid.testing.browser import (
    HeldAnswer,
    _context,
    ensure_migration_data,
    login,
    screenshot,
    wait_until,
)

# serialized_rollback: the flush after a transactional test would drop the seeded categories and
# the calendar for the tests after it.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STREET = DemoParams(
    seed=2023, communities=3, micro_grids_per_street=24, households_per_building_group=1
)


@pytest.fixture
def demo():
    ensure_migration_data()
    build_demo_street(STREET)
    build_demo_cases(300, seed=2023)


def _charts_drawn(page):
    wait_until(
        page,
        "() => window.civicgridDashboard && document.querySelector('#chart-day canvas')"
        " && document.querySelector('#grid-map .leaflet-overlay-pane canvas')"
        # the map has settled on the grids (fitBounds' zoom animation over, shapes projected)
        " && window.civicgridDashboard.map.layer.getLayers().every(l => l._parts && l._parts.length)",
    )


@pytest.mark.long(25)
def test_leader_drills_down_and_the_big_screen(demo, page, browser, live_server):
    login(page, live_server, "leader", PASSWORDS["leader"])
    page.goto(f"{live_server.url}/dashboard/")
    _charts_drawn(page)
    assert page.locator("h1").inner_text().startswith("运行态势")
    assert int(page.locator("#kpi-period").inner_text()) > 0
    assert page.locator("#dept-ranking tbody tr").count() >= 3
    expect(page.locator("#recurring tbody tr")).to_have_count(5)
    page.wait_for_timeout(500)
    screenshot(page, "dashboard")

    # Street → community: the units table lists the communities under their 片区.
    page.locator("#children tbody tr:not(.area-row) a").first.click()
    page.wait_for_url(re.compile(r"grid=\d+"))
    _charts_drawn(page)
    community = page.locator(".crumbs [aria-current=page]").inner_text()
    assert "网格" in page.locator("#children tbody a").first.inner_text()

    # A click on the map opens that micro-grid's cases; back to the community.
    community_url = page.url
    # A point inside one of the community's micro-grids, in page pixels.
    code = re.search(r"grid=(\d+)", page.url).group(1)
    micro_grid = Grid.objects.filter(parent__code=code).order_by("code").first()
    inside = shapely.geometry.shape(micro_grid.geometry).representative_point()
    x, y = page.evaluate(
        """([lon, lat]) => {
          const map = window.civicgridDashboard.map.map;
          const p = map.latLngToContainerPoint([lat, lon]);
          const r = map.getContainer().getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }""",
        [inside.x, inside.y],
    )
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"/dashboard/grid/{micro_grid.code}/cases/"))
    assert page.locator("h1").inner_text() == f"{micro_grid.name}的案件"
    page.goto(community_url)
    _charts_drawn(page)

    # Community → micro-grid.
    page.locator("#children tbody a").first.click()
    page.wait_for_url(re.compile(r"grid=\d{15}"))
    _charts_drawn(page)
    assert community in page.locator(".crumbs").inner_text()
    micro = page.locator(".crumbs [aria-current=page]").inner_text()
    assert "网格" in micro

    # Micro-grid → its cases, each linked to the console's case page.
    page.get_by_role("link", name="查看本网格案件").click()
    page.wait_for_url(re.compile(r"/dashboard/grid/\d+/cases/"))
    with page.expect_navigation():
        page.get_by_role("link", name="全部").click()
    links = page.locator("#grid-cases a[href^='/console/case/']")
    expect(links).not_to_have_count(0)

    # The big screen, in its own 1920×1080 context with the same session.
    context = _context(browser, viewport={"width": 1920, "height": 1080})
    context.add_cookies(page.context.cookies())
    screen = context.new_page()
    screen.goto(f"{live_server.url}/dashboard/screen/")
    _charts_drawn(screen)
    wait_until(screen, "() => document.querySelector('#chart-categories canvas')")
    size = screen.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size == [1920, 1080], size  # no scrolling
    # What the screen fetches every minute answers with the same figures.
    fresh = screen.evaluate(
        "() => fetch(document.body.dataset.source, {credentials: 'same-origin'}).then(r => r.json())"
    )
    assert fresh["kpi"]["open"] == int(screen.locator("#kpi-open").inner_text())
    assert screen.evaluate("() => document.body.dataset.refresh") == "60"
    # Two refreshes in flight: the first one's answer, held back and made to differ, comes back
    # after the second's and must not put its older figures on the screen.
    held = HeldAnswer(screen, re.compile(r"/dashboard/data"))
    with screen.expect_request(re.compile(r"/dashboard/data")):
        screen.evaluate("() => window.civicgridDashboard.refresh()")
    with screen.expect_request_finished(lambda r: "/dashboard/data" in r.url):
        screen.evaluate("() => window.civicgridDashboard.refresh()")
    screen.wait_for_timeout(100)

    def older(figures):
        figures["kpi"]["open"] += 1000
        return figures

    held.release(edit=older)
    assert int(screen.locator("#kpi-open").inner_text()) == fresh["kpi"]["open"]
    screen.wait_for_timeout(300)
    screenshot(screen, "big-screen")
    context.close()

    # On a phone the dashboard fits the screen's width: its tiles go two by two and a wide
    # table scrolls by itself (the quality tiles and the tables pushed the page sideways).
    phone = _context(browser, viewport={"width": 375, "height": 740})
    phone.add_cookies(page.context.cookies())
    small = phone.new_page()
    small.goto(f"{live_server.url}/dashboard/")
    _charts_drawn(small)
    assert small.evaluate("document.documentElement.scrollWidth") <= 375
    phone.close()
