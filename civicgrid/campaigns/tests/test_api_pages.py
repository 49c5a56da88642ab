"""Pages and API: who sees what, exact status codes, bad input refused with nothing saved, the
dashboard tile with a fixed number of queries."""

import datetime

import pytest

from civicgrid.campaigns import services
from civicgrid.campaigns.models import Assignment, IllegalStructure, Inspection
from civicgrid.campaigns.tests.conftest import all_pass, failing
from civicgrid.cases.models import Case

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def round1(campaign, users):
    a, b, c, d = campaign["checkpoints"]
    return services.do_plan_round(
        users["operator"],
        campaign["campaign"],
        starts_on=MONDAY,
        assignments=[(a, users["worker"]), (b, users["worker"]), (c, users["worker2"])],
    )


def test_pages_by_role(campaign, round1, users, client_for):
    c = campaign["campaign"]
    pages = [
        "/campaigns/",
        f"/campaigns/{c.pk}/",
        f"/campaigns/{c.pk}/report/",
        f"/campaigns/rounds/{round1.pk}/",
        "/campaigns/structures/",
    ]
    for url in pages:
        assert client_for(users["operator"]).get(url).status_code == 200, url
        assert client_for(users["staff"]).get(url).status_code == 200, url
        assert client_for(users["resident"]).get(url).status_code == 403, url
        assert client_for(users["handler"]).get(url).status_code == 403, url
    assert client_for(users["worker"]).get("/campaigns/m/").status_code == 200
    assert client_for(users["leader"]).get("/campaigns/m/").status_code == 403
    # 居委 staff of community 0 see its checkpoints only.
    body = client_for(users["staff2"]).get(f"/campaigns/{c.pk}/").content.decode()
    assert "C 康花新村" in body and "A 康桥半岛" not in body


def test_the_phone_round_page(campaign, round1, users, client_for):
    estate = campaign["items"]["estate"]
    a = Assignment.objects.get(round=round1, checkpoint=campaign["checkpoints"][0])
    worker = client_for(users["worker"])
    assert "A 康桥半岛" in worker.get("/campaigns/m/").content.decode()
    # Someone else's task: 403; a missing verdict: 400 with the message, nothing saved.
    assert client_for(users["worker2"]).get(f"/campaigns/m/a/{a.pk}/").status_code == 403
    worker = client_for(users["worker"])  # one test client: log the inspector in again
    missing = worker.post(f"/campaigns/m/a/{a.pk}/", {f"item_{estate[0].pk}": "pass"})
    assert missing.status_code == 400
    assert "尚未评分" in missing.content.decode()
    assert not Inspection.objects.exists()
    form = {f"item_{i.pk}": "pass" for i in estate}
    form[f"item_{estate[1].pk}"] = "fail"
    form[f"note_{estate[1].pk}"] = "楼道堆放纸箱"
    done = worker.post(f"/campaigns/m/a/{a.pk}/", form)
    assert done.status_code == 302 and done["Location"] == "/campaigns/m/"
    assert Inspection.objects.get().passed_count == 2
    assert Case.objects.count() == 1


def test_api_inspect_and_readiness(campaign, round1, users, api):
    c = campaign["campaign"]
    estate = campaign["items"]["estate"]
    mine = api(users["worker"]).get("/api/campaigns/assignments/")
    assert mine.status_code == 200
    assert {row["checkpoint"]["name"] for row in mine.json()["results"]} == {
        "A 康桥半岛",
        "B 秀沿小区",
    }
    a = Assignment.objects.get(round=round1, checkpoint=campaign["checkpoints"][0])
    bad = api(users["worker"]).post(
        f"/api/campaigns/assignments/{a.pk}/inspect/",
        {"results": [{"item": estate[0].pk, "passed": False}]},
        format="json",
    )
    assert bad.status_code == 400
    assert not Inspection.objects.exists() and not Case.objects.exists()
    other = Assignment.objects.get(round=round1, checkpoint=campaign["checkpoints"][2])
    assert (
        api(users["worker"])
        .post(f"/api/campaigns/assignments/{other.pk}/inspect/", {"results": []}, format="json")
        .status_code
        == 404
    )
    results = [
        {"item": i, "passed": r["passed"], "note": r.get("note", "")}
        for i, r in failing(estate, "垃圾分类规范", note="桶边脏乱").items()
    ]
    ok = api(users["worker"]).post(
        f"/api/campaigns/assignments/{a.pk}/inspect/", {"results": results}, format="json"
    )
    assert ok.status_code == 201
    body = ok.json()
    assert (body["passed_count"], body["item_count"]) == (2, 3)
    assert [r["case_number"] is not None for r in body["results"]].count(True) == 1
    readiness = api(users["operator"]).get(f"/api/campaigns/campaigns/{c.pk}/readiness/")
    assert readiness.status_code == 200 and readiness.json()["percent"] == 66.7
    assert api(users["resident"]).get("/api/campaigns/campaigns/").status_code == 403


