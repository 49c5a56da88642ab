"""What one intake (POST /api/cases/) costs in queries, pinned so that a change adding a lookup
per report shows up here (bench/intake.py measures the throughput), and proof that the answer
built without reading the case back is the one the database would give."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from civicgrid.accounts.tokens import issue_token
from civicgrid.cases.models import Case
from civicgrid.cases.tests.test_category_cache import as_committed
from civicgrid.testing.world import IN_MICRO, OUTSIDE

LIST = "/api/cases/"

# The token and its user (1); the case and its report event (2) — the category comes from the
# process's copy (cases.category_cache), checked with the calendar's revision in one read of the
# shared cache; the dashboard's rollups, all buckets of the new case in one upsert (1,
# civicgrid/dashboard); the stored 未诉先办 answer (civicgrid/proactive/first.py): on
# PostgreSQL one statement reads the cases of the other kind around the new one and writes the
# counts (1), elsewhere a read and a write (2); last, the day's counter bumped and the number
# written into the case, on PostgreSQL in one statement (1), elsewhere two (no UPDATE inside WITH). Plus BEGIN/COMMIT, which PostgreSQL's connection does
# not log and a test's savepoint replaces.
INTAKE_QUERIES = 6 if connection.vendor == "postgresql" else 8


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


def _count_intake(client, data, path=LIST):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(path, data, format="json")
    assert response.status_code == 201, response.data
    writes = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    return response, writes


def test_one_intake_costs_a_fixed_number_of_queries(token_client, garbage, clock):
    as_committed()  # the fixture's save of the category
    token_client.post(LIST, body(garbage, IN_MICRO[0]), format="json")  # the day's counter row
    _minimal, queries = _count_intake(token_client, body(garbage, IN_MICRO[1]))
    assert len(queries) == INTAKE_QUERIES, "\n".join(queries)
    # The full view on request costs no query more.
    response, queries = _count_intake(token_client, body(garbage, IN_MICRO[1]), f"{LIST}?full=1")
    assert len(queries) == INTAKE_QUERIES, "\n".join(queries)
    # The answer's micro-grid comes from the locator, not from a read of the grid (boundary and
    # all), and the case is not read back.
    assert response.data["micro_grid_code"] is not None
    assert not any('FROM "grids_grid"' in q for q in queries)
    # (proactive's look-up of the cases of the other kind, by category and source, reads others)
    assert not any('FROM "cases_case"' in q and "source" not in q for q in queries)


def test_the_first_intake_of_a_day_creates_its_counter(token_client, garbage, clock):
    as_committed()
    token_client.post(LIST, body(garbage, IN_MICRO[0]), format="json")  # builds the locator
    clock.advance(days=1)
    response, queries = _count_intake(token_client, body(garbage, IN_MICRO[0]))
    # The bump finds no row (and writes nothing), get_or_create reads and inserts it, the bump
    # runs again (on SQLite the number's UPDATE of the case only then: the same four); the
    # token's last use, a day old, is recorded again (accounts.tokens.LAST_USED_EVERY); and the
    # calendar's revision, whose copy in the shared cache expired during the day
    # (workcalendar.services.REVISION_SECONDS), is read from its row.
    assert len(queries) == INTAKE_QUERIES + 5, "\n".join(queries)
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
    # The full view, on request (the default answer is the minimal one).
    response = token_client.post(f"{LIST}?full=1", body(garbage, point, **extra), format="json")
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


VALID_BODIES = [
    {"category": 7, "description": "  人行道上堆满建筑垃圾 "},
    {
        "category": 7,
        "description": "井盖松动",
        "source": "supervision",
        "lon": 121,
        "lat": 31.1,
        "address": " 康桥路1号 ",
        "reporter_name": "王先生",
        "reporter_phone": "13912345678",
        "reporter_email": "",
        "is_anonymous": True,
        "external_ticket": "",
        "hotline_request_type": "",
        "not_a_field": {"ignored": 1},
    },
    {"category": 7, "description": "占道", "lon": None, "lat": None, "source": "hotline_12345"},
]
# What the direct check leaves to the serializer (which then answers, with its message).
OTHER_BODIES = [
    {"category": "7", "description": "数字写成字符串"},
    {"category": True, "description": "布尔值"},
    {"category": 2**70, "description": "太大的编号"},
    {"category": 7},
    {"description": "没有类别"},
    {"category": 7, "description": "   "},
    {"category": 7, "description": "x" * 2001},
    {"category": 7, "description": "空字符\x00"},
    {"category": 7, "description": "孤立代理\ud800"},
    {"category": 7, "description": "来源", "source": "nowhere"},
    {"category": 7, "description": "来源", "source": ""},
    {"category": 7, "description": "来源", "source": "proactive"},
    {"category": 7, "description": "坐标", "lon": "121.5", "lat": 31},
    {"category": 7, "description": "坐标", "lon": 10**400, "lat": 31},
    {"category": 7, "description": "匿名", "is_anonymous": "true"},
    {"category": 7, "description": "姓名", "reporter_name": "王" * 51},
    {"category": 7, "description": "类型", "hotline_request_type": "unknown"},
    ["not", "a", "dict"],
]


@pytest.mark.parametrize("data", VALID_BODIES)
def test_the_direct_check_of_an_ordinary_body_equals_the_serializer(data):
    from civicgrid.cases.api import serializers as s

    drf = s.IntakeSerializer(data=data)
    assert drf.is_valid(), drf.errors
    assert s.lean_intake_fields(data) == dict(drf.validated_data)


@pytest.mark.parametrize("data", OTHER_BODIES)
def test_the_direct_check_leaves_anything_else_to_the_serializer(data):
    from civicgrid.cases.api import serializers as s

    assert s.lean_intake_fields(data) is None


def test_the_default_answer_is_minimal_and_the_full_view_is_on_request(
    token_client, garbage, clock
):
    minimal = token_client.post(LIST, body(garbage, IN_MICRO[0]), format="json")
    assert minimal.status_code == 201, minimal.data
    number = minimal.data["number"]
    assert minimal.data == {
        "number": number,
        "status": "reported",
        "status_display": "待受理",
        "reported_at": minimal.data["reported_at"],
        "links": {"self": f"{LIST}{number}/"},
    }
    assert minimal["Location"] == f"{LIST}{number}/"
    assert minimal["Preference-Applied"] == "return=minimal"
    read_back = token_client.get(minimal["Location"]).json()
    assert read_back["reported_at"] == minimal.data["reported_at"]
    for ask in ({"path": f"{LIST}?full=1"}, {"path": LIST, "HTTP_PREFER": "return=representation"}):
        path = ask.pop("path")
        full = token_client.post(path, body(garbage, IN_MICRO[1]), format="json", **ask)
        assert full.status_code == 201, full.data
        assert full["Preference-Applied"] == "return=representation"
        assert full.json() == token_client.get(full["Location"]).json()
