"""The dashboard pages on known data: figures, scoping per role, bad input, export, query counts."""

import datetime
import io
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.accounts.choices import Role
from civicgrid.cases import signals as case_signals
from civicgrid.cases.choices import SATISFIED_RATINGS
from civicgrid.cases.models import Case, CaseRating, Category
from civicgrid.dashboard import figures
from civicgrid.grids.models import Grid
from civicgrid.testing.clock import start_clock
from civicgrid.testing.factories import DepartmentFactory, UserFactory, make_tree

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=SH)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fixed_now():
    clock = start_clock(NOW)
    yield clock
    clock.stop()


def at(day, hour=10):
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=SH)


def make_case(
    cat, mg, *, day, hour=10, source="grid_patrol", status="reported", dept=None, **fields
):
    """A case as the services would leave it, announced with cases.signals.case_changed."""
    reported = at(day, hour)
    values = {"reported_at": reported, "filing_deadline": reported + datetime.timedelta(hours=1)}
    if status not in ("reported", "not_filed"):
        values["filed_at"] = reported + datetime.timedelta(minutes=10)
    if status in ("dispatched", "accepted", "handled", "closed"):
        values["dispatched_at"] = reported + datetime.timedelta(minutes=20)
        values["handling_deadline"] = reported + datetime.timedelta(days=3)
        values["assigned_department"] = dept
    values.update(fields)
    if values.get("rating"):
        # One closure rated (cases.models.CaseRating): what 满意率 counts.
        values["rated_closures"] = 1
        values["satisfied_closures"] = int(values["rating"] in SATISFIED_RATINGS)
    n = next(_numbers)
    case = Case.objects.create(
        number=f"20261100{n:05d}",
        source=source,
        category=cat,
        description="测试",
        micro_grid=mg,
        status=status,
        **values,
    )
    if case.rating:
        CaseRating.objects.create(
            case=case, closure=1, rating=case.rating, channel="link", at=case.closed_at
        )
    # Written directly, not through the services: announce it as the report would.
    case_signals.send_case_changed(case, case_signals.NEW)
    return case


@pytest.fixture
def world(db):
    tree = make_tree()
    mgs = tree["micro_grids"]
    cg, fg = (
        DepartmentFactory(name="城管中队", code="CG"),
        DepartmentFactory(name="房管办", code="FG"),
    )
    garbage = Category.objects.get(family="event", code="0102")
    parking = Category.objects.get(family="event", code="0505")
    # Closed on time and satisfied (mg0, CG), closed late and unhappy (mg0, CG).
    make_case(
        garbage,
        mgs[0],
        day=3,
        status="closed",
        dept=cg,
        handled_at=at(4),
        closed_at=at(4, 12),
        rating="satisfied",
    )
    make_case(
        garbage,
        mgs[0],
        day=3,
        status="closed",
        dept=cg,
        handled_at=at(10),
        closed_at=at(10, 12),
        rating="unsatisfied",
        source="resident",
    )
    # Dispatched on the 5th, deadline the 8th passed unhandled: due and overdue (FG, mg1).
    make_case(parking, mgs[1], day=5, status="accepted", dept=fg)
    # Today: two new reports (one in community 2), one still within its limit.
    make_case(garbage, mgs[0], day=20, hour=9, source="hotline_12345")
    make_case(parking, mgs[2], day=20, hour=9, source="resident")
    # Not filed (counts as intake only) and last month's case (outside the period).
    make_case(garbage, mgs[3], day=12, status="not_filed")
    # Handled on the 2nd, closed, not rated (mg3, CG).
    make_case(
        garbage, mgs[3], day=1, status="closed", dept=cg, handled_at=at(2), closed_at=at(2, 12)
    )
    users = {
        "leader": UserFactory(username="leader", role=Role.LEADER),
        "operator": UserFactory(username="op", role=Role.OPERATOR),
        "admin": UserFactory(username="adm", role=Role.ADMIN),
        "community": UserFactory(
            username="comm", role=Role.COMMUNITY_STAFF, community=tree["communities"][0]
        ),
        "worker": UserFactory(username="worker", role=Role.GRID_WORKER),
        "handler": UserFactory(username="handler", role=Role.DEPT_HANDLER, department=cg),
        "resident": UserFactory(username="res", role=Role.RESIDENT),
    }
    return {"tree": tree, "users": users, "cg": cg, "fg": fg}


