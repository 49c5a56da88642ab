"""案件处置单 (print), the Excel export of a filtered list, the case map and the handlers'
closed-case search: what each shows, to whom, and in how many queries."""

import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from civicgrid.console import export
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(users, garbage):
    u = users
    new0 = report(
        u["resident"],
        garbage,
        IN_MICRO[0],
        description='=HYPERLINK("http://x") 小区门口垃圾堆积',
        reporter_name="陈敏",
        reporter_phone="13912345678",
    )
    new2 = report(u["resident"], garbage, IN_MICRO[2], description="河道边有人倾倒建筑垃圾")
    working = case_in_state("accepted", u, cat=garbage, point=IN_MICRO[3], description="人行道破损")
    closed = case_in_state("closed", u, cat=garbage, point=IN_MICRO[1], description="楼道堆物已清")
    return {"new0": new0, "new2": new2, "working": working, "closed": closed}


def sheet_rows(response):
    body = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(body), read_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[1], rows[2:]  # headings, data


# --- export ---------------------------------------------------------------------------------------


def test_export_is_the_filtered_tab_with_phones_masked(street, users, client_for):
    client = client_for(users["operator"])
    response = client.get("/console/export.xlsx?tab=reported&q=垃圾")
    assert response.status_code == 200
    assert response["Content-Type"] == export.CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    headings, rows = sheet_rows(response)
    assert headings[0] == "案件编号"
    numbers = {r[0] for r in rows}
    assert numbers == {street["new0"].number, street["new2"].number}
    first = next(r for r in rows if r[0] == street["new0"].number)
    phone_col = headings.index("上报人电话")
    assert first[phone_col] == "139****5678"
    assert "13912345678" not in str(rows)
    # Typed text never becomes a formula.
    assert first[headings.index("问题描述")].startswith("'=HYPERLINK")
    assert (
        first[headings.index("微网格")].endswith("第1网格")
        or " · " in first[headings.index("微网格")]
    )


def test_export_follows_the_users_scope(street, users, client_for):
    client = client_for(users["staff"])  # community 0: micro-grids 0 and 1
    _headings, rows = sheet_rows(client.get("/console/export.xlsx?tab=all"))
    assert {r[0] for r in rows} == {street["new0"].number, street["closed"].number}


def test_export_refused_over_the_cap_with_a_message(street, users, client_for, settings):
    settings.CIVICGRID_CASE_EXPORT_MAX_ROWS = 1
    client = client_for(users["operator"])
    response = client.get("/console/export.xlsx?tab=all", follow=True)
    assert response.redirect_chain[-1][0] == "/console/?tab=all"
    assert "超过一次导出的上限" in response.content.decode()


def test_export_roles(street, users, client_for):
    assert client_for(users["worker"]).get("/console/export.xlsx").status_code == 403


def test_export_reads_rows_in_a_fixed_number_of_queries(
    street, users, client_for, django_assert_max_num_queries
):
    client = client_for(users["operator"])
    for i in range(10):
        report(users["resident"], None, IN_MICRO[i % 4], description=f"更多问题 {i}")
    with django_assert_max_num_queries(12):
        response = client.get("/console/export.xlsx?tab=all")
        _h, rows = sheet_rows(response)
    assert len(rows) == 14


def test_the_queue_links_its_export_with_its_filters(street, users, client_for):
    text = client_for(users["operator"]).get("/console/?tab=all&q=垃圾").content.decode()
    assert "/console/export.xlsx?tab=all&amp;q=" in text


# --- print ----------------------------------------------------------------------------------------


