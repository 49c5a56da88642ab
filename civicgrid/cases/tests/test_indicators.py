"""综合评价: the indicator definitions over a small known set of cases."""

import pytest

from civicgrid.cases import services
from civicgrid.cases.indicators import grade
from civicgrid.testing.world import IN_MICRO

URL = "/api/cases/indicators/"


@pytest.fixture
def cohort(users, garbage, departments, clock):
    u, op = users, users["operator"]

    def new(point=IN_MICRO[0], department=None):
        clock.set(2026, 11, 23, 10, 0)
        case = services.do_report(
            user=u["resident"], category=garbage, description="x", lon=point[0], lat=point[1]
        ).case
        services.do_file(case, op)
        # Services return the locked, updated row; the caller's instance is not touched.
        return services.do_dispatch(case, op, department=department).case

    def handle(case, handler, *when):
        clock.set(*when)
        if case.status == "dispatched":
            services.do_accept(case, handler)
        services.do_handle(case, handler, result="已处置")
        case.refresh_from_db()

    a = new()
    handle(a, u["handler"], 2026, 11, 23, 12, 0)
    services.do_verify_pass(a, op)
    services.do_rate(a, u["resident"], rating="satisfied")

    b = new()
    handle(b, u["handler"], 2026, 11, 23, 11, 0)
    services.do_verify_fail(b, op, reason="返工")
    handle(b, u["handler"], 2026, 11, 23, 14, 0)
    services.do_verify_pass(b, op)
    services.do_rate(b, u["resident"], rating="basically")

    c = new()  # C: never handled — overdue by Wednesday

    d = new(department=departments["fg"])
    request = services.do_request_extension(d, u["handler_fg"], days=2, reason="协调").extension
    services.do_decide_extension(d, u["chief"], extension=request, approve=True)  # due Thu 26

    e = new()
    handle(e, u["handler"], 2026, 11, 25, 10, 0)  # late
    services.do_verify_pass(e, op)

    h = new(point=IN_MICRO[2])
    handle(h, u["handler"], 2026, 11, 23, 12, 0)
    services.do_verify_pass(h, op)

    clock.set(2026, 11, 23, 10, 0)
    services.do_report(user=u["resident"], category=garbage, description="未立案")
    dup = services.do_report(user=u["resident"], category=garbage, description="重复").case
    services.do_merge(dup, u["chief"], master=c)
    clock.set(2026, 11, 25, 12, 0)


def test_street_row(api, users, cohort, django_assert_max_num_queries):
    client = api(users["operator"])
    # One of them reads the rating records (CaseRating), the first of each closure.
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"start": "2026-11-01", "end": "2026-11-30"})
    assert response.status_code == 200
    (row,) = response.data
    counts = {
        k: row[k]
        for k in [
            "filed",
            "due",
            "handled",
            "handled_on_time",
            "closed",
            "closed_on_time",
            "reworked",
            "overdue",
            "extended",
            "rated",
            "satisfied",
        ]
    }
    assert counts == {
        "filed": 6,
        "due": 5,
        "handled": 4,
        "handled_on_time": 3,
        "closed": 4,
        "closed_on_time": 3,
        "reworked": 1,
        "overdue": 2,
        "extended": 1,
        "rated": 2,
        "satisfied": 2,
    }
    assert row["closure_rate"] == 80.0 and row["on_time_closure_rate"] == 60.0
    assert row["handling_rate"] == 80.0 and row["on_time_handling_rate"] == 60.0
    assert row["rework_rate"] == 20.0 and row["overdue_rate"] == 40.0
    assert row["extension_rate"] == 16.7 and row["satisfaction_rate"] == 100.0
    assert row["avg_handling_hours"] == 5.75  # (2 + 3 + 16 + 2) / 4 working hours
    assert row["grade"] == "C"


def test_groups_and_scope(api, users, tree, departments, cohort):
    client = api(users["operator"])
    by_community = client.get(
        URL, {"start": "2026-11-01", "end": "2026-11-30", "by": "community"}
    ).data
    assert [(r["code"], r["filed"]) for r in by_community] == [
        (tree["communities"][0].code, 5),
        (tree["communities"][1].code, 1),
    ]
    by_department = client.get(
        URL, {"start": "2026-11-01", "end": "2026-11-30", "by": "department"}
    ).data
    assert {r["name"]: r["filed"] for r in by_department} == {"城管中队": 5, "房管办": 1}
    by_category = client.get(
        URL, {"start": "2026-11-23", "end": "2026-11-23", "by": "category"}
    ).data
    assert [(r["code"], r["filed"]) for r in by_category] == [("event-0102", 6)]
    # Other periods hold nothing; community staff see their own community only.
    assert client.get(URL, {"start": "2026-10-01", "end": "2026-10-31"}).data == []
    (row,) = api(users["staff2"]).get(URL, {"start": "2026-11-01", "end": "2026-11-30"}).data
    assert row["filed"] == 1 and row["on_time_closure_rate"] == 100.0 and row["grade"] == "A"


def test_bad_queries_and_roles(api, users, db):
    client = api(users["operator"])
    assert client.get(URL, {"start": "2026-13-01"}).status_code == 400
    bad = client.get(URL, {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 400 and "截止日期" in str(bad.data)
    assert client.get(URL, {"by": "planet"}).status_code == 400
    denied = api(users["resident"]).get(URL)
    assert denied.status_code == 403 and "综合评价" in denied.data["detail"]


def test_grades():
    assert [grade(x) for x in (None, 100, 90, 89.9, 75, 60, 40, 39.9, 0)] == [
        None,
        "A",
        "A",
        "B",
        "B",
        "C",
        "D",
        "E",
        "E",
    ]
