"""The read replica (core/replica.py): which reads the router sends to the `replica` alias, and,
through real requests against the test settings' replica (a TEST MIRROR of the default
database), that the dashboard and the API's lists read from it while a browser that has just
written reads the primary."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case
from civicgrid.core import replica
from civicgrid.core.replica import PIN_COOKIE, PRIMARY, REPLICA, ReplicaMiddleware, ReplicaRouter
from civicgrid.testing.world import IN_MICRO

router = ReplicaRouter()


@pytest.fixture
def routing(settings):
    settings.CIVICGRID_READ_REPLICA = True
    settings.CIVICGRID_REPLICA_PATHS = ["/dashboard/"]
    settings.CIVICGRID_REPLICA_PIN_SECONDS = 10


@pytest.fixture
def in_request(routing):
    """The router as it stands inside a request whose reads may go to the replica."""
    route = replica._Route(replica_ok=True)
    token = replica._route.set(route)
    yield route
    replica._route.reset(token)


def list_view(request):
    return HttpResponse("list")


list_view.actions = {"get": "list", "post": "create"}


def detail_view(request):
    return HttpResponse("detail")


detail_view.actions = {"get": "retrieve", "patch": "partial_update"}


# --- the router ----------------------------------------------------------------------------------


def test_without_a_replica_the_router_leaves_everything_to_django(settings):
    settings.CIVICGRID_READ_REPLICA = False
    assert router.db_for_read(Case) is None and router.db_for_write(Case) is None


def test_outside_a_request_everything_reads_the_primary(routing):
    assert router.db_for_read(Case) == PRIMARY
    assert router.db_for_write(Case) == PRIMARY


def test_a_looking_request_reads_domain_rows_from_the_replica(in_request):
    assert router.db_for_read(Case) == REPLICA


@pytest.mark.parametrize(
    "model",
    [
        User,
        Session,
        type("CacheEntry", (), {"_meta": type("M", (), {"app_label": "django_cache"})}),
    ],
    ids=["accounts", "sessions", "cache-table"],
)
def test_sign_ins_tokens_and_counters_always_read_the_primary(in_request, model):
    assert router.db_for_read(model) == PRIMARY


def test_a_request_that_wrote_reads_the_primary_from_then_on(in_request):
    assert router.db_for_read(Case) == REPLICA
    assert router.db_for_write(Case) == PRIMARY
    assert in_request.wrote
    assert router.db_for_read(Case) == PRIMARY


def test_reads_inside_a_transaction_on_the_primary_read_the_primary(in_request, monkeypatch):
    monkeypatch.setattr(connections[PRIMARY], "in_atomic_block", True)
    assert router.db_for_read(Case) == PRIMARY


def test_no_migrations_on_the_replica_and_relations_across_both():
    assert router.allow_migrate(REPLICA, "cases") is False
    assert router.allow_migrate(PRIMARY, "cases") is None
    on_replica, on_primary = Case(), User()
    on_replica._state.db, on_primary._state.db = REPLICA, PRIMARY
    assert router.allow_relation(on_replica, on_primary) is True


# --- the middleware --------------------------------------------------------------------------


def _through(rf, view, method="get", path="/api/cases/", cookies=None, write=False):
    """Run a request through ReplicaMiddleware (process_view, then the view); returns the
    response and whether the view's reads were allowed on the replica."""
    request = getattr(rf, method)(path)
    request.COOKIES.update(cookies or {})
    seen = {}

    def get_response(request):
        middleware.process_view(request, view, (), {})
        seen["replica"] = router.db_for_read(Case) == REPLICA
        if write:
            router.db_for_write(Case)
        return view(request)

    middleware = ReplicaMiddleware(get_response)
    return middleware(request), seen["replica"]


def test_the_api_lists_and_the_dashboard_read_the_replica(rf, routing):
    assert _through(rf, list_view)[1]
    assert _through(rf, list_view, method="head")[1]
    assert _through(rf, detail_view, path="/dashboard/")[1]
    # A detail of the API, and pages elsewhere, read the primary.
    assert not _through(rf, detail_view, path="/api/cases/1/")[1]
    assert not _through(rf, detail_view, path="/console/")[1]


def test_a_write_pins_the_browser_to_the_primary_for_a_while(rf, routing):
    response, on_replica = _through(rf, list_view, method="post")
    assert not on_replica
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    assert response.cookies[PIN_COOKIE]["httponly"]
    # A GET that wrote pins too; one that only read leaves no cookie.
    assert PIN_COOKIE in _through(rf, list_view, write=True)[0].cookies
    assert PIN_COOKIE not in _through(rf, list_view)[0].cookies
    # While the cookie is there, even the lists read the primary.
    assert not _through(rf, list_view, cookies={PIN_COOKIE: "1"})[1]


def test_without_a_replica_the_middleware_does_nothing(rf, settings):
    settings.CIVICGRID_READ_REPLICA = False
    response, on_replica = _through(rf, list_view, method="post")
    assert not on_replica and PIN_COOKIE not in response.cookies


# --- real requests against the mirror ------------------------------------------------------------


def _tables(queries) -> set[str]:
    """The tables the captured queries read."""
    return {t for q in queries for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}


def _get(client, url):
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as mirror,
    ):
        response = client.get(url)
    return response, primary, mirror


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=[PRIMARY, REPLICA])
def test_dashboard_reads_the_replica_until_the_browser_writes(routing, users, garbage):
    client = Client()
    client.force_login(users["operator"])

    response, primary, mirror = _get(client, "/dashboard/")
    assert response.status_code == 200
    assert PIN_COOKIE not in response.cookies
    # The figures came from the replica; the primary only saw who is signed in.
    assert {"dashboard_rollup", "grids_grid"} <= _tables(mirror)
    assert _tables(primary) <= {"django_session", "accounts_user", "accounts_department"}
    assert "django_session" in _tables(primary) and "django_session" not in _tables(mirror)

    response, primary, mirror = _get(client, "/api/cases/")
    assert response.status_code == 200 and "cases_case" in _tables(mirror)
    assert "cases_case" not in _tables(primary)

    # The same browser reports a case (a POST: the primary) …
    created = client.post(
        "/api/cases/",
        {
            "category": garbage.pk,
            "description": "人行道上堆满建筑垃圾",
            "lon": IN_MICRO[0][0],
            "lat": IN_MICRO[0][1],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert PIN_COOKIE in created.cookies
    number = created.json()["number"]

    # … and then reads only the primary: its own case is in the list at once.
    response, primary, mirror = _get(client, "/api/cases/")
    assert response.status_code == 200 and len(mirror) == 0
    assert number in [row["number"] for row in response.json()["results"]]
    response, primary, mirror = _get(client, "/dashboard/")
    assert response.status_code == 200 and len(mirror) == 0
    assert "dashboard_rollup" in _tables(primary)

    # Another browser, which wrote nothing, still reads the replica.
    other = Client()
    other.force_login(users["leader"])
    response, primary, mirror = _get(other, "/dashboard/")
    assert response.status_code == 200 and len(mirror) > 0
    assert Case.objects.filter(number=number).exists()
