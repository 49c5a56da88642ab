"""In a real browser: the 案件处置单 as it prints, the Excel download of a filtered queue, the
operator's clustered case map, the dashboard's heat map and a handler's search of closed cases.
Saves screenshots for the README."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from civicgrid.accounts.choices import Role
from civicgrid.cases import services
from civicgrid.cases.models import Category
from civicgrid.grids.models import Grid
from civicgrid.testing.browser import HeldAnswer, login, screenshot, wait_until
from civicgrid.testing.factories import DepartmentFactory, UserFactory, make_tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COMMUNITIES = ["康桥半岛居委", "汤巷馨村居委"]
# make_tree(): community c spans lon 121.5+0.01c … +0.01, micro-grids N→S (lat 31.11 → 31.10).
POINTS = [(121.5032, 31.1078), (121.5071, 31.1021), (121.5125, 31.1066), (121.5158, 31.1033)]
DESCRIPTIONS = [
    "秀沿路1501弄小区北门外垃圾桶满溢，垃圾堆到人行道上",
    "12号楼一楼楼道堆放纸箱和旧家具，占用消防通道",
    "地铁站出口共享单车乱停放，堵住盲道",
    "汤巷馨村3号楼底商油烟直排，气味很大",
    "康桥路沿街水果店占道经营",
    "绿化带里有建筑垃圾，装修后没有清运",
]


@pytest.fixture
def street(db):
    tree = make_tree()
    for c, community in enumerate(tree["communities"]):
        Grid.objects.filter(pk=community.pk).update(name=COMMUNITIES[c])
        for m in range(2):
            micro = tree["micro_grids"][c * 2 + m]
            Grid.objects.filter(pk=micro.pk).update(name=f"第{m + 1}网格")
    cg = DepartmentFactory(name="康桥城管中队", code="cgzd")
    category = Category.objects.get(family="event", code="0102")
    Category.objects.filter(pk=category.pk).update(default_department=cg)
    category.refresh_from_db()
    operator = UserFactory(username="operator", role=Role.OPERATOR, first_name="王敏")
    handler = UserFactory(
        username="dept-cgzd", role=Role.DEPT_HANDLER, department=cg, first_name="李强"
    )
    UserFactory(username="leader", role=Role.LEADER, first_name="周建")
    cases = []
    for i, description in enumerate(DESCRIPTIONS * 3):
        point = POINTS[i % 4]
        cases.append(
            services.do_report(
                user=operator,
                category=category,
                description=description,
                lon=point[0] + (i % 3) * 0.0002,
                lat=point[1],
                address=f"秀沿路{100 + i}号",
                reporter_name="张丽华",
                reporter_phone="13916250873",
                source="grid_patrol",
            ).case
        )
    # A third moves along the loop; two are closed by the department (its history).
    for case in cases[:6]:
        services.do_file(case, operator)
        services.do_dispatch(case, operator)
    for case in cases[:4]:
        services.do_accept(case, handler)
    for case in cases[:2]:
        services.do_handle(case, handler, result="已清理完毕，现场恢复整洁")
        services.do_verify_pass(case, operator)
    return {"cases": cases, "closed": cases[:2], "operator": operator, "handler": handler}


def test_the_print_sheet_prints_without_navigation_with_map_and_signatures(
    page, live_server, street
):
    case = street["closed"][0]
    login(page, live_server, "operator")
    page.goto(f"{live_server.url}/console/case/{case.number}/")
    with page.expect_navigation():
        page.locator("#print-link").click()
    assert page.url.endswith(f"/console/case/{case.number}/print/")
    assert page.locator(".topbar").is_visible()
    wait_until(page, "document.getElementById('sheet-map').complete")
    assert page.evaluate("document.getElementById('sheet-map').naturalWidth") == 640
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator(".print-tools").is_visible()
    assert page.locator("#sheet-map").is_visible()
    assert page.locator("#sheet-history tbody tr").count() == case.events.count()
    signatures = page.locator("#sheet-signatures").inner_text()
    assert "处置人（签字）" in signatures and "核查人（签字）" in signatures
    assert "139****0873" in page.locator(".sheet").inner_text()
    pdf = page.pdf(format="A4")
    assert (
        pdf.startswith(b"%PDF")
        and 0
        < pdf.count(b"/Type /Page\n")
        + pdf.count(b"/Type /Page\r")
        + pdf.count(b"/Type /Page>")
        + pdf.count(b"/Type /Page/")
        <= 3
    )
    screenshot(page, "console-print", full_page=True)


def test_the_filtered_queue_downloads_as_excel(page, live_server, street, tmp_path):
    login(page, live_server, "operator", next_url="/console/?tab=all")
    page.fill("#id_q", "消防")
    wait_until(page, "document.querySelectorAll('table.cases tbody tr').length === 3")
    with page.expect_download() as info:
        page.locator("#queue-export").click()
    download = info.value
    assert download.suggested_filename.startswith("cases-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    headings, data = rows[1], rows[2:]
    expected = {c.number for c in street["cases"] if "消防" in c.description}
    assert {r[0] for r in data} == expected
    assert {r[headings.index("上报人电话")] for r in data} == {"139****0873"}
    # Two micro-grids of the same name, told apart by their 居村.
    assert {r[headings.index("微网格")] for r in data} == {
        "康桥半岛居委 · 第2网格",
        "汤巷馨村居委 · 第2网格",
    }


def test_the_case_map_clusters_open_cases_and_filters_by_state(page, live_server, street):
    login(page, live_server, "operator")
    page.locator("#case-map-link").click()
    page.wait_for_selector("#case-map[data-loaded]")
    open_count = len(street["cases"]) - len(street["closed"])
    assert page.locator("#case-map").get_attribute("data-loaded") == str(open_count)
    expect(page.locator(".marker-cluster")).not_to_have_count(0)
    clustered = page.evaluate(
        "Array.from(document.querySelectorAll('.marker-cluster span'))"
        ".reduce((n, s) => n + parseInt(s.textContent, 10), 0)"
    )
    assert clustered >= 4
    screenshot(page, "console-case-map")
    # Only 处置中 (accepted): the two accepted, not yet handled cases.
    for box in page.locator("#case-map-states input[name=status]").all():
        if box.get_attribute("value") != "accepted":
            box.uncheck()
    wait_until(
        page,
        "document.getElementById('case-map').dataset.loaded === '2'"
        " && !document.getElementById('case-map').dataset.loading",
    )
    assert "2" in page.locator("#case-map-count").inner_text()
    # A marker's popup links to its case.
    number = street["cases"][2].number
    # The marker's popup carries the link (read from the cluster group: its zoom animation does
    # not finish reliably in a loaded headless browser, and the animation is not what is tested).
    href = page.evaluate(
        """(number) => {
          const group = document.getElementById('case-map')._cluster;
          let href = null;
          group.eachLayer(m => {
            const content = m.getPopup().getContent();
            if (content.textContent.includes(number)) href = content.querySelector('a').href;
          });
          return href;
        }""",
        number,
    )
    assert href and href.endswith(f"/console/case/{number}/")
    page.goto(href)
    page.wait_for_load_state()
    assert page.url.endswith(f"/console/case/{number}/")


def test_a_slow_answer_for_states_no_longer_ticked_does_not_redraw_the_case_map(
    page, live_server, street
):
    """Unticking states one after another sends a request per tick. The answer to an earlier tick
    that comes back last must not put back markers and a count for states the operator unticked."""
    login(page, live_server, "operator")
    page.locator("#case-map-link").click()
    page.wait_for_selector("#case-map[data-loaded]")
    held = HeldAnswer(page, "**/console/map/cases.json*")
    boxes = page.locator("#case-map-states input[name=status]").all()
    keep = "accepted"
    first = next(b for b in boxes if b.get_attribute("value") != keep and b.is_checked())
    with page.expect_request("**/console/map/cases.json*"):
        first.uncheck()
    for box in boxes:
        if box.get_attribute("value") != keep and box.is_checked():
            box.uncheck()
    wait_until(
        page,
        "document.getElementById('case-map').dataset.loaded === '2'"
        " && !document.getElementById('case-map').dataset.loading",
    )
    # The held answer (more states, more cases) arrives now; the map keeps the latest.
    held.release()
    assert page.locator("#case-map").get_attribute("data-loaded") == "2"
    assert "2" in page.locator("#case-map-count").inner_text()


def test_the_dashboard_shows_a_heat_map_of_reports(page, live_server, street):
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#heat-map[data-ready='1']")
    expect(page.locator("#heat-map canvas.leaflet-heatmap-layer")).to_have_count(1)
    assert str(len(street["cases"])) in page.locator("#heat-total").inner_text()
    assert int(page.locator("#heat-map").get_attribute("data-points")) >= 4
    # Drawn on the street's micro-grids, the heat where the reports are.
    assert page.locator("#heat-map path.leaflet-interactive, #heat-map canvas").count() >= 2
    wait_until(
        page,
        "window.civicgrid.maps['heat-map'].getBounds().contains([31.1078, 121.5032])",
    )
    page.locator("#heat-section").scroll_into_view_if_needed()
    screenshot(page, "dashboard-heat-map")


def test_a_handler_searches_its_closed_cases(page, live_server, street):
    login(page, live_server, "dept-cgzd")
    with page.expect_navigation():
        page.locator("#history-link").click()
    rows = page.locator("#history-list tbody tr[data-number]")
    expect(rows).to_have_count(2)
    target = street["closed"][1]
    page.fill("#id_q", target.description[:6])
    with page.expect_navigation():
        page.locator("#history-filters button[type=submit]").click()
    assert [r.get_attribute("data-number") for r in rows.all()] == [target.number]
    screenshot(page, "handler-history")
    page.fill("#id_q", "没有这样的案件")
    with page.expect_navigation():
        page.locator("#history-filters button[type=submit]").click()
    assert "没有符合条件的已办结案件" in page.locator("#history-list").inner_text()
