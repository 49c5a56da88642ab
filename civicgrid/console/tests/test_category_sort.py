"""The 类别 order (the category's family and code, then newest first): numbered pages and pages
by cursor both ways give the cases in that order, whole and filtered — on PostgreSQL read
category by category from the index (console.queries._category_ids), on SQLite sorted."""

import re
from types import SimpleNamespace

import pytest
from django.db.models import Q

from civicgrid.cases.models import Case
from civicgrid.console import queries
from civicgrid.testing.cases import category, report
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db

# (family, code) of the reports, in the order they come in (a minute apart): categories
# interleaved, two of them 部件 (component: sorted before 事件 by its family).
REPORTS = [
    ("event", "0102"),
    ("event", "0201"),
    ("event", "0102"),
    ("component", "0101"),
    ("event", "0101"),
    ("event", "0201"),
    ("event", "0102"),
    ("component", "0101"),
    ("event", "0102"),
    ("event", "0201"),
    ("event", "0101"),
    ("event", "0102"),
]


@pytest.fixture
def cases(users, garbage, clock):
    made = []
    for i, (family, code) in enumerate(REPORTS):
        clock.set(2026, 11, 24, 9, i)
        if i == 8:
            clock.set(2026, 11, 24, 9, 6)  # as the 7th, of its category: the id decides
        made.append(report(users["resident"], category(family, code), IN_MICRO[i % 4]))
    return made


def expected(condition) -> list:
    rows = Case.objects.filter(condition).select_related("category")
    return [
        c.pk
        for c in sorted(
            rows,
            key=lambda c: (c.category.family, c.category.code, -c.reported_at.timestamp(), -c.pk),
        )
    ]


@pytest.mark.parametrize("size", [1, 4, 5])
@pytest.mark.parametrize(
    "condition",
    [Q(), Q(category__code="0102") | Q(category__family="component")],
    ids=["all", "some"],
)
def test_pages_of_the_category_order(users, cases, size, condition):
    base = queries.row_columns(queries.list_queryset(users["operator"]))
    ordered, sort = queries.sorted_cases(base.filter(condition), "category")
    assert sort == "category"
    want = expected(condition)
    assert len(want) == (len(REPORTS) if condition == Q() else 7)

    numbered = []
    for start in range(0, len(want), size):
        numbered += queries.page_of(ordered, sort, start, start + size)
    assert [row.pk for row in numbered] == want

    for i, row in enumerate(numbered):
        after = queries.decode_cursor(queries.encode_cursor(sort, row, forward=True), sort)
        rows, more = queries.keyset_page(ordered, sort, after, size)
        assert [r.pk for r in rows] == want[i + 1 : i + 1 + size], ("after", i)
        assert more == (len(want) > i + 1 + size)
        before = queries.decode_cursor(queries.encode_cursor(sort, row, forward=False), sort)
        rows, more = queries.keyset_page(ordered, sort, before, size)
        assert [r.pk for r in rows] == want[max(0, i - size) : i], ("before", i)
        assert more == (i - size > 0)


def test_a_cursor_of_no_category_or_a_malformed_one_is_answered(users, cases, client):
    """A cursor naming a category that does not exist (deleted since, or made up) pages on from
    where it would stand; a malformed cursor is the first page — never an error."""
    client.force_login(users["operator"])
    ghost = SimpleNamespace(
        category=SimpleNamespace(family="event", code="0150"),
        reported_at=cases[0].reported_at,
        pk=cases[0].pk,
    )
    token = queries.encode_cursor("category", ghost, forward=True)
    page = client.get("/console/", {"tab": "all", "sort": "category", "cursor": token})
    assert page.status_code == 200
    # Past 事件 0150: the 事件 0201 cases, newest first (部件 sorts before 事件).
    numbers = re.findall(r'<tr[^>]* data-number="(\d+)"', page.content.decode())
    later = Case.objects.filter(category__family="event", category__code__gt="0150")
    assert numbers == [c.number for c in later.order_by("-reported_at", "-id")]
    assert len(numbers) == 3
    first = client.get("/console/", {"tab": "all", "sort": "category"}).content.decode()
    for bad in ("garbage", "eyJ4Ijox", "W10"):
        page = client.get("/console/", {"tab": "all", "sort": "category", "cursor": bad})
        assert page.status_code == 200
        assert re.findall(r'data-number="(\d+)"', page.content.decode()) == re.findall(
            r'data-number="(\d+)"', first
        )


def test_a_tab_with_nothing_in_it_is_an_empty_page(users, cases):
    """A selection the database need not even ask (no case can match it) reads each category's
    ids as none at all, not as an empty list: the page is empty, by number and by cursor."""
    base = queries.row_columns(queries.list_queryset(users["operator"]))
    ordered, sort = queries.sorted_cases(base.filter(pk__in=[]), "category")
    assert queries.page_of(ordered, sort, 0, 30) == []
    after = queries.decode_cursor(queries.encode_cursor(sort, cases[0], forward=True), sort)
    assert queries.keyset_page(ordered, sort, after, 30) == ([], False)
