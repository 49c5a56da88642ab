"""The API and the pages: scoping (staff see their 居村, residents the projects open for support),
steps with clear refusals (409, 400 with nothing saved), flat query counts, the report page."""

import pytest

from civicgrid.projects import services
from civicgrid.projects.models import Project, Support
from civicgrid.projects.tests.conftest import FULL

pytestmark = pytest.mark.django_db


def test_api_lists_are_scoped(api, users, make_project):
    mine = make_project("车棚改造", community=0)
    other = make_project("花坛提升", community=1)
    services.do_screen(None, other, passed=False, note="重复申报")

    def ids(user):
        response = api(user).get("/api/projects/projects/")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(users["staff"]) == {mine.pk}
    assert ids(users["staff2"]) == {other.pk}
    assert ids(users["operator"]) == {mine.pk, other.pk}
    assert ids(users["resident"]) == {mine.pk}  # open for support only
    assert api(users["handler"]).get("/api/projects/projects/").status_code == 403
    assert api(users["staff"]).get(f"/api/projects/projects/{other.pk}/").status_code == 404
    body = api(users["operator"]).get(f"/api/projects/projects/{mine.pk}/").json()
    assert "proposer" not in body and [m["weight"] for m in body["milestones"]] == [
        10, 10, 60, 10, 10,
    ]  # fmt: skip


def test_api_steps_and_refusals(api, users, make_project, hold_hearing):
    project = make_project()
    url = f"/api/projects/projects/{project.pk}/"
    assert api(users["staff"]).post(url + "start/").status_code == 409
    response = api(users["staff"]).post(url + "screen/", {"passed": False}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    assert api(users["staff2"]).post(url + "screen/", {"passed": True}).status_code == 404
    assert api(users["staff"]).post(url + "screen/", {"passed": True}).json()["state"] == "screened"
    assert api(users["staff"]).post(url + "consult/").status_code == 409  # no hearing yet
    hold_hearing(project)
    assert api(users["staff"]).post(url + "consult/").json()["state"] == "consulted"
    bad = api(users["operator"]).post(
        url + "score/", {"points": {**FULL, "创新": 99}}, format="json"
    )
    assert bad.status_code == 400 and "创新" in bad.json()
    assert (
        api(users["staff"]).post(url + "score/", {"points": FULL}, format="json").status_code == 403
    )
    ok = api(users["operator"]).post(url + "score/", {"points": FULL}, format="json")
    assert ok.json()["state"] == "scored" and ok.json()["score"] == "100.00"
    chosen = api(users["operator"]).post(
        f"/api/projects/campaigns/{project.campaign_id}/recommend/"
    )
    assert [p["id"] for p in chosen.json()] == [project.pk]
    report = api(users["operator"]).get(f"/api/projects/campaigns/{project.campaign_id}/report/")
    funnel = {row["state"]: row["count"] for row in report.json()["funnel"]}
    assert funnel["submitted"] == 1 and funnel["recommended"] == 1


def test_support_once_through_the_api(api, users, make_project):
    project = make_project()
    url = f"/api/projects/projects/{project.pk}/support/"
    assert api(users["resident"]).post(url).status_code == 201
    again = api(users["resident"]).post(url)
    assert again.status_code == 400 and "您已支持过该项目。" in str(again.json())
    assert api(users["staff"]).post(url).status_code == 403
    assert Support.objects.count() == 1


def test_query_counts_are_flat(api, users, make_project, django_assert_num_queries):
    for i in range(2):
        make_project(f"项目{i}", deliverables=[("花坛", 2, "处")])
    client = api(users["operator"])
    client.get("/api/projects/projects/")
    with django_assert_num_queries(4) as first:
        client.get("/api/projects/projects/")
    for i in range(4):
        make_project(f"更多{i}", community=1, deliverables=[("照明", 5, "盏")])
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/api/projects/projects/")


def test_pages(client_for, users, make_project, campaign):
    project = make_project("门岗改造", lon=121.505, lat=31.105, deliverables=[("门岗", 1, "座")])
    page = client_for(users["operator"]).get("/projects/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "门岗改造" in text and 'id="projects-funnel"' in text and "projects-geojson" in text
    detail = client_for(users["staff"]).get(f"/projects/{project.pk}/").content.decode()
    assert "门岗 1座" in detail and 'id="project-progress">0%' in detail
    response = client_for(users["staff"]).post(
        f"/projects/{project.pk}/", {"action": "screen_fail", "note": ""}
    )
    assert "请填写未通过初筛的原因。" in response.content.decode()
    project.refresh_from_db()
    assert project.state == "submitted"
    assert client_for(users["staff2"]).get(f"/projects/{project.pk}/").status_code == 404
    assert client_for(users["resident"]).get("/projects/").status_code == 403
    Project.objects.get(pk=project.pk)