def test_figures_on_known_data(world):
    scope = figures.resolve_scope(world["users"]["leader"], None)
    data = figures.dashboard(scope, datetime.date(2026, 11, 1), datetime.date(2026, 11, 20))
    k = data["kpi"]
    assert k["today_reported"] == 2
    assert k["month_reported"] == 7 == k["period_reported"]
    # Open: the accepted one (overdue: deadline the 8th) and today's two (filing deadline 10:00,
    # passed at 15:00 → overdue too).
    assert k["open"] == 3 and k["overdue"] == 3
    # Cohort: 4 filed; due: 3 handled + 1 overdue unhandled; on time: 2 (3rd→4th, 1st→2nd).
    assert k["filed"] == 4
    assert k["on_time_closure_rate"] == 50.0
    assert k["satisfaction_rate"] == 50.0
    assert data["sources"][0] == {"key": "grid_patrol", "name": "巡查上报", "n": 4}
    assert {s["key"]: s["n"] for s in data["sources"]} == {
        "grid_patrol": 4,
        "resident": 2,
        "hotline_12345": 1,
    }
    assert [(c["name"], c["n"]) for c in data["categories"]] == [
        ("暴露垃圾", 5),
        ("机动车乱停放", 2),
    ]
    depts = {d["name"]: d for d in data["departments"]}
    assert depts["城管中队"]["filed"] == 3 and depts["城管中队"]["on_time_closure_rate"] == 66.7
    assert depts["房管办"]["overdue"] == 1 and depts["房管办"]["overdue_now"] == 1
    assert [d["rank"] for d in data["departments"]] == [1, 2]
    assert data["departments"][0]["name"] == "城管中队"
    top = data["recurring"][0]
    assert (top["grid"], top["category"], top["n"]) == ("第1居委第1网格", "暴露垃圾", 3)
    assert [(c["name"], c["reported"], c["open"]) for c in data["children"]] == [
        ("第1居委", 4, 2),
        ("第2居委", 3, 1),
    ]
    assert data["trend_day"]["reported"][2] == 2  # the 3rd
    assert data["trend_month"]["reported"][-1] == 7
    assert len(data["map"]["features"]) == 4


def test_drill_down_street_community_micro_grid(world, client):
    client.force_login(world["users"]["leader"])
    tree = world["tree"]
    page = client.get(reverse("dashboard:index"))
    assert page.status_code == 200
    assert "第1居委" in page.content.decode() and "第2居委" in page.content.decode()
    community = client.get(reverse("dashboard:index"), {"grid": tree["communities"][0].code})
    body = community.content.decode()
    assert community.status_code == 200
    assert "第1居委第1网格" in body and "第2居委第1网格" not in body
    assert community.context["data"]["kpi"]["month_reported"] == 4
    micro = client.get(reverse("dashboard:index"), {"grid": tree["micro_grids"][0].code})
    assert micro.context["data"]["kpi"]["month_reported"] == 3
    assert (
        reverse("dashboard:grid_cases", args=[tree["micro_grids"][0].code])
        in micro.content.decode()
    )


def test_grid_cases_page_links_to_console(world, client):
    client.force_login(world["users"]["operator"])
    mg = world["tree"]["micro_grids"][0]
    page = client.get(reverse("dashboard:grid_cases", args=[mg.code]), {"state": "all"})
    assert page.status_code == 200
    numbers = list(Case.objects.filter(micro_grid=mg).values_list("number", flat=True))
    assert len(numbers) == 3
    for number in numbers:
        assert f'href="/console/case/{number}/"' in page.content.decode()
    open_only = client.get(reverse("dashboard:grid_cases", args=[mg.code]))
    assert open_only.context["page_obj"].paginator.count == 1
    overdue = client.get(reverse("dashboard:grid_cases", args=[mg.code]), {"state": "overdue"})
    assert overdue.context["page_obj"].paginator.count == 1
    assert (
        client.get(reverse("dashboard:grid_cases", args=[mg.code]), {"state": "x"}).status_code
        == 400
    )


@pytest.mark.parametrize("role", ["leader", "operator", "admin"])
def test_street_roles_see_everything(world, client, role):
    client.force_login(world["users"][role])
    for name in ("index", "screen", "data", "export"):
        assert client.get(reverse(f"dashboard:{name}")).status_code == 200, name
    data = client.get(reverse("dashboard:data")).json()
    assert data["kpi"]["month_reported"] == 7


def test_community_staff_see_only_their_community(world, client):
    client.force_login(world["users"]["community"])
    tree = world["tree"]
    data = client.get(reverse("dashboard:data")).json()
    assert data["kpi"]["month_reported"] == 4
    assert {f["properties"]["code"] for f in data["map"]["features"]} == {
        tree["micro_grids"][0].code,
        tree["micro_grids"][1].code,
    }
    other = tree["communities"][1].code
    refused = client.get(reverse("dashboard:index"), {"grid": other})
    assert refused.status_code == 400 and "不在您的管辖范围内" in refused.content.decode()
    assert (
        client.get(reverse("dashboard:grid_cases", args=[tree["micro_grids"][2].code])).status_code
        == 400
    )
    # Drilling to the street gives their own part only.
    street = client.get(reverse("dashboard:data"), {"grid": tree["street"].code}).json()
    assert street["kpi"]["month_reported"] == 4


