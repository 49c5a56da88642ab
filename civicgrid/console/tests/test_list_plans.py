"""The queues' and the inbox's orders are read from an index (cases.Case.Meta), never by sorting
the cases: every tab in every sort, its first page and a page by cursor both ways (类别, ordered
by the category's own columns, category by category), and every tab of the department inbox in
its order (the running deadline). PostgreSQL only: the plans are its own.

With a dozen test rows the planner would rather sort them, so sorting and sequential scans are
priced out (SET LOCAL, this transaction only), as in cases' plan test: a plan still sorting the
cases or reading them by a Seq Scan means no index serves the order — at a million cases, a sort
of every case of the tab (the running deadline of 全部 took 480 ms). An index on an expression
serves only that exact expression: the queries' running deadline must stay cases.clock's."""

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from civicgrid.cases import services
from civicgrid.console import queries, views
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.world import IN_MICRO

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL"),
]

# The sorts an index on the cases serves directly (category: category by category, below).
INDEXED_SORTS = [key for key in queries.SORT_KEYS if key != "category"]
# Every index the lists' orders are read from (cases.Case.Meta.indexes).
LIST_INDEXES = (
    "case_deadline_idx",
    "case_deadline_status_idx",
    "case_deadline_dept_idx",
    "case_open_newest_idx",
    "case_list_newest_idx",
    "case_list_status_idx",
    "case_list_dept_idx",
    "case_list_grid_idx",
)


@pytest.fixture
def some(users, garbage, departments):
    cases = [report(users["resident"], garbage, IN_MICRO[i % 4]) for i in range(3)]
    services.do_file(cases[0], users["operator"])
    for state in ("dispatched", "accepted", "handled", "returned", "closed", "suspended"):
        cases.append(case_in_state(state, users, cat=garbage, point=IN_MICRO[1]))
    return cases


@pytest.fixture
def no_sorts():
    with connection.cursor() as cursor:
        for knob in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
            cursor.execute(f"SET LOCAL {knob} = off")


