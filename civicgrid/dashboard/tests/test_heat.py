"""The dashboard's heat map of reports: cells of about 50 m counted in the database, for the
dashboard's scope and period, in a fixed number of queries."""

import pytest

from civicgrid.dashboard.heat import CELLS_PER_DEGREE
from civicgrid.testing.cases import report
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(users, garbage):
    u = users
    here = IN_MICRO[0]
    near = (here[0] + 0.1 / CELLS_PER_DEGREE, here[1])  # the same cell
    return [
        report(u["resident"], garbage, here),
        report(u["resident"], garbage, near),
        report(u["resident"], garbage, IN_MICRO[1]),
        report(u["resident"], garbage, IN_MICRO[2]),
        report(u["resident"], garbage, None, address="没有位置的上报"),
    ]


def test_reports_are_counted_per_cell(reports, users, client_for):
    data = client_for(users["operator"]).get("/dashboard/heat.json").json()
    assert data["total"] == 4  # the report without a point is not on the map
    assert sorted(p[2] for p in data["points"]) == [1, 1, 2]
    assert data["max"] == 2
    lat, lon, _n = max(data["points"], key=lambda p: p[2])
    assert abs(lat - IN_MICRO[0][1]) < 1 / CELLS_PER_DEGREE
    assert abs(lon - IN_MICRO[0][0]) < 1 / CELLS_PER_DEGREE


def test_heat_follows_the_scope_and_the_period(reports, users, client_for):
    staff = client_for(users["staff"]).get("/dashboard/heat.json").json()  # community 0
    assert staff["total"] == 3
    old = client_for(users["operator"]).get("/dashboard/heat.json?start=2020-01-01&end=2020-01-31")
    assert old.json() == {"points": [], "max": 0, "total": 0}


def test_bad_input_is_a_400_in_chinese(users, client_for):
    client = client_for(users["operator"])
    response = client.get("/dashboard/heat.json?start=2026-13-01")
    assert response.status_code == 400
    assert "不是有效日期" in response.json()["error"]
    response = client_for(users["staff"]).get("/dashboard/heat.json?grid=999999999999999")
    assert response.status_code == 400
    assert client_for(users["handler"]).get("/dashboard/heat.json").status_code == 403


def test_query_count_does_not_grow_with_reports(reports, users, garbage, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users["operator"])
    client.get("/dashboard/heat.json")
    with CaptureQueriesContext(connection) as before:
        client.get("/dashboard/heat.json")
    for i in range(10):
        report(users["resident"], garbage, IN_MICRO[i % 4])
    client.get("/dashboard/heat.json")
    with CaptureQueriesContext(connection) as after:
        assert client.get("/dashboard/heat.json").json()["total"] == 14
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_dashboard_page_has_the_heat_map(users, client_for):
    text = client_for(users["operator"]).get("/dashboard/").content.decode()
    assert 'id="heat-map"' in text and "leaflet-heat.js" in text
    assert "/dashboard/heat.json?" in text
