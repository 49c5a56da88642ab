"""bench/lists.py's yardstick, GET /bench/list/ (civicgrid.bench_urls): a hand-built page of the
cases the user may see, through the same stack as the app's lists — only in the benchmark's
URLconf, the same session authentication, the same scope as the API's list."""

import pytest
from django.urls import Resolver404, resolve

from civicgrid.cases.models import CoHandling
from civicgrid.testing.cases import case_in_state, report

BENCH_URLS = "civicgrid.bench_urls"


@pytest.fixture
def mixed(users, garbage, departments):
    """Two cases dispatched to 城管中队, one with 房管办 as 协办, one only reported."""
    cg = [case_in_state("dispatched", users, cat=garbage) for _i in range(2)]
    other = case_in_state("dispatched", users, cat=garbage)
    other.assigned_department = departments["fg"]
    other.save(update_fields=["assigned_department"])
    CoHandling.objects.create(
        case=cg[0], department=departments["fg"], assigned_at=cg[0].reported_at
    )
    reported = report(users["resident"], garbage)
    return {"cg": cg, "fg": other, "reported": reported}


def numbers(response):
    assert response.status_code == 200
    return {row["number"] for row in response.json()["results"]}


def test_the_production_urlconf_has_no_bench_list(users, client_for):
    with pytest.raises(Resolver404):
        resolve("/bench/list/")
    assert client_for(users["operator"]).get("/bench/list/").status_code == 404


@pytest.mark.urls(BENCH_URLS)
def test_the_hand_built_page_shows_what_the_api_list_shows(users, mixed, client_for):
    for who in ("operator", "handler", "handler_fg"):
        client = client_for(users[who])
        api = numbers(client.get("/api/cases/?cursor="))
        assert numbers(client.get("/bench/list/")) == api, who
    # The department handler: its department's cases and its 协办, nothing else.
    fg = client_for(users["handler_fg"])
    assert numbers(fg.get("/bench/list/")) == {mixed["fg"].number, mixed["cg"][0].number}
    # ?own=1: its own department's only (the inbox's yardstick).
    assert numbers(fg.get("/bench/list/?own=1")) == {mixed["fg"].number}


@pytest.mark.urls(BENCH_URLS)
def test_the_hand_built_page_needs_a_signed_in_user_and_pages_by_keyset(
    users, mixed, client, client_for
):
    assert client.get("/bench/list/").status_code == 403
    operator = client_for(users["operator"])
    rows = operator.get("/bench/list/").json()["results"]
    assert len(rows) == 4
    assert [r["reported_at"] for r in rows] == sorted(
        (r["reported_at"] for r in rows), reverse=True
    )
    from civicgrid.cases.models import Case

    ordered = list(Case.objects.order_by("-reported_at", "-id"))
    assert [r["number"] for r in rows] == [c.number for c in ordered]
    top = ordered[1]
    after = operator.get("/bench/list/", {"at": top.reported_at.isoformat(), "id": top.pk})
    assert [r["number"] for r in after.json()["results"]] == [c.number for c in ordered[2:]]
