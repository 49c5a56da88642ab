"""What one intake (POST /api/cases/) costs in queries, pinned so that a change adding a lookup
per report shows up here (bench/intake.py measures the throughput), and proof that the answer
built without reading the case back is the one the database would give."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from civicgrid.accounts.tokens import issue_token
from civicgrid.cases.models import Case
from civicgrid.testing.world import IN_MICRO, OUTSIDE

LIST = "/api/cases/"

# The token and its user (1); the category (1); the calendar's revision for the filing deadline
# (1); the day's counter, bumped in one statement (1); the case and its report event (2); the
# dashboard's rollups, all buckets of the new case in one upsert (1, civicgrid/dashboard). Plus
# BEGIN/COMMIT, which PostgreSQL's connection does not log and a test's savepoint replaces.
INTAKE_QUERIES = 7


def body(cat, point, **extra):
    return {
        "category": cat.pk,
        "description": "人行道上堆满建筑垃圾",
        "lon": point[0] if point else None,
        "lat": point[1] if point else None,
        "reporter_name": "王先生",
        "reporter_phone": "13912345678",
        **extra,
    }


@pytest.fixture(autouse=True)
def _locator_checked_once(settings):
    # The locator re-reads the grid tree's revision at most once a second; a slow test run must
    # not add that query to the count.
    settings.CIVICGRID_LOCATOR_CHECK_SECONDS = 3600


@pytest.fixture
def token_client(users):
    client = APIClient()
    _token, raw = issue_token(users["operator"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def _count_intake(client, data):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(LIST, data, format="json")
    assert response.status_code == 201, response.data
    writes = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    return response, writes


def test_one_intake_costs_a_fixed_number_of_queries(token_client, garbage, clock):
    token_client.post(LIST, body(garbage, IN_MICRO[0]), format="json")  # the day's counter row
    response, queries = _count_intake(token_client, body(garbage, IN_MICRO[1]))
    assert len(queries) == INTAKE_QUERIES, "\n".join(queries)
    # The answer's micro-grid comes from the locator, not from a read of the grid (boundary and
    # all), and the case is not read back.
    assert response.data["micro_grid_code"] is not None
    assert not any('FROM "grids_grid"' in q for q in queries)
    assert not any('FROM "cases_case"' in q for q in queries)


def test_the_first_intake_of_a_day_creates_its_counter(token_client, garbage, clock):
    token_client.post(LIST, body(garbage, IN_MICRO[0]), format="json")  # builds the locator
    clock.advance(days=1)
    response, queries = _count_intake(token_client, body(garbage, IN_MICRO[0]))
    # The bump finds no row, get_or_create reads and inserts it, the bump runs again; and the
    # token's last use, a day old, is recorded again (accounts.tokens.LAST_USED_EVERY).
    assert len(queries) == INTAKE_QUERIES + 4, "\n".join(queries)
    assert response.data["number"].endswith("00001")


@pytest.mark.parametrize(
    "point, extra",
    [
        (IN_MICRO[0], {}),
        (OUTSIDE, {"source": "supervision"}),
        (None, {"source": "hotline_12345", "address": "康桥路1号"}),
        (IN_MICRO[1], {"is_anonymous": True, "source": "resident"}),
    ],
)
def test_the_intake_answer_equals_the_case_read_back(token_client, garbage, clock, point, extra):
    response = token_client.post(LIST, body(garbage, point, **extra), format="json")
    assert response.status_code == 201, response.data
    # The detail endpoint reads the case with detail_queryset(): the same JSON, key for key.
    read_back = token_client.get(f"{LIST}{response.data['number']}/")
    assert read_back.status_code == 200
    assert response.json() == read_back.json()
    assert Case.objects.filter(number=response.data["number"]).count() == 1


def test_serializer_fields_are_built_once_per_language_but_never_shared(db):
    from django.utils import translation

    from civicgrid.cases.api import serializers as s

    first, second = s.CaseDetailSerializer(), s.CaseDetailSerializer()
    assert first.fields["number"] is not second.fields["number"]
    assert first.fields["number"].parent is first and second.fields["number"].parent is second
    assert first.fields["history"].child is not second.fields["history"].child
    # Labels come from the model's verbose names: each language has its own built fields.
    with translation.override("en"):
        english = s.CaseDetailSerializer().fields["status"].label
    with translation.override("zh-hans"):
        chinese = s.CaseDetailSerializer().fields["status"].label
    assert chinese == "状态" and english == "Status"
