"""The desk's API: campaigns opened and edited, projects entered and edited with every
particular, milestones planned and finished, photos, residents' ideas accepted or declined.
Exact status codes; bad input is 400 with nothing saved; other 居村 404; other roles 403."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.projects.models import Campaign, IdeaDecision, Project, ProjectPhoto
from civicgrid.testing.cases import case_in_state
from civicgrid.testing.images import photo

pytestmark = pytest.mark.django_db

CAMPAIGN = {
    "name": "2027年区级征集",
    "year": 2027,
    "level": "district",
    "starts_on": "2027-01-01",
    "ends_on": "2027-06-30",
    "focus_areas": ["grid_governance"],
    "quota": 8,
}


@pytest.fixture(autouse=True)
def _today(clock):
    clock.set(2026, 5, 4, 10, 0)


def test_campaigns(api, users, campaign):
    url = "/api/projects/campaigns/"
    bad = api(users["staff"]).post(url, {**CAMPAIGN, "ends_on": "2026-01-01"}, format="json")
    assert bad.status_code == 400 and "ends_on" in bad.json()
    assert api(users["leader"]).post(url, CAMPAIGN, format="json").status_code == 403
    assert api(users["resident"]).post(url, CAMPAIGN, format="json").status_code == 403
    assert Campaign.objects.count() == 1
    made = api(users["staff"]).post(url, CAMPAIGN, format="json")
    assert made.status_code == 201 and made.json()["level"] == "district"
    assert [c["max_points"] for c in made.json()["criteria"]] == [20, 20, 30, 15, 15]
    edit = api(users["operator"]).patch(
        f"{url}{made.json()['id']}/", {**CAMPAIGN, "quota": 6}, format="json"
    )
    assert edit.status_code == 200 and edit.json()["quota"] == 6
    assert (
        api(users["staff"]).put(f"{url}{made.json()['id']}/", CAMPAIGN, format="json").status_code
        == 405
    )


def test_projects_enter_edit_milestones(api, users, campaign, tree, media_files):
    case = case_in_state("reported", users)
    body = {
        "campaign": campaign.pk,
        "title": "600平方米休闲长廊",
        "community": tree["communities"][0].pk,
        "kind": "micro_renewal",
        "lon": 121.5,
        "lat": 31.1,
        "cases": [case.number],
        "lead_organisation": "居民区党总支",
        "partners": "共建单位甲",
        "budget": "80.00",
        "funding": "街道",
        "deliverables": [{"item": "长廊", "quantity": "600", "unit": "平方米"}],
    }
    url = "/api/projects/projects/"
    desk = api(users["staff"])
    bad = desk.post(
        url,
        {**body, "deliverables": [{"item": "座椅", "quantity": "0", "unit": "米"}]},
        format="json",
    )
    assert bad.status_code == 400 and "deliverables" in bad.json()
    assert desk.post(url, {**body, "cases": ["20990101000001"]}, format="json").status_code == 400
    assert desk.post(url, {**body, "home_kind": "welfare"}, format="json").status_code == 400
    not_theirs = {**body, "cases": []}  # the case is out of staff2's sight as well
    assert api(users["staff2"]).post(url, not_theirs, format="json").status_code == 403
    assert api(users["resident"]).post(url, body, format="json").status_code == 403
    assert Project.objects.count() == 0
    made = desk.post(url, body, format="json")
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["deliverables"] == [{"item": "长廊", "quantity": "600.00", "unit": "平方米"}]
    assert list(Project.objects.get(pk=pk).cases.all()) == [case]
    edit = desk.patch(
        f"{url}{pk}/",
        {"deliverables": [{"item": "座椅", "quantity": "100", "unit": "米"}], "maintainer": "物业"},
        format="json",
    )
    assert edit.status_code == 200
    assert edit.json()["maintainer"] == "物业" and edit.json()["deliverables"][0]["item"] == "座椅"
    assert desk.patch(f"{url}{pk}/", {"kind": "nonsense"}, format="json").status_code == 400
    assert (
        api(users["staff2"]).patch(f"{url}{pk}/", {"title": "改"}, format="json").status_code == 404
    )
    milestones = {m["kind"]: m["id"] for m in edit.json()["milestones"]}
    plan = desk.post(
        f"{url}{pk}/milestone-plan/",
        {"milestone": milestones["build"], "on": "2026-08-01"},
        format="json",
    )
    assert plan.status_code == 200
    assert (
        next(m for m in plan.json()["milestones"] if m["kind"] == "build")["due_on"] == "2026-08-01"
    )
    assert (
        desk.post(
            f"{url}{pk}/milestone-plan/", {"milestone": 999999, "on": "2026-08-01"}, format="json"
        ).status_code
        == 400
    )
    done = desk.post(
        f"{url}{pk}/milestone-done/",
        {"milestone": milestones["design"], "on": "2026-05-01"},
        format="json",
    )
    assert done.status_code == 409  # not in progress yet
    Project.objects.filter(pk=pk).update(state="in_progress")
    done = desk.post(
        f"{url}{pk}/milestone-done/",
        {"milestone": milestones["design"], "on": "2026-05-01"},
        format="json",
    )
    assert done.status_code == 200
    photos = desk.post(
        f"{url}{pk}/photos/", {"stage": "before", "photos": [photo()]}, format="multipart"
    )
    assert photos.status_code == 201 and photos.json()[0]["stage"] == "before"
    assert (
        desk.post(
            f"{url}{pk}/photos/", {"stage": "later", "photos": [photo()]}, format="multipart"
        ).status_code
        == 400
    )
    assert ProjectPhoto.objects.count() == 1


def test_ideas_api(api, users, campaign, tree):
    from civicgrid.projects import services

    idea = services.do_propose_idea(
        users["resident"], campaign=campaign, community=tree["communities"][0], text="加装路灯"
    )
    other = services.do_propose_idea(
        users["resident"], campaign=campaign, community=tree["communities"][0], text="无理要求"
    )
    url = "/api/projects/ideas/"
    listing = api(users["staff"]).get(url + "?status=open")
    assert listing.status_code == 200 and {r["id"] for r in listing.json()["results"]} == {
        idea.pk,
        other.pk,
    }
    assert "user" not in listing.json()["results"][0]
    assert api(users["staff2"]).get(url).json()["count"] == 0
    assert api(users["resident"]).get(url).status_code == 403
    assert (
        api(users["staff2"]).post(f"{url}{idea.pk}/decline/", {"reason": "无"}).status_code == 404
    )
    assert api(users["staff"]).post(f"{url}{other.pk}/decline/", {"reason": ""}).status_code == 400
    accepted = api(users["staff"]).post(
        f"{url}{idea.pk}/accept/", {"title": "路灯", "kind": "other"}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert Project.objects.get(pk=accepted.json()["project"]).summary == "加装路灯"
    declined = api(users["staff"]).post(f"{url}{other.pk}/decline/", {"reason": "不属于公共事务"})
    assert declined.json() | {} and declined.json()["reason"] == "不属于公共事务"
    assert api(users["staff"]).post(f"{url}{idea.pk}/decline/", {"reason": "x"}).status_code == 409
    assert IdeaDecision.objects.count() == 2


def test_ideas_list_queries_are_flat(api, users, campaign, tree, django_assert_num_queries):
    from civicgrid.projects import services

    def propose(n):
        for i in range(n):
            idea = services.do_propose_idea(
                None, campaign=campaign, community=tree["communities"][0], text=f"建议{i}"
            )
            if i % 2:
                services.do_decline_idea(None, idea, reason="暂不采纳")

    propose(2)
    client = api(users["staff"])
    client.get("/api/projects/ideas/")
    with CaptureQueriesContext(connection) as first:
        client.get("/api/projects/ideas/")
    propose(6)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/api/projects/ideas/")
