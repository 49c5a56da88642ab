"""Every phone page stays under 20 queries with realistic amounts of data (a micro-grid's
month: dozens of cases, patrols with findings, visits with follow-ups, households)."""

import pytest

from civicgrid.cases import services as cases
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import ChecklistItem
from civicgrid.testing.cases import grid_case
from civicgrid.testing.images import png
from civicgrid.testing.people import add_household
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db
LIMIT = 20


@pytest.fixture
def busy(users, tree):
    u = users
    worker = u["worker"]
    tasks = [grid_case(u["operator"], operator=u["operator"]) for _ in range(12)]
    accepted = [
        grid_case(u["operator"], operator=u["operator"], until="accepted", handler=worker)
        for _ in range(8)
    ]
    # Handled by a colleague: the worker checks them (管监分离).
    colleague = u["colleague"]
    handled = [
        grid_case(worker, operator=u["operator"], until="handled", handler=colleague)
        for _ in range(15)
    ]
    for case in handled[:3]:
        for n in range(2):
            from civicgrid.attachments.services import store_attachment

            store_attachment(case, colleague, png(f"{n}.png"), "after")
    items = list(ChecklistItem.objects.all())
    for n in range(12):
        patrol = services.start_patrol(worker, tree["micro_grids"][0])
        services.add_route_points(patrol, worker, [[IN_MICRO[0][0], IN_MICRO[0][1]]] * 30)
        for i, item in enumerate(items):
            services.record_finding(
                patrol, worker, item, result="problem" if i % 4 == 0 else "ok", note="发现问题"
            )
        if n < 11:
            services.finish_patrol(patrol, worker)
    households = [add_household(tree["building_groups"][0], n, residents=3) for n in range(1, 25)]
    for household in households:
        services.record_visit(worker, household, topics="了解情况", follow_ups=["跟进一", "跟进二"])
    return {"tasks": tasks, "accepted": accepted, "handled": handled, "patrol": patrol}


def test_pages_stay_under_20_queries(busy, users, client_for, django_assert_max_num_queries):
    c = client_for(users["worker"])
    handled = busy["handled"][0]
    urls = [
        "/m/",
        "/m/report/",
        "/m/patrols/",
        f"/m/patrols/{busy['patrol'].pk}/",
        "/m/visits/",
        "/m/visits/new/?q=1501弄",
        f"/m/visits/new/?household={users['worker'].visits.first().household_id}",
        "/m/visits/summary/",
        f"/m/cases/{handled.number}/",
        f"/m/cases/{busy['accepted'][0].number}/",
    ]
    for url in urls:
        with django_assert_max_num_queries(LIMIT):
            response = c.get(url)
        assert response.status_code == 200, url
    text = c.get("/m/").content.decode()
    assert text.count("/m/cases/") >= 12 + 8 + 15


def test_the_leaders_summary_stays_under_20_queries(
    busy, users, client_for, django_assert_max_num_queries
):
    c = client_for(users["gridhead"])
    with django_assert_max_num_queries(LIMIT):
        assert c.get("/m/visits/summary/").status_code == 200
    with django_assert_max_num_queries(LIMIT):
        assert c.get("/m/").status_code == 200


def test_posts_stay_under_20_queries(busy, users, client_for, django_assert_max_num_queries):
    c = client_for(users["worker"])
    case = busy["tasks"][0]
    with django_assert_max_num_queries(LIMIT):
        assert c.post(f"/m/cases/{case.number}/accept/").status_code == 302
    item = ChecklistItem.objects.first()
    patrol = busy["patrol"]
    with django_assert_max_num_queries(LIMIT):
        response = c.post(
            f"/m/patrols/{patrol.pk}/items/{item.pk}/", {f"item{item.pk}-result": "ok"}
        )
    assert response.status_code == 302
    with django_assert_max_num_queries(LIMIT):
        response = c.post(
            f"/m/patrols/{patrol.pk}/items/{item.pk}/",
            {f"item{item.pk}-result": "problem", f"item{item.pk}-note": "楼道堆物"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    with django_assert_max_num_queries(LIMIT):
        response = c.post(
            f"/m/patrols/{patrol.pk}/points/",
            data='{"points": [[121.505, 31.1075]]}',
            content_type="application/json",
        )
    assert response.json()["count"] == 31
    # cases.do_report itself is pinned in cases/tests/test_intake_queries.py.
    assert cases.do_report