def test_print_sheet_shows_case_history_map_and_signature_lines(street, users, client_for):
    case = street["closed"]
    client = client_for(users["operator"])
    response = client.get(f"/console/case/{case.number}/print/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "案件处置单" in text and case.number in text
    for line in ("处置人（签字）", "核查人（签字）", "日期"):
        assert line in text
    assert f"/console/case/{case.number}/map.png" in text
    assert text.count("<tr><td>") >= len(case.events.all())
    assert "立案" in text and "结案" in text
    png = client.get(f"/console/case/{case.number}/map.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.size == (640, 400)
    # The point is drawn in red somewhere on the image.
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert any(r > 150 and g < 90 and b < 90 for _n, (r, g, b) in colours)


def test_print_is_scoped_like_the_case_page(street, users, client_for):
    number = street["new2"].number  # micro-grid 2: community 1
    client = client_for(users["staff"])
    assert client.get(f"/console/case/{number}/print/").status_code == 404
    assert client.get(f"/console/case/{number}/map.png").status_code == 404


def test_print_masks_the_phone(street, users, client_for):
    text = (
        client_for(users["operator"])
        .get(f"/console/case/{street['new0'].number}/print/")
        .content.decode()
    )
    assert "139****5678" in text and "13912345678" not in text


def test_case_without_a_place_prints_without_a_map(users, garbage, client_for):
    case = report(users["operator"], garbage, None, address="某路某号")
    client = client_for(users["operator"])
    text = client.get(f"/console/case/{case.number}/print/").content.decode()
    assert "上报时未提供位置" in text and "map.png" not in text
    assert client.get(f"/console/case/{case.number}/map.png").status_code == 404


def test_case_page_links_the_print_sheet(street, users, client_for):
    number = street["working"].number
    text = client_for(users["operator"]).get(f"/console/case/{number}/").content.decode()
    assert f"/console/case/{number}/print/" in text


# --- case map -------------------------------------------------------------------------------------


def test_case_map_markers_by_state_and_scope(street, users, client_for):
    client = client_for(users["operator"])
    page = client.get("/console/map/")
    assert page.status_code == 200
    assert "leaflet.markercluster.js" in page.content.decode()
    data = client.get("/console/map/cases.json").json()
    numbers = {c["number"] for c in data["cases"]}
    # Open cases only: the closed one is not on the map.
    assert numbers == {street["new0"].number, street["new2"].number, street["working"].number}
    accepted = client.get("/console/map/cases.json?status=accepted").json()
    assert [c["number"] for c in accepted["cases"]] == [street["working"].number]
    assert accepted["cases"][0]["label"] == "处置中"
    staff = client_for(users["staff"]).get("/console/map/cases.json").json()
    assert {c["number"] for c in staff["cases"]} == {street["new0"].number}


def test_case_map_refuses_unknown_states(users, client_for):
    response = client_for(users["operator"]).get("/console/map/cases.json?status=closed")
    assert response.status_code == 400
    assert "未知的案件状态" in response.json()["error"]


def test_case_map_query_count_is_flat(street, users, client_for, django_assert_num_queries):
    client = client_for(users["operator"])
    client.get("/console/map/cases.json")  # session, user warmed
    with django_assert_num_queries(3):  # session, user, the markers
        few = client.get("/console/map/cases.json").json()["count"]
    for i in range(12):
        report(users["resident"], None, IN_MICRO[i % 4], description=f"更多问题 {i}")
    with django_assert_num_queries(3):
        assert client.get("/console/map/cases.json").json()["count"] == few + 12


def test_case_map_caps_the_markers(street, users, client_for, settings):
    settings.CIVICGRID_CASE_MAP_MAX_MARKERS = 2
    data = client_for(users["operator"]).get("/console/map/cases.json").json()
    assert data["count"] == 2 and data["truncated"] is True


def test_case_map_roles(users, client_for):
    assert client_for(users["handler"]).get("/console/map/").status_code == 403
    assert client_for(users["handler"]).get("/console/map/cases.json").status_code == 403


# --- handlers' history ----------------------------------------------------------------------------


@pytest.fixture
def closed_history(users, garbage):
    u = users
    a = case_in_state("closed", u, cat=garbage, point=IN_MICRO[0], description="井盖缺失已补")
    b = case_in_state("closed", u, cat=garbage, point=IN_MICRO[2], description="路灯不亮已修")
    open_case = case_in_state("accepted", u, cat=garbage, point=IN_MICRO[1], description="井盖松动")
    return {"a": a, "b": b, "open": open_case}


def test_handler_searches_its_closed_cases(closed_history, users, client_for):
    client = client_for(users["handler"])
    response = client.get("/console/history/")
    assert response.status_code == 200
    numbers = {c.number for c in response.context["cases"]}
    assert numbers == {closed_history["a"].number, closed_history["b"].number}
    found = client.get("/console/history/?q=井盖")
    assert [c.number for c in found.context["cases"]] == [closed_history["a"].number]
    by_number = client.get(f"/console/history/?q={closed_history['b'].number}")
    assert [c.number for c in by_number.context["cases"]] == [closed_history["b"].number]
    none = client.get("/console/history/?date_from=2000-01-01&date_to=2000-01-02")
    assert list(none.context["cases"]) == []
    assert "没有符合条件的已办结案件" in none.content.decode()


def test_other_department_sees_none_of_them(closed_history, users, client_for):
    response = client_for(users["handler_fg"]).get("/console/history/")
    assert list(response.context["cases"]) == []


def test_history_bad_date_is_shown_not_a_crash(closed_history, users, client_for):
    response = client_for(users["handler"]).get("/console/history/?date_from=2026-13-45")
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert len(response.context["cases"]) == 2


def test_history_export_and_menu(closed_history, users, client_for):
    client = client_for(users["handler"])
    _headings, rows = sheet_rows(client.get("/console/history/export.xlsx?q=路灯"))
    assert [r[0] for r in rows] == [closed_history["b"].number]
    inbox = client.get("/console/inbox/").content.decode()
    assert "/console/history/" in inbox
    assert client_for(users["operator"]).get("/console/history/").status_code == 403


def test_history_query_count_is_flat(closed_history, users, garbage, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users["handler"])
    client.get("/console/history/")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/console/history/")
        return len(ctx.captured_queries), len(response.context["cases"])

    before, shown = queries()
    for _i in range(3):
        case_in_state("closed", users, cat=garbage, point=IN_MICRO[3])
    client.get("/console/history/")  # what the header caches per request cycle, cached again
    after, more = queries()
    assert more == shown + 3
    assert after == before


# --- the map image itself -------------------------------------------------------------------------


def test_map_png_of_a_point_alone_and_of_nothing():
    from civicgrid.console.printing import render_map_png

    assert render_map_png(None, None) is None
    png = render_map_png(None, (121.55, 31.13))
    assert Image.open(io.BytesIO(png)).size == (640, 400)
    square = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[121.5, 31.1], [121.51, 31.1], [121.51, 31.11], [121.5, 31.11], [121.5, 31.1]]]
        ],
    }
    assert render_map_png(square, None)[:8] == b"\x89PNG\r\n\x1a\n"


def test_workbook_with_no_rows_still_opens(tmp_path):
    path = tmp_path / "empty.xlsx"
    assert export.write_workbook(str(path), "空", iter(())) == 0
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "空" and rows[1][0] == "案件编号"