@pytest.mark.parametrize("role", ["worker", "handler", "resident"])
def test_other_roles_are_refused(world, client, role):
    client.force_login(world["users"][role])
    for name in ("index", "screen", "data", "export"):
        assert client.get(reverse(f"dashboard:{name}")).status_code == 403, name


def test_anonymous_goes_to_login(world, client):
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-13-01"}, "不是有效日期"),
        ({"start": "yesterday"}, "不是有效日期"),
        ({"start": "2026-11-10", "end": "2026-11-01"}, "结束日期不能早于开始日期"),
        ({"start": "2000-01-01", "end": "2026-11-01"}, "最长"),
        ({"grid": "999999"}, "没有编码"),
    ],
)
def test_bad_parameters_are_a_clear_400(world, client, params, message):
    client.force_login(world["users"]["leader"])
    for name in ("index", "screen", "export"):
        response = client.get(reverse(f"dashboard:{name}"), params)
        assert response.status_code == 400, name
        assert message in response.content.decode()
    response = client.get(reverse("dashboard:data"), params)
    assert response.status_code == 400 and message in response.json()["error"]


def test_any_period(world, client):
    client.force_login(world["users"]["leader"])
    data = client.get(
        reverse("dashboard:data"), {"start": "2026-11-03", "end": "2026-11-05"}
    ).json()
    assert data["first"] == "2026-11-03" and data["kpi"]["period_reported"] == 3
    assert data["trend_day"]["labels"] == ["11-03", "11-04", "11-05"]