def plan(queryset, prepared: bool = False) -> str:
    """The statement's plan for its parameters; `prepared`: the plan it runs as a prepared
    statement (settings.DB_PREPARE) once PostgreSQL has planned it five times and weighs its
    generic plan against those (plan_cache_mode auto)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if not prepared:
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        numbers = iter(range(1, len(params) + 1))
        numbered = re.sub(r"%%|%s", lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)
        cursor.execute("DEALLOCATE ALL")
        cursor.execute("PREPARE list_page AS " + numbered)
        # EXECUTE's arguments are typed by the prepared statement only when written as literals.
        values = connection.ops.compose_sql(", ".join(["%s"] * len(params)), params)
        execute = f"EXECUTE list_page({values})" if params else "EXECUTE list_page"
        for _ in range(6):
            cursor.execute(execute)
        cursor.execute("EXPLAIN " + execute)
        text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE list_page")
        return text


def page_query(ordered, sort: str, in_order: bool = False):
    """The statement queries.page_of runs for a page (the ids chosen on the cases alone in the
    orders no (reported_at, id) index serves, unless the page is an index's range already)."""
    direct = in_order or sort in queries.INDEX_ORDERS
    return ordered[:31] if direct else ordered.values("pk")[:31]


def assert_read_in_order(queryset, sort: str, label, in_order: bool = False, prepared=False):
    text = plan(page_query(queryset, sort, in_order), prepared)
    assert "Seq Scan on cases_case" not in text, (label, text)
    assert "Sort" not in text, (label, text)
    assert any(name in text for name in LIST_INDEXES), (label, text)


def keyset_queries(ordered, sort: str, monkeypatch):
    """Each statement queries.keyset_page runs for the pages after and before the first and the
    last row of `ordered` (with and without a running deadline in the 期限 order), as
    queries.page_of is given them (page_of recorded, answering no rows: every range is read):
    [(queryset, in_order)]."""
    asked = []
    rows = (ordered.first(), ordered.last())

    def recorded(qs, *_args, in_order=False):
        asked.append((qs, in_order))
        return []

    with monkeypatch.context() as patch:
        patch.setattr(queries, "page_of", recorded)
        for row in rows:
            for forward in (True, False):
                token = queries.encode_cursor(sort, row, forward=forward)
                queries.keyset_page(ordered, sort, queries.decode_cursor(token, sort), 30)
    return asked


@pytest.mark.parametrize("sort", INDEXED_SORTS)
def test_every_queue_tab_reads_its_order_from_an_index(users, some, no_sorts, sort, monkeypatch):
    base = queries.row_columns(queries.list_queryset(users["operator"]))
    for tab in queries.QUEUE_KEYS:
        ordered, _key = queries.sorted_cases(base.filter(queries.queue_condition(tab, sort)), sort)
        assert_read_in_order(ordered, sort, (tab, sort))
    everything, _key = queries.sorted_cases(base, sort)
    deep = keyset_queries(everything, sort, monkeypatch)
    assert len(deep) >= 4
    for page, in_order in deep:
        assert_read_in_order(page, sort, ("all", sort, "by cursor"), in_order)


@pytest.mark.parametrize("sort", INDEXED_SORTS)
def test_prepared_queue_pages_keep_reading_their_order_from_an_index(users, some, no_sorts, sort):
    """Prepared (settings.DB_PREPARE), a page's statement keeps the plan read from the index.
    Its generic plan could not use the running deadline's index (the states in that expression
    are parameters there, literals in the index) and sorts; PostgreSQL runs a generic plan only
    when it costs no more than the custom plans did, and a sort of a tab's cases costs more than
    reading a page from an index (here sorts are priced out; at a city's size the sort is)."""
    base = queries.row_columns(queries.list_queryset(users["operator"]))
    for tab in queries.QUEUE_KEYS:
        ordered, _key = queries.sorted_cases(base.filter(queries.queue_condition(tab, sort)), sort)
        assert_read_in_order(ordered, sort, (tab, sort, "prepared"), prepared=True)


def test_every_inbox_tab_reads_the_running_deadline_from_an_index(
    users, some, no_sorts, monkeypatch
):
    handler = users["handler"]
    base = queries.row_columns(queries.list_queryset(handler))
    own = Q(assigned_department_id=handler.department_id, handled_by_grid=False)
    now = timezone.now()
    for tab, _label, condition in views.INBOX_TABS:
        ordered, sort = queries.sorted_cases(base.filter(own & condition(now)), "deadline")
        assert_read_in_order(ordered, sort, tab)
        if tab == "to_accept":  # the default tab, deep by cursor
            for page, in_order in keyset_queries(ordered, sort, monkeypatch):
                assert_read_in_order(page, sort, (tab, "by cursor"), in_order)


def test_the_deadline_order_is_the_indexed_expression(users, some):
    """The inbox's default page (期限) is read in order from an index on the running deadline
    (by department or by state): the expression the query sorts by is the one indexed. With
    sorts, sequential and bitmap scans priced out, an order no index served would be sorted
    all the same."""
    handler = users["handler"]
    base = queries.row_columns(queries.list_queryset(handler))
    own = Q(assigned_department_id=handler.department_id, handled_by_grid=False)
    condition = dict((key, q) for key, _l, q in views.INBOX_TABS)["to_accept"]
    ordered, _sort = queries.sorted_cases(base.filter(own & condition(timezone.now())), "deadline")
    with connection.cursor() as cursor:
        for knob in (
            "enable_sort",
            "enable_incremental_sort",
            "enable_seqscan",
            "enable_bitmapscan",
        ):
            cursor.execute(f"SET LOCAL {knob} = off")
    text = plan(ordered.values("pk")[:31])
    assert "Sort" not in text, text
    assert "case_deadline_dept_idx" in text or "case_deadline_status_idx" in text, text


CATEGORY_TAB_INDEXES = ("case_list_category_idx", "case_list_status_idx", "case_open_newest_idx")


def test_the_category_order_is_read_category_by_category_from_an_index(users, some, no_sorts):
    """类别: each category's cases from the index on (category, reported_at, id), first page
    and by cursor both ways (the rest of the cursor's category, then the categories beyond);
    only the categories are put in order (their unique (family, code) index)."""
    base = queries.row_columns(queries.list_queryset(users["operator"]))
    for tab in queries.QUEUE_KEYS:
        ordered, sort = queries.sorted_cases(
            base.filter(queries.queue_condition(tab, "category")), "category"
        )
        statements = [queries.category_arrays(ordered, 31)]
        row = ordered.first()
        if row is not None:
            values = [row.category.family, row.category.code, row.reported_at, row.pk]
            for forward in (True, False):
                rest = queries.own_category_rest(ordered, values, forward)
                statements += [
                    rest.values("pk")[:31],
                    queries.category_arrays(ordered, 31, after=values[:2], forward=forward),
                ]
        for statement in statements:
            text = plan(statement)
            assert "Seq Scan on cases_case" not in text, (tab, text)
            assert "Sort" not in text, (tab, text)
            # A tab's state may lead instead (its index holds the same order within it).
            wanted = ("case_list_category_idx",) if tab == "all" else CATEGORY_TAB_INDEXES
            assert any(name in text for name in wanted), (tab, text)
