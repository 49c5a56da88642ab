"""The staff pages, the phone's task pages, the API and the dashboard tile (fixed queries)."""

import datetime

import pytest
from django.urls import reverse

from civicgrid.cases.models import Case
from civicgrid.proactive import hotspots, reports, services
from civicgrid.proactive.models import Anomaly, PatrolTask, StandingProblem
from civicgrid.proactive.tests.conftest import NOW, at
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db
ADDRESS = "秀沿路1501弄12号"


@pytest.fixture
def item(report):
    for d in (3, 2, 1):
        report(at(d), address=ADDRESS)
    services.do_detect(now=NOW)
    return StandingProblem.objects.get()


def test_index_and_roles(client_for, users, item):
    page = client_for(users["staff"]).get(reverse("proactive:index"))
    assert page.status_code == 200
    assert ADDRESS in page.content.decode()
    # Community 1's 居委 does not see community 0's item.
    other = client_for(users["staff2"]).get(reverse("proactive:index")).content.decode()
    assert ADDRESS not in other
    assert (
        client_for(users["staff2"]).get(reverse("proactive:problem", args=[item.pk])).status_code
        == 404
    )
    assert client_for(users["resident"]).get(reverse("proactive:index")).status_code == 403
    assert client_for(users["handler"]).get(reverse("proactive:index")).status_code == 403


def test_plan_close_and_task_on_the_page(client_for, users, item):
    client = client_for(users["staff"])
    url = reverse("proactive:problem", args=[item.pk])
    bad = client.post(url, {"action": "plan", "owner": users["gridhead"].pk, "plan": " "})
    assert bad.status_code == 200 and "请填写整改方案" in bad.content.decode()
    item.refresh_from_db()
    assert item.state == "open"
    ok = client.post(url, {"action": "plan", "owner": users["gridhead"].pk, "plan": "增设垃圾桶"})
    assert ok.status_code == 302
    done = client.post(
        url, {"action": "task", "assignee": users["worker"].pk, "look_for": "垃圾是否复堆"}
    )
    assert done.status_code == 302
    task = PatrolTask.objects.get()
    assert (task.problem, task.place, task.assignee) == (item, ADDRESS, users["worker"])
    assert client.post(url, {"action": "close", "note": "已整改"}).status_code == 302
    item.refresh_from_db()
    assert item.state == "closed"


def test_phone_task_finding_makes_a_case(client_for, users, item):
    task = services.do_create_task(
        users["staff"], problem=item, assignee=users["worker"], look_for="垃圾是否复堆"
    )
    worker = client_for(users["worker"])
    mine = worker.get(reverse("proactive:my_tasks")).content.decode()
    assert "垃圾是否复堆" in mine and f'id="task-{task.pk}"' in mine
    url = reverse("proactive:task", args=[task.pk])
    blank = worker.post(url, {"found_problem": "1", "finding": ""})
    assert blank.status_code == 200 and not Case.objects.filter(source="proactive").exists()
    assert worker.post(url, {"found_problem": "1", "finding": "又堆了三袋"}).status_code == 302
    case = Case.objects.get(source="proactive")
    assert case.description == "又堆了三袋" and case.reporter_user == users["worker"]
    assert "已生成案件" in worker.get(url).content.decode()
    # A colleague sees the task but cannot answer it; a resident cannot open it.
    assert client_for(users["resident"]).get(url).status_code == 403


def test_the_task_page_leads_each_reader_back_to_a_page_they_may_open(client_for, users, item):
    # The 居委 that sent the task was led to the grid worker's own list, which answers them 403.
    task = services.do_create_task(
        users["staff"], problem=item, assignee=users["worker"], look_for="垃圾是否复堆"
    )
    for user, back in ((users["worker"], "my_tasks"), (users["staff"], "index")):
        client = client_for(user)
        page = client.get(reverse("proactive:task", args=[task.pk])).content.decode()
        link = reverse(f"proactive:{back}")
        assert f'<a href="{link}" id="back-link">' in page
        assert client.get(link).status_code == 200


