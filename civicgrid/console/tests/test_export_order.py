"""The Excel export lists the cases in the order the queue shows them (?sort= in the URL)."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.console import queries
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


def exported_numbers(response) -> list:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [row[0] for row in list(book.worksheets[0].iter_rows(values_only=True))[2:]]


@pytest.fixture
def spread(users, garbage):
    """Cases reported an hour apart, in an order that is neither id order nor its reverse."""
    now = timezone.now()
    cases = {}
    for name, hours_ago, cat in (
        ("middle", 2, garbage),
        ("newest", 1, None),
        ("oldest", 3, garbage),
    ):
        cases[name] = report(
            users["resident"],
            cat,
            IN_MICRO[0],
            description=f"{name} 垃圾堆放",
            now=now - datetime.timedelta(hours=hours_ago),
        )
    cases["filed"] = case_in_state("filed", users, cat=garbage, point=IN_MICRO[1])
    return cases


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("created", ["oldest", "middle", "newest"]),
        ("-created", ["newest", "middle", "oldest"]),
    ],
)
def test_export_follows_the_queues_sort(spread, users, client_for, sort, expected):
    client = client_for(users["operator"])
    numbers = exported_numbers(client.get(f"/console/export.xlsx?tab=reported&sort={sort}"))
    assert numbers == [spread[name].number for name in expected]


@pytest.mark.parametrize("sort", [*queries.SORT_KEYS, "", "nonsense"])
def test_export_rows_are_the_queue_pages_rows_in_order(spread, users, client_for, sort):
    client = client_for(users["operator"])
    page = client.get(f"/console/?tab=all&sort={sort}")
    shown = [row["case"].number for row in page.context["rows"]]
    numbers = exported_numbers(client.get(f"/console/export.xlsx?tab=all&sort={sort}"))
    assert len(numbers) == 4
    assert numbers == shown
