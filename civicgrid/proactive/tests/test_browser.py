"""In a real browser, the 城运中心's operator sees proactive governance at work: the dashboard's
hotspot map colours the hot micro-grid by its trend (with the trend legend) and lists the
一弄一案 item; the 主动治理 page lists the item with its status and the hotspot with its trend;
from the hotspot's page the operator sends a patrol task to the grid worker, which is stored
with the hotspot as its source."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civicgrid.cases import services as case_services
from civicgrid.proactive import hotspots, services
from civicgrid.proactive.choices import Trend
from civicgrid.proactive.models import HotspotCell, PatrolTask, StandingProblem
from civicgrid.proactive.reports import TREND_COLOURS
from civicgrid.testing.browser import login, screenshot, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ADDRESS = "秀沿路1501弄12号"
GROUP_0 = (121.502, 31.107)  # inside micro-grid 0's first building group


@pytest.fixture
def street(users, garbage, tree, settings):
    """Five reports of exposed garbage at one address of micro-grid 0 over the last five days:
    a 一弄一案 item and a hotspot. No neighbours: each cell stands alone, and on the test tree's
    four micro-grids one cell holding every case reaches Gi* √3 ≈ 1.73, hot at 1.5."""
    settings.CIVICGRID_PROACTIVE_NEIGHBOUR_M = -1
    settings.CIVICGRID_PROACTIVE_HOT_MIN = 3
    settings.CIVICGRID_PROACTIVE_HOT_Z = 1.5
    now = timezone.now()
    for days in (5, 4, 3, 2, 1):
        case_services.do_report(
            user=users["operator"],
            category=garbage,
            description="楼下垃圾又堆起来了，味道很大",
            source="resident",
            lon=GROUP_0[0],
            lat=GROUP_0[1],
            address=ADDRESS,
            reporter_name="居民",
            reporter_phone="13900001111",
            now=now - datetime.timedelta(days=days, hours=1),
        )
    services.do_detect(now=now)
    hotspots.compute(timezone.localdate() - datetime.timedelta(days=1))
    cell = HotspotCell.objects.get(category__isnull=True, micro_grid=tree["micro_grids"][0])
    assert cell.trend in TREND_COLOURS, cell.trend
    return {"item": StandingProblem.objects.get(), "cell": cell}


def test_hotspot_map_problem_list_and_a_patrol_task(page, live_server, users, garbage, street):
    cell, item = street["cell"], street["item"]
    trend = Trend(cell.trend)
    label = str(trend.label)
    login(page, live_server, "operator")

    # The dashboard: the hot micro-grid drawn in its trend's colour, the legend, the item.
    page.goto(f"{live_server.url}/dashboard/")
    tile = page.locator("#proactive-tile")
    tile.wait_for()
    # The map draws on a canvas (Leaflet's preferCanvas): read the fill colours of its shapes.
    fills = (
        "(() => { const m = (window.civicgrid || {}).maps && window.civicgrid.maps['proactive-map'];"
        " if (!m) return null; const out = [];"
        " m.eachLayer(l => { if (l.feature && l.options) out.push(l.options.fillColor); });"
        " return out.length ? out : null; })()"
    )
    wait_until(page, fills)
    assert TREND_COLOURS[trend] in page.evaluate(fills)
    legend = tile.locator(".legend").inner_text()
    assert f"{label} 1" in legend
    assert item.title in page.locator("#proactive-problems").inner_text()
    screenshot(page, "proactive-dashboard-map")

    # 主动治理: the item with its status, the hotspot with its trend.
    page.click("#proactive-tile >> text=查看主动治理")
    page.locator("#problems").wait_for()
    row = page.locator(f"#problem-{item.pk}")
    assert item.title in row.inner_text() and item.get_state_display() in row.inner_text()
    hot = page.locator("#hotspots tbody tr", has_text=label)
    expect(hot).to_have_count(1)
    screenshot(page, "proactive-index")

    # The hotspot's page: a patrol task for the grid worker.
    hot.locator("a").click()
    page.locator("#trend").wait_for()
    assert page.locator("#trend").inner_text() == label
    page.click("#task-form summary")
    page.select_option("#t-assignee", str(users["worker"].pk))
    page.select_option("#t-category", str(garbage.pk))
    page.fill("#t-look", "垃圾是否复堆，箱房周边有无散落")
    page.click("#task-form button[type=submit]")
    page.wait_for_selector(".messages, #proactive-errors")
    assert page.locator("#proactive-errors").count() == 0, page.locator(
        "#proactive-errors"
    ).inner_text()
    assert "巡查任务已派发" in page.locator(".messages").inner_text()
    assert "垃圾是否复堆" in page.locator("#tasks").inner_text()
    screenshot(page, "proactive-hotspot-task")
    task = PatrolTask.objects.get()
    assert (task.hotspot, task.assignee, task.micro_grid) == (
        cell,
        users["worker"],
        cell.micro_grid,
    )
