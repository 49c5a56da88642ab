"""The case list's pages: keyset (cursor) pages agree with the numbered ones, cost the same
queries at any depth, rows built directly equal DRF's, and on PostgreSQL the list's queries are
read from an index (no Seq Scan + Sort over the cases)."""

import pytest
from django.db import connection
from django.db.models import Q

from civicgrid.cases import services
from civicgrid.cases.api.pagination import encode_cursor
from civicgrid.cases.api.serializers import CaseListSerializer
from civicgrid.cases.api.views import list_queryset
from civicgrid.cases.filters import CaseFilter
from civicgrid.cases.models import Case
from civicgrid.testing.world import IN_MICRO, OUTSIDE

LIST = "/api/cases/"


@pytest.fixture
def many(users, garbage, departments, clock):
    """12 cases: four dispatched (a department, deadlines), one outside every grid."""
    numbers = []
    for i in range(12):
        lon, lat = IN_MICRO[i % 4] if i != 5 else OUTSIDE
        case = services.do_report(
            user=users["resident"], category=garbage, description=f"第{i}件", lon=lon, lat=lat
        ).case
        if i % 3 == 0:
            services.do_file(case, users["operator"])
            services.do_dispatch(case, users["operator"])
        numbers.append(case.number)
        if i % 2:
            clock.advance(minutes=1)  # pairs share a report time: the id breaks the tie
    return numbers


def walk(client, query=""):
    url, pages, numbers = f"{LIST}?limit=5&cursor={query}", 0, []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.data
        assert "count" not in response.data
        numbers += [row["number"] for row in response.data["results"]]
        url, pages = response.data["next"], pages + 1
    return numbers, pages


def test_cursor_pages_walk_the_same_rows_as_the_numbered_list(api, users, many):
    client = api(users["operator"])
    numbered = [row["number"] for row in client.get(f"{LIST}?limit=100").data["results"]]
    assert len(numbered) == 12
    by_cursor, pages = walk(client)
    assert by_cursor == numbered and pages == 3
    # With a filter the cursor keeps it (the next link carries the query).
    dispatched = [r["number"] for r in client.get(f"{LIST}?status=dispatched").data["results"]]
    numbers, _ = walk(client, "&status=dispatched")
    assert numbers == dispatched and len(dispatched) == 4


def test_a_deep_cursor_page_costs_the_queries_of_the_first(
    api, users, many, django_assert_num_queries
):
    client = api(users["operator"])
    ordered = list(Case.objects.order_by("-reported_at", "-id"))
    # Session and user, then the page itself: one query, no count.
    with django_assert_num_queries(1):
        first = client.get(f"{LIST}?limit=5&cursor=")
    cursor = encode_cursor(ordered[9])
    with django_assert_num_queries(1):
        deep = client.get(f"{LIST}?limit=5&cursor={cursor}")
    assert first.status_code == deep.status_code == 200
    assert [r["number"] for r in deep.data["results"]] == [c.number for c in ordered[10:]]
    assert deep.data["next"] is None


@pytest.mark.parametrize("bad", ["x", "bm90IGpzb24", "WyJ4IiwgMV0", "WzEsMl0"])
def test_a_malformed_cursor_is_a_400_in_chinese(api, users, many, bad):
    response = api(users["operator"]).get(f"{LIST}?cursor={bad}")
    assert response.status_code == 400
    assert "游标无效" in str(response.data["cursor"])


def test_numbered_pages_still_count(api, users, many):
    response = api(users["operator"]).get(f"{LIST}?limit=5&offset=5")
    assert response.status_code == 200 and response.data["count"] == 12
    assert len(response.data["results"]) == 5 and "offset=10" in response.data["next"]


def test_rows_built_directly_equal_drfs(users, many, clock):
    from django.utils import timezone

    context = {"now": timezone.now()}
    cases = list(list_queryset())
    assert any(c.micro_grid_id is None for c in cases)
    assert any(c.assigned_department_id for c in cases)
    for case in cases:
        fast = CaseListSerializer(case, context=context).data
        slow = super(CaseListSerializer, CaseListSerializer(case, context=context))
        assert dict(fast) == dict(slow.to_representation(case))


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_the_list_queries_read_an_index_not_a_sorted_scan(users, many, departments):
    """Each list query (first page and a keyset page; no filter, by state, by department, by
    micro-grid) can be answered from an index in the list's order. With a dozen test rows the
    planner would rather sort them, so sorting and sequential scans are priced out (SET LOCAL,
    this transaction only): a plan still reading `cases_case` by a Seq Scan or sorting it would
    mean no index serves the query — what at 10M cases is a scan and sort of all of them."""
    with connection.cursor() as cursor:
        for knob in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
            cursor.execute(f"SET LOCAL {knob} = off")
    base = list_queryset().order_by("-reported_at", "-id")
    after = Case.objects.order_by("-reported_at", "-id")[5]
    grid = Case.objects.exclude(micro_grid=None).values_list("micro_grid_id", flat=True)[0]
    filters = {
        "whole street": {},
        "status": {"status": ["dispatched"]},
        "department": {"department": str(departments["cg"].pk)},
        "micro-grid": {"micro_grid": str(grid)},
    }
    for label, data in filters.items():
        queryset = CaseFilter(data, queryset=base).qs
        keyset = queryset.filter(
            Q(reported_at__lt=after.reported_at) | Q(reported_at=after.reported_at, pk__lt=after.pk)
        )
        for page in (queryset, keyset):
            plan = _plan(page[:50])
            assert "Seq Scan on cases_case" not in plan, (label, plan)
            assert "Sort" not in plan, (label, plan)
            assert "cases_case" in plan and "Index" in plan, (label, plan)