def test_api_structures(users, tree, api, clock):
    community = tree["communities"][0]
    body = {
        "community": community.pk,
        "address": "秀沿路1弄5号",
        "description": "屋顶搭建",
        "area_m2": "0",
        "found_on": "2026-11-01",
    }
    assert api(users["staff"]).post("/api/campaigns/structures/", body).status_code == 400
    assert not IllegalStructure.objects.exists()
    assert (
        api(users["staff2"])
        .post("/api/campaigns/structures/", {**body, "area_m2": "12"})
        .status_code
        == 403
    )
    made = api(users["staff"]).post("/api/campaigns/structures/", {**body, "area_m2": "12"})
    assert made.status_code == 201
    pk = made.json()["id"]
    wrong = api(users["staff"]).post(
        f"/api/campaigns/structures/{pk}/move/", {"to_state": "verified"}
    )
    assert wrong.status_code == 400
    moved = api(users["staff"]).post(
        f"/api/campaigns/structures/{pk}/move/", {"to_state": "notified"}
    )
    assert moved.status_code == 200 and moved.json()["state"] == "notified"
    assert api(users["staff2"]).get(f"/api/campaigns/structures/{pk}/").status_code == 404


def test_dashboard_tile(campaign, users, django_assert_num_queries):
    c, (a, b, cc, _d) = campaign["campaign"], campaign["checkpoints"]
    estate = campaign["items"]["estate"]
    r1 = services.do_plan_round(
        None, c, starts_on=MONDAY, assignments=[(a, users["worker"]), (b, users["worker"])]
    )
    for cp, results in ((a, failing(estate, "楼道无堆物")), (b, failing(estate, "楼道无堆物"))):
        services.do_inspect(None, Assignment.objects.get(round=r1, checkpoint=cp), results=results)
    services.do_close_round(None, r1)
    r2 = services.do_plan_round(
        None, c, starts_on=MONDAY + datetime.timedelta(days=7), assignments=[(cc, users["worker2"])]
    )
    for x in r2.assignments.select_related("checkpoint"):
        services.do_inspect(None, x, results=all_pass(estate))
    with django_assert_num_queries(2):
        tile = services.dashboard_tile(None)
    assert [row["percent"] for row in tile["trend"]] == [66.7, 100.0]
    assert tile["change"] == 33.3 and tile["latest"]["number"] == 2
    # Over one micro-grid's checkpoints only (A lies in micro-grid 0).
    only_a = services.dashboard_tile([a.micro_grid_id])
    assert [row["percent"] for row in only_a["trend"]] == [66.7, 100.0]
    assert only_a["trend"][0]["inspected"] == 1


def test_the_desk_plans_a_round_on_the_page(campaign, users, client_for):
    c = campaign["campaign"]
    desk = client_for(users["operator"])
    refused = desk.post(f"/campaigns/{c.pk}/plan/", {"starts_on": "2026-11-23", "kind": "weekly"})
    assert refused.status_code == 302 and not c.rounds.exists()
    assert "请选择督查人" in desk.get(f"/campaigns/{c.pk}/").content.decode()
    done = desk.post(
        f"/campaigns/{c.pk}/plan/",
        {
            "starts_on": "2026-11-23",
            "kind": "mock",
            "checkpoint_kinds": ["estate"],
            "inspectors": [users["worker"].pk, users["worker2"].pk],
        },
    )
    round_ = c.rounds.get()
    assert done.status_code == 302 and done["Location"] == f"/campaigns/rounds/{round_.pk}/"
    assert round_.kind == "mock" and round_.assignments.count() == 3  # the three 小区
    assert set(round_.assignments.values_list("inspector__username", flat=True)) == {
        "worker",
        "worker2",
    }
    assert client_for(users["staff"]).post(f"/campaigns/{c.pk}/plan/", {}).status_code == 403
