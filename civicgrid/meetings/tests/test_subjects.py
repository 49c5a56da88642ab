"""The plan form's subject picker: a kind, then an object of that kind the planner may see
(searched through /meetings/subjects/), stored as the meeting's generic subject; free text stays
the fallback; an object out of scope or a kind without an object is refused, nothing saved."""

import datetime

import pytest

from civicgrid.meetings.models import Meeting
from civicgrid.testing.cases import case_in_state

pytestmark = pytest.mark.django_db


def _form(tree, clock, **fields):
    body = {
        "kind": "coordination",
        "community": tree["communities"][0].pk,
        "title": "停车协调",
        "starts_at": (clock.at + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "place": "居委",
        "notice_days": 5,
        "quorum_percent": 50,
        "pass_percent": 50,
    }
    body.update(fields)
    return body


def test_search_is_scoped(users, client_for, departments):
    from civicgrid.projects import services as projects

    case = case_in_state("reported", users)
    client = client_for(users["staff"])
    kinds = client.get("/meetings/new/").content.decode()
    for kind in (
        "case",
        "project",
        "department",
        "property_company",
        "parking_rules",
        "convention",
    ):
        assert f'value="{kind}"' in kinds
    found = client.get("/meetings/subjects/", {"kind": "case", "q": case.number[-5:]}).json()
    assert [row["id"] for row in found["results"]] == [case.pk]
    assert client_for(users["staff2"]).get(
        "/meetings/subjects/", {"kind": "case", "q": case.number}
    ).json() == {"results": []}
    names = {
        row["text"]
        for row in client.get("/meetings/subjects/", {"kind": "department"}).json()["results"]
    }
    assert departments["cg"].name in names
    assert client.get("/meetings/subjects/", {"kind": "nonsense"}).json() == {"results": []}
    assert client_for(users["leader"]).get("/meetings/subjects/").status_code == 403
    assert projects.subject_search(users["staff2"], "").count() == 0


def _project(tree, title, community):
    # Meetings sit below the projects: a project is only one kind of subject among others.
    from civicgrid.projects import services as projects
    from civicgrid.projects.models import Campaign

    campaign = Campaign.objects.first() or projects.do_save_campaign(
        None,
        name="征集",
        year=2026,
        level="town",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    return projects.do_submit_project(
        None,
        campaign=campaign,
        title=title,
        community=tree["communities"][community],
        kind="micro_renewal",
        now=datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC),
    )


def test_plan_with_a_subject(users, tree, client_for, clock):
    project = _project(tree, "车棚改造", 0)
    other = _project(tree, "花坛", 1)
    client = client_for(users["staff"])
    kind_without_object = client.post("/meetings/new/", _form(tree, clock, subject_kind="project"))
    assert "请选择议题对象" in kind_without_object.content.decode()
    out_of_scope = client.post(
        "/meetings/new/", _form(tree, clock, subject_kind="project", subject_id=other.pk)
    )
    assert "请选择议题对象" in out_of_scope.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(
        "/meetings/new/",
        _form(tree, clock, kind="hearing", subject_kind="project", subject_id=project.pk),
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.subject == project and meeting.subject_title == "车棚改造"
    # The project now counts the hearing (once held) through the generic subject.
    from civicgrid.meetings.services import meetings_for

    assert list(meetings_for(project)) == [meeting]
    # Free text stays the fallback.
    client.post("/meetings/new/", _form(tree, clock, subject_title="《居民公约》修订"))
    free = Meeting.objects.exclude(pk=meeting.pk).get()
    assert free.subject is None and free.subject_title == "《居民公约》修订"


def test_edit_a_planned_meeting(users, tree, client_for, clock, departments):
    from civicgrid.meetings import services
    from civicgrid.meetings.models import MeetingEvent

    client = client_for(users["staff"])
    client.post("/meetings/new/", _form(tree, clock, subject_title="停车难"))
    meeting = Meeting.objects.get()
    url = f"/meetings/{meeting.pk}/edit/"
    assert "停车难" in client.get(url).content.decode()
    bad = client.post(url, _form(tree, clock, title=""))
    assert bad.status_code == 200 and Meeting.objects.get().title == "停车协调"
    changed = _form(
        tree,
        clock,
        kind="evaluation",
        title="城管中队评议",
        subject_kind="department",
        subject_id=departments["cg"].pk,
        subject_title="",
    )
    assert client.post(url, changed).status_code == 302
    meeting.refresh_from_db()
    assert meeting.kind == "evaluation" and meeting.subject == departments["cg"]
    assert meeting.subject_title == departments["cg"].name
    note = MeetingEvent.objects.get(meeting=meeting, action="edit").note
    assert "会议类型" in note and "议题" in note
    # The edit form shows the chosen object again.
    page = client.get(url).content.decode()
    assert f'<option value="{departments["cg"].pk}" selected>{departments["cg"].name}' in page
    assert client_for(users["staff2"]).get(url).status_code == 404
    services.do_notice_meeting(users["staff"], meeting)
    late = client_for(users["staff"]).post(url, changed)  # client_for shares one client
    assert "公告发布后不能再修改会议" in late.content.decode()


def test_api_plan_with_a_subject(users, tree, api, clock):
    case = case_in_state("reported", users)
    body = {
        "kind": "coordination",
        "community": tree["communities"][0].pk,
        "title": "楼道堆物协调",
        "starts_at": (clock.at + datetime.timedelta(days=10)).isoformat(),
        "place": "居委",
        "subject_kind": "case",
        "subject_id": case.pk,
    }
    bad = api(users["staff2"]).post("/api/meetings/meetings/", body, format="json")
    assert bad.status_code == 400 and "subject_id" in bad.json()
    assert not Meeting.objects.exists()
    made = api(users["staff"]).post("/api/meetings/meetings/", body, format="json")
    assert made.status_code == 201
    assert Meeting.objects.get().subject == case
