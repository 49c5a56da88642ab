"""Calendar API: days with filters, years, the deadline calculator."""

import pytest
from rest_framework.test import APIClient

from civicgrid.accounts.choices import Role
from civicgrid.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_api():
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.GRID_WORKER))
    return client


def test_anonymous_is_refused():
    assert APIClient().get("/api/calendar/days/").status_code == 403


def test_days_filtered_by_year_and_kind(worker_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = worker_api.get("/api/calendar/days/", {"year": 2026, "kind": "adjusted_workday"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["date"] for r in rows][-2:] == ["2026-09-20", "2026-10-10"]
    assert rows[-1] == {
        "date": "2026-10-10",
        "kind": "adjusted_workday",
        "kind_display": "调休上班",
        "is_working": True,
        "holiday_name": "国庆节",
        "source": "seed",
        "note": "",
    }
    october = worker_api.get(
        "/api/calendar/days/", {"date_from": "2026-10-01", "date_to": "2026-10-07", "limit": 50}
    ).json()
    assert october["count"] == 7
    assert {r["holiday_name"] for r in october["results"]} == {"国庆节"}
    assert worker_api.get("/api/calendar/days/", {"kind": "nonsense"}).status_code == 400


def test_years(worker_api):
    rows = worker_api.get("/api/calendar/years/").json()
    assert [r["year"] for r in rows] == list(range(2019, 2027))
    assert all(r["published"] for r in rows)


def test_deadline_calculator(worker_api):
    response = worker_api.get(
        "/api/calendar/deadline/", {"start": "2026-09-30T10:00:00+08:00", "working_days": 3}
    )
    assert response.json() == {"at": "2026-10-10T18:00:00+08:00", "calendar_published": True}
    hours = worker_api.get(
        "/api/calendar/deadline/", {"start": "2026-12-31T17:00:00+08:00", "working_hours": 2}
    ).json()
    assert hours == {"at": "2027-01-01T10:00:00+08:00", "calendar_published": False}


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-09-30T10:00:00+08:00"},
        {"start": "2026-09-30T10:00:00+08:00", "working_days": 1, "working_hours": 2},
        {"start": "not a date", "working_days": 1},
        {"start": "2026-09-30T10:00:00+08:00", "working_days": -1},
        {"start": "2026-09-30T10:00:00+08:00", "working_hours": "x"},
    ],
)
def test_deadline_bad_input_is_a_400(worker_api, params):
    response = worker_api.get("/api/calendar/deadline/", params)
    assert response.status_code == 400
    assert response.json()
