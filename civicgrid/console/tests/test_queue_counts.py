"""The queue's 全部 count stops at a cap ("N+"), the tab counts agree with the pages, and
numbered pages reach the cases up to the cap."""

import pytest

from civicgrid.cases import services
from civicgrid.console import queries
from civicgrid.testing.cases import report
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


def tab_counts(response):
    return {t["key"]: t["count"] for t in response.context["tabs"]}


@pytest.fixture
def seven(users, garbage):
    cases = [report(users["resident"], garbage, IN_MICRO[i % 4]) for i in range(7)]
    for case in cases[:2]:
        services.do_file(case, users["operator"])
    return cases


def test_all_is_counted_up_to_the_cap(users, seven, client_for, monkeypatch):
    monkeypatch.setattr(queries, "ALL_COUNT_CAP", 5)
    monkeypatch.setattr("civicgrid.console.views.PAGE_SIZE", 2)
    client = client_for(users["operator"])
    response = client.get("/console/?tab=all")
    assert response.status_code == 200
    counts = tab_counts(response)
    assert counts["all"] == "5+"
    assert counts["to_dispatch"] == 2
    # Pages by number up to the cap: 5 cases → 3 pages of 2.
    assert response.context["page_obj"].paginator.num_pages == 3
    last = client.get("/console/?tab=all&page=3")
    assert len(last.context["rows"]) == 1


def test_counts_below_the_cap_are_exact(users, seven, client_for):
    response = client_for(users["operator"]).get("/console/?tab=reported")
    counts = tab_counts(response)
    assert counts["all"] == 7
    assert counts["reported"] == response.context["page_obj"].paginator.count
    assert counts["reported"] == len(response.context["rows"]) == 5
