"""Deep pages of the queue and the inbox: the first pages by number, then 下一页/上一页 by cursor
(keyset), which reach every case once in the page's order — in each sort, across cases with
and without a running deadline — and back; a bad cursor is the first page."""

import re
from html import unescape

import pytest
from django.db import connection

from civicgrid.cases import services
from civicgrid.console import queries, views
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


@pytest.fixture
def nine(users, garbage, departments):
    cases = [report(users["resident"], garbage, IN_MICRO[i % 4]) for i in range(5)]
    services.do_file(cases[0], users["operator"])
    cases.append(case_in_state("dispatched", users, cat=garbage, point=IN_MICRO[1]))
    cases.append(case_in_state("dispatched", users, cat=garbage, point=IN_MICRO[2]))
    cases.append(case_in_state("closed", users, cat=garbage, point=IN_MICRO[3]))
    cases.append(case_in_state("closed", users, cat=garbage, point=IN_MICRO[0]))
    return cases


def link(response, rel):
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', response.content.decode())
    return unescape(found.group(1)) if found else None


def shown(response):
    return [row["case"].number for row in response.context["rows"]]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(queries, "NUMBERED_PAGES", 2)


@pytest.mark.parametrize("sort", queries.SORT_KEYS)
def test_next_and_previous_walk_every_case_once_in_order(
    users, nine, client_for, small_pages, sort
):
    client = client_for(users["operator"])
    ordered, _key = queries.sorted_cases(queries.list_queryset(users["operator"]), sort)
    expected = list(ordered.values_list("number", flat=True))
    assert len(expected) == 9
    response = client.get(f"/console/?tab=all&sort={sort}")
    pages = [shown(response)]
    while (url := link(response, "next")) is not None:
        response = client.get(f"/console/{url}")
        assert response.status_code == 200
        pages.append(shown(response))
    assert [n for page in pages for n in page] == expected
    assert "cursor=" in url_after(pages, client, sort)  # the pages past the numbered ones
    # …and back by 上一页 to the first page.
    back = [pages[-1]]
    while (url := link(response, "prev")) is not None:
        response = client.get(f"/console/{url}")
        back.append(shown(response))
    assert [n for page in reversed(back) for n in page] == expected


def url_after(pages, client, sort):
    """The 下一页 link of the last numbered page."""
    response = client.get(f"/console/?tab=all&sort={sort}&page={queries.NUMBERED_PAGES}")
    return link(response, "next")


def test_a_bad_cursor_is_the_first_page(users, nine, client_for, small_pages):
    client = client_for(users["operator"])
    first = shown(client.get("/console/?tab=all"))
    for bad in ("x", "W10", "eyJhIjoxfQ", "WyJkZWFkbGluZSIsImEiLFsxLDJdXQ"):
        response = client.get(f"/console/?tab=all&cursor={bad}")
        assert response.status_code == 200
        assert shown(response) == first


def test_a_deep_page_costs_the_queries_of_the_first(
    users, nine, client_for, small_pages, django_assert_max_num_queries
):
    client = client_for(users["operator"])
    first = client.get("/console/?tab=all&sort=-created&page=2")
    deep = link(first, "next")
    assert "cursor=" in deep
    with django_assert_max_num_queries(19):
        response = client.get(f"/console/{deep}")
    assert response.status_code == 200 and len(shown(response)) == 2


def test_the_inbox_pages_by_cursor_too(users, nine, client_for, small_pages, monkeypatch):
    monkeypatch.setattr(queries, "NUMBERED_PAGES", 1)
    for _i in range(3):
        case_in_state("dispatched", users, cat=nine[0].category, point=IN_MICRO[0])
    client = client_for(users["handler"])
    response = client.get("/console/inbox/")
    seen = shown(response)
    while (url := link(response, "next")) is not None:
        response = client.get(f"/console/inbox/{url}")
        seen += shown(response)
    assert len(seen) == len(set(seen)) == response.context["counts"]["to_accept"] == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_a_deep_page_of_all_reads_the_index_not_a_sorted_scan(users, nine):
    """全部, newest first, past its numbered pages: the keyset page is read from the index on
    (reported_at, id) — no sequential scan, no sort (priced out as in cases' plan test)."""
    with connection.cursor() as cursor:
        for knob in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
            cursor.execute(f"SET LOCAL {knob} = off")
    ordered, sort = queries.sorted_cases(queries.list_queryset(users["operator"]), "-created")
    after = list(ordered[:3])[-1]
    for forward in (True, False):
        cursor = queries.decode_cursor(queries.encode_cursor(sort, after, forward=forward), sort)
        page = ordered.filter(queries._beyond(queries._sort_fields(sort), cursor[1], forward))
        if not forward:
            page = page.reverse()
        sql, params = page[:31].query.sql_with_params()
        with connection.cursor() as db:
            db.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in db.fetchall())
        assert "Seq Scan on cases_case" not in plan, plan
        assert "Sort" not in plan, plan