def test_export_xlsx_has_the_indicator_tables(world, client):
    client.force_login(world["users"]["leader"])
    response = client.get(reverse("dashboard:export"), {"start": "2026-11-01", "end": "2026-11-20"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["街镇", "片区", "居村", "微网格", "部门", "类别"]
    street = list(book["街镇"].iter_rows(values_only=True))
    header = street[1]
    row = dict(zip(header, street[2], strict=True))
    assert row["立案数"] == 4 and row["应结案数"] == 4 and row["按期结案数"] == 2
    assert row["按期结案率（%）"] == 50 and row["满意率（%）"] == 50 and row["等级"] == "D"
    depts = {
        r[1]: dict(zip(header, r, strict=True))
        for r in list(book["部门"].iter_rows(values_only=True))[2:]
    }
    assert depts["城管中队"]["立案数"] == 3 and depts["房管办"]["超期数"] == 1
    communities = [r[1] for r in list(book["居村"].iter_rows(values_only=True))[2:]]
    assert communities == ["第1居委", "第2居委"]


def test_export_in_english_names_its_sheets_as_excel_allows(world, client):
    # "Street/town" and "Residents' committee / village": a "/" in a sheet name made openpyxl
    # refuse the workbook, and the English export answered 500.
    client.force_login(world["users"]["leader"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("dashboard:export"), {"start": "2026-11-01", "end": "2026-11-20"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["Street-town", "Area", "Residents' committee - village"]
    assert list(book["Area"].iter_rows(values_only=True))[1][0] == "Code"


def _more_cases(world, n):
    mgs = world["tree"]["micro_grids"]
    cats = list(Category.objects.filter(parent__isnull=False)[:6])
    for i in range(n):
        make_case(
            cats[i % 6],
            mgs[i % 4],
            day=1 + i % 19,
            status=["closed", "accepted"][i % 2],
            dept=world["cg"],
            handled_at=at(1 + i % 19, 15) if i % 2 == 0 else None,
            closed_at=at(1 + i % 19, 16) if i % 2 == 0 else None,
            source=["resident", "grid_patrol", "department"][i % 3],
        )


# The leaders' page also reads its tiles (survey 1, patrol coverage ≤ 3, estates 2, 垃圾分类 and
# 沿街商铺 ≈ 10, 出租屋消防 2, 共享停车 1, 三会 2, 社区项目 2, 爱心银行 3, 党组织 4, 防汛应急 2, 创建创评 2, 主动治理 5, 公示公告 2): a fixed budget of
# its own, whatever the history size. 47 when run alone; per-process caches that another test may have
# left cold (the working-day calendar's revision, content types) add up to five.
INDEX_QUERIES = 63


@pytest.mark.parametrize("extra", [0, 60])
def test_pages_stay_under_20_queries(world, client, django_assert_max_num_queries, extra):
    _more_cases(world, extra)
    client.force_login(world["users"]["leader"])
    mg = world["tree"]["micro_grids"][0]
    community = world["tree"]["communities"][0]
    for url, params, budget in [
        (reverse("dashboard:index"), {}, INDEX_QUERIES),
        (reverse("dashboard:index"), {"grid": community.code}, INDEX_QUERIES),
        (reverse("dashboard:screen"), {"start": "2026-10-01"}, 20),
        (reverse("dashboard:data"), {"tiles": "screen"}, 20),
        (reverse("dashboard:data"), {}, INDEX_QUERIES),
        (reverse("dashboard:export"), {}, 20),
        (reverse("dashboard:grid_cases", args=[mg.code]), {"state": "all"}, 20),
    ]:
        with django_assert_max_num_queries(budget):
            assert client.get(url, params).status_code == 200, url
    client.force_login(world["users"]["community"])
    with django_assert_max_num_queries(INDEX_QUERIES):
        assert client.get(reverse("dashboard:index")).status_code == 200


def test_screen_is_a_full_page_with_refresh(world, client):
    client.force_login(world["users"]["leader"])
    body = client.get(reverse("dashboard:screen")).content.decode()
    assert 'data-refresh="60"' in body and "/static/vendor/echarts/echarts.min.js" in body
    assert "web/map.js" in body and 'id="dashboard-data"' in body


def test_pages_in_english(world, client):
    client.force_login(world["users"]["leader"])
    body = client.get(reverse("dashboard:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Operations overview" in body and "On-time closure rate" in body
    data = client.get(reverse("dashboard:data"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["labels"]["overdue"] == "Overdue"
    bad = client.get(reverse("dashboard:data"), {"start": "x"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert "is not a valid date" in bad["error"]


def test_query_counts_do_not_grow_with_cases(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["users"]["leader"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard:index")).status_code == 200
        return len(ctx)

    count()  # warms the shared cache (badge, calendar revision), as on a running node
    before = count()
    _more_cases(world, 40)
    assert count() == before


# --- micro-grids named with their 居村 in the Excel export --------------------
# The Excel export names micro-grid rows with their 居村: 第1网格 repeats across 居村.

PERIOD = {"start": "2026-11-01", "end": "2026-11-20"}


@pytest.fixture
def same_names(world):
    for grid in world["tree"]["micro_grids"]:
        Grid.objects.filter(pk=grid.pk).update(name=f"第{grid.number}网格")
    return world


def sheet_names(response, title):
    book = load_workbook(io.BytesIO(response.content))
    return [(r[0], r[1]) for r in list(book[title].iter_rows(values_only=True))[2:]]


def test_micro_grid_rows_carry_their_community(same_names, client):
    client.force_login(same_names["users"]["leader"])
    response = client.get(reverse("dashboard:export"), PERIOD)
    assert response.status_code == 200
    mgs = same_names["tree"]["micro_grids"]
    assert sheet_names(response, "微网格") == [
        (mgs[0].code, "第1居委 · 第1网格"),
        (mgs[1].code, "第1居委 · 第2网格"),
        (mgs[3].code, "第2居委 · 第2网格"),
    ]
    # the 居村 sheet keeps the 居村's own names
    assert [name for _code, name in sheet_names(response, "居村")] == ["第1居委", "第2居委"]


def test_community_staff_export_names_their_micro_grids(same_names, client):
    client.force_login(same_names["users"]["community"])
    response = client.get(reverse("dashboard:export"), PERIOD)
    assert response.status_code == 200
    assert [name for _code, name in sheet_names(response, "微网格")] == [
        "第1居委 · 第1网格",
        "第1居委 · 第2网格",
    ]


def test_naming_costs_the_same_queries_for_more_rows(same_names, client):
    client.force_login(same_names["users"]["leader"])
    url = reverse("dashboard:export")
    client.get(url, PERIOD)  # warm the session

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, PERIOD)
        assert response.status_code == 200
        return len(ctx), response

    before, _response = queries()
    garbage = Category.objects.get(family="event", code="0102")
    make_case(
        garbage,
        same_names["tree"]["micro_grids"][2],
        day=6,
        status="closed",
        dept=same_names["cg"],
        handled_at=at(7),
        closed_at=at(7, 12),
    )
    after, response = queries()
    assert after == before
    assert len(sheet_names(response, "微网格")) == 4
    assert "第2居委 · 第1网格" in [name for _code, name in sheet_names(response, "微网格")]