def test_api(api, users, item, tree, garbage):
    listing = api(users["staff"]).get("/api/proactive/problems/")
    assert listing.status_code == 200
    assert [row["address"] for row in listing.json()["results"]] == [ADDRESS]
    assert api(users["staff2"]).get("/api/proactive/problems/").json()["results"] == []
    assert api(users["resident"]).get("/api/proactive/problems/").status_code == 403
    bad = api(users["staff"]).post(
        f"/api/proactive/problems/{item.pk}/plan/", {"owner": users["gridhead"].pk, "plan": ""}
    )
    assert bad.status_code == 400
    plan = api(users["staff"]).post(
        f"/api/proactive/problems/{item.pk}/plan/",
        {"owner": users["gridhead"].pk, "plan": "增设垃圾桶"},
        format="json",
    )
    assert plan.status_code == 200 and plan.json()["state"] == "in_progress"
    again = api(users["staff"]).post(f"/api/proactive/problems/{item.pk}/close/", {"note": "好了"})
    assert again.status_code == 200
    conflict = api(users["staff"]).post(f"/api/proactive/problems/{item.pk}/close/", {"note": "x"})
    assert conflict.status_code == 409
    assert api(users["worker"]).post("/api/proactive/problems/detect/").status_code == 403
    assert api(users["operator"]).post("/api/proactive/problems/detect/").status_code == 200
    anomaly = Anomaly.objects.create(
        day=datetime.date(2026, 11, 22),
        micro_grid=tree["micro_grids"][0],
        category=garbage,
        count=5,
        baseline=0.5,
        threshold=3.5,
        warned_at=NOW,
    )
    created = api(users["gridhead"]).post(
        "/api/proactive/tasks/",
        {"anomaly": anomaly.pk, "assignee": users["worker"].pk, "look_for": "垃圾"},
        format="json",
    )
    assert created.status_code == 201
    task_id = created.json()["id"]
    refused = api(users["colleague"]).post(
        f"/api/proactive/tasks/{task_id}/finding/", {"finding": "有", "found_problem": True}
    )
    assert refused.status_code == 403
    found = api(users["worker"]).post(
        f"/api/proactive/tasks/{task_id}/finding/",
        {"finding": "垃圾满溢", "found_problem": True},
        format="json",
    )
    assert found.status_code == 200 and found.json()["case_number"]
    # A done task cannot be cancelled (409); a blank reason is a 400.
    assert (
        api(users["gridhead"])
        .post(f"/api/proactive/tasks/{task_id}/cancel/", {"note": ""})
        .status_code
        == 400
    )
    late = api(users["gridhead"]).post(f"/api/proactive/tasks/{task_id}/cancel/", {"note": "重复"})
    assert late.status_code == 409
    shares = api(users["leader"]).get("/api/proactive/shares/")
    assert shares.status_code == 200


def _history(report, users, n):
    for i in range(n):
        report(at(1 + i % 20, hours=i % 5), point=IN_MICRO[i % 4], address=f"秀沿路{i % 3}号")
        report(
            at(1 + i % 20, hours=i % 5 + 1),
            point=IN_MICRO[0],
            user=users["worker"],
            source="grid_patrol",
        )


@pytest.mark.parametrize("n", [2, 12])
def test_dashboard_tile_fixed_queries(report, users, django_assert_num_queries, settings, n):
    _history(report, users, n)
    settings.CIVICGRID_PROACTIVE_NEIGHBOUR_M = -1
    hotspots.compute(datetime.date(2026, 11, 22))
    services.do_detect(now=NOW)
    with django_assert_num_queries(5):
        tile = reports.dashboard_tile(
            None, datetime.date(2026, 11, 1), datetime.date(2026, 11, 23), NOW
        )
    assert tile["has_data"]
    assert len(tile["map"]["geojson"]["features"]) == 4
    assert tile["share"]["found"] + tile["share"]["residents"] > 0
    assert tile["problems"]["total"] == StandingProblem.objects.count()


def test_dashboard_shows_the_tile(client_for, users, item):
    page = client_for(users["leader"]).get(reverse("dashboard:index"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="proactive-tile"' in body and ADDRESS in body


def test_hotspot_and_anomaly_pages_send_tasks(client_for, users, report, tree, garbage, settings):
    settings.CIVICGRID_PROACTIVE_NEIGHBOUR_M = -1
    settings.CIVICGRID_PROACTIVE_HOT_MIN = 3
    for d in (1, 2, 3, 4, 5):
        report(at(d), point=IN_MICRO[0])
    report(at(2), point=None)  # no point, no micro-grid: waiting to be located
    hotspots.compute(datetime.date(2026, 11, 22))
    cell = services.scope_hotspots(users["staff"]).get(
        category__isnull=True, micro_grid=tree["micro_grids"][0]
    )
    client = client_for(users["staff"])
    page = client.get(reverse("proactive:hotspot", args=[cell.pk]))
    assert page.status_code == 200 and 'id="task-form"' in page.content.decode()
    sent = client.post(
        reverse("proactive:hotspot", args=[cell.pk]),
        {"assignee": users["worker"].pk, "look_for": "垃圾堆放", "category": garbage.pk},
    )
    assert sent.status_code == 302
    assert PatrolTask.objects.get().hotspot == cell
    anomaly = Anomaly.objects.create(
        day=datetime.date(2026, 11, 22),
        micro_grid=tree["micro_grids"][0],
        category=garbage,
        count=5,
        baseline=0.5,
        threshold=3.5,
        warned_at=NOW,
    )
    assert client.get(reverse("proactive:anomaly", args=[anomaly.pk])).status_code == 200
    assert (
        client_for(users["staff2"]).get(reverse("proactive:anomaly", args=[anomaly.pk])).status_code
        == 404
    )
    # The shares per grid leave a case without a micro-grid out, and the API answers.
    assert api_shares_ok(users)


def api_shares_ok(users):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users["operator"])
    return client.get("/api/proactive/shares/").status_code == 200
