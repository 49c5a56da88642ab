"""The desk's surfaces for campaigns, projects, milestones, photos and residents' ideas: the
pages a 居委 uses to open and edit a campaign, enter and edit a project with every particular,
plan and finish milestones (late ones flagged), upload before/after photos and review ideas.
Bad input shows the message and saves nothing; other 居村's rows are 404; other roles 403."""

import datetime

import pytest

from civicgrid.projects import services
from civicgrid.projects.models import (
    Campaign,
    Idea,
    IdeaDecision,
    Milestone,
    Project,
    ProjectEvent,
    ProjectPhoto,
)
from civicgrid.testing.cases import case_in_state
from civicgrid.testing.images import not_an_image, photo

pytestmark = pytest.mark.django_db

CAMPAIGN = {
    "name": "2027年美丽家园征集",
    "year": "2027",
    "level": "district",
    "starts_on": "2027-01-01",
    "ends_on": "2027-06-30",
    "focus_areas": ["livelihood", "pain_points"],
    "quota": "8",
    "hearing_required": "on",
}


@pytest.fixture(autouse=True)
def _today(clock):
    clock.set(2026, 5, 4, 10, 0)


def test_campaign_pages(client_for, users, campaign):
    desk = client_for(users["staff"])
    assert desk.get("/projects/campaigns/new/").status_code == 200
    bad = desk.post("/projects/campaigns/new/", {**CAMPAIGN, "ends_on": "2026-12-01"})
    assert bad.status_code == 200 and "截止日期不能早于开始日期。" in bad.content.decode()
    assert Campaign.objects.count() == 1
    ok = desk.post("/projects/campaigns/new/", CAMPAIGN)
    made = Campaign.objects.get(name="2027年美丽家园征集")
    assert ok.status_code == 302 and ok["Location"].endswith(f"?campaign={made.pk}")
    assert made.level == "district" and made.focus_areas == ["livelihood", "pain_points"]
    assert [c.max_points for c in made.template.criteria.all()] == [20, 20, 30, 15, 15]
    edit = desk.post(f"/projects/campaigns/{made.pk}/edit/", {**CAMPAIGN, "quota": "5"})
    assert edit.status_code == 302
    made.refresh_from_db()
    assert made.quota == 5 and made.hearing_required
    assert client_for(users["handler"]).get("/projects/campaigns/new/").status_code == 403
    assert client_for(users["leader"]).post("/projects/campaigns/new/", CAMPAIGN).status_code == 403


def test_quota_cannot_fall_below_the_recommended(users, make_project, hold_hearing):
    from civicgrid.projects.tests.conftest import scored

    for title in ("车棚", "花坛"):
        scored(make_project(title), users["operator"], hold_hearing)
    campaign = Campaign.objects.get()
    services.do_recommend(users["operator"], campaign)
    fields = {
        "name": campaign.name,
        "year": campaign.year,
        "level": campaign.level,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
    }
    with pytest.raises(Exception) as error:
        services.do_save_campaign(users["staff"], campaign=campaign, quota=1, **fields)
    assert "已推荐2个项目" in str(error.value)
    campaign.refresh_from_db()
    assert campaign.quota == 2


def test_enter_and_edit_a_project(client_for, users, campaign, tree):
    case = case_in_state("reported", users)
    desk = client_for(users["staff"])
    form = {
        "campaign": campaign.pk,
        "title": "普育里美丽家园",
        "community": tree["communities"][0].pk,
        "kind": "beautiful_home",
        "home_kind": "infrastructure",
        "summary": "立面、电线、晾衣架",
        "lon": "121.5051",
        "lat": "31.1052",
        "case_numbers": case.number,
        "hotspots": "非机动车乱停",
        "lead_organisation": "普育里居民区党总支",
        "partners": "区房管局、物业公司",
        "budget": "120.5",
        "funding": "区级财政",
        "deliverables": "立面 3200 平方米\n晾衣架 120 副\n车棚，2，座",
        "maintainer": "",
    }
    bad = desk.post("/projects/new/", {**form, "deliverables": "立面 很多 平方米"})
    assert "第1行应写作" in bad.content.decode()
    bad = desk.post("/projects/new/", {**form, "case_numbers": "20990101000001"})
    assert "找不到这些案件" in bad.content.decode()
    assert Project.objects.count() == 0
    response = desk.post("/projects/new/", form)
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert (project.kind, project.home_kind, float(project.budget)) == (
        "beautiful_home",
        "infrastructure",
        120.5,
    )
    assert list(project.cases.all()) == [case] and project.lon == 121.5051
    assert [(d.item, int(d.quantity), d.unit) for d in project.deliverables.all()] == [
        ("立面", 3200, "平方米"),
        ("晾衣架", 120, "副"),
        ("车棚", 2, "座"),
    ]
    page = desk.get(f"/projects/{project.pk}/").content.decode()
    assert "晾衣架 120副" in page and case.number in page and "普育里居民区党总支" in page
    # The edit form shows what is stored and changes only what was changed, with one history row.
    edit_page = desk.get(f"/projects/{project.pk}/edit/").content.decode()
    assert "晾衣架 120 副" in edit_page
    changed = {
        **form,
        "budget": "150",
        "maintainer": "普育里物业",
        "deliverables": "立面 3200 平方米",
    }
    changed.pop("campaign")
    assert desk.post(f"/projects/{project.pk}/edit/", changed).status_code == 302
    project.refresh_from_db()
    assert project.budget == 150 and project.maintainer == "普育里物业"
    assert project.deliverables.count() == 1
    note = ProjectEvent.objects.filter(project=project, action="edit").get().note
    assert "预算（万元）" in note and "建设内容" in note and "项目名称" not in note
    # Bad input on edit: the message, nothing changed.
    bad = desk.post(
        f"/projects/{project.pk}/edit/", {**changed, "home_kind": "welfare", "kind": "other"}
    )
    assert "美丽家园类别只用于美丽家园项目。" in bad.content.decode()
    project.refresh_from_db()
    assert project.kind == "beautiful_home"
    assert client_for(users["staff2"]).get(f"/projects/{project.pk}/edit/").status_code == 404
    desk = client_for(users["staff"])  # client_for shares one client: sign in again
    other = desk.post(
        "/projects/new/", {**form, "community": tree["communities"][1].pk, "case_numbers": ""}
    )
    assert other.status_code == 200 and Project.objects.count() == 1


def test_milestones_plan_complete_and_late(client_for, users, make_project, clock):
    project = make_project()
    project.state = "in_progress"
    Project.objects.filter(pk=project.pk).update(state="in_progress")
    desk = client_for(users["staff"])
    design = project.milestones.get(kind="design")
    build = project.milestones.get(kind="build")
    url = f"/projects/{project.pk}/"
    assert (
        desk.post(
            url, {"action": "plan_milestone", "milestone": design.pk, "on": "2026-05-01"}
        ).status_code
        == 302
    )
    assert (
        desk.post(
            url, {"action": "plan_milestone", "milestone": build.pk, "on": "2026-09-01"}
        ).status_code
        == 302
    )
    page = desk.get(url).content.decode()
    assert 'id="milestone-design" class="late"' in page and "逾期" in page
    future = desk.post(
        url, {"action": "complete_milestone", "milestone": design.pk, "on": "2026-06-01"}
    )
    assert "完成日期不能晚于今天。" in future.content.decode()
    assert (
        desk.post(
            url, {"action": "complete_milestone", "milestone": design.pk, "on": "2026-05-03"}
        ).status_code
        == 302
    )
    page = desk.get(url).content.decode()
    assert 'id="project-progress">10%' in page and 'id="milestone-design" class="late"' not in page
    clock.set(2026, 9, 2, 10, 0)
    later = client_for(users["staff"])  # months later: a new session
    assert 'id="milestone-build" class="late"' in later.get(url).content.decode()
    assert Milestone.objects.get(pk=build.pk).done_on is None
    assert ProjectEvent.objects.filter(project=project, action="plan").count() == 2
    denied = client_for(users["staff2"]).post(
        url, {"action": "plan_milestone", "milestone": build.pk, "on": "2026-10-01"}
    )
    assert denied.status_code == 404


def test_photos_uploaded_and_served_in_scope(client_for, users, make_project, media_files):
    project = make_project()
    desk = client_for(users["staff"])
    url = f"/projects/{project.pk}/"
    bad = desk.post(
        url, {"action": "photos", "stage": "before", "photos": [photo(), not_an_image()]}
    )
    assert "notes.jpg" in bad.content.decode() and ProjectPhoto.objects.count() == 0
    assert (
        desk.post(url, {"action": "photos", "stage": "before", "photos": [photo()]}).status_code
        == 302
    )
    assert (
        desk.post(url, {"action": "photos", "stage": "after", "photos": [photo()]}).status_code
        == 302
    )
    page = desk.get(url).content.decode()
    assert "改造前" in page and "改造后" in page
    stored = ProjectPhoto.objects.first()
    response = desk.get(f"/projects/photos/{stored.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client_for(users["staff2"]).get(f"/projects/photos/{stored.pk}/").status_code == 404
    assert client_for(users["resident"]).get(f"/projects/photos/{stored.pk}/").status_code == 403


def test_review_ideas(client_for, users, campaign, tree):
    mine = services.do_propose_idea(
        users["resident"], campaign=campaign, community=tree["communities"][0], text="门口加装座椅"
    )
    second = services.do_propose_idea(
        users["resident"], campaign=campaign, community=tree["communities"][0], text="天天放烟花"
    )
    theirs = services.do_propose_idea(
        users["resident2"], campaign=campaign, community=tree["communities"][1], text="修路灯"
    )
    desk = client_for(users["staff"])
    page = desk.get("/projects/ideas/?status=open").content.decode()
    assert "门口加装座椅" in page and "修路灯" not in page
    no_reason = desk.post(
        "/projects/ideas/", {"idea": second.pk, "action": "decline", "reason": ""}
    )
    assert "请填写不采纳原因。" in no_reason.content.decode()
    no_title = desk.post(
        "/projects/ideas/", {"idea": mine.pk, "action": "accept", "kind": "micro_renewal"}
    )
    assert no_title.status_code == 200 and IdeaDecision.objects.count() == 0
    accepted = desk.post(
        "/projects/ideas/",
        {"idea": mine.pk, "action": "accept", "title": "休闲座椅", "kind": "micro_renewal"},
    )
    project = Project.objects.get()
    assert accepted.status_code == 302 and accepted["Location"] == f"/projects/{project.pk}/"
    assert project.summary == "门口加装座椅" and project.community == tree["communities"][0]
    assert ProjectEvent.objects.filter(project=project, action="idea").exists()
    desk.post(
        "/projects/ideas/", {"idea": second.pk, "action": "decline", "reason": "存在安全隐患"}
    )
    assert IdeaDecision.objects.get(idea=second).reason == "存在安全隐患"
    again = desk.post(
        "/projects/ideas/", {"idea": second.pk, "action": "decline", "reason": "重复"}
    )
    assert "该建议已处理。" in again.content.decode()
    assert IdeaDecision.objects.count() == 2
    out_of_scope = desk.post(
        "/projects/ideas/", {"idea": theirs.pk, "action": "decline", "reason": "无"}
    )
    assert "没有这条建议。" in out_of_scope.content.decode()
    assert not IdeaDecision.objects.filter(idea=theirs).exists()
    declined = desk.get("/projects/ideas/?status=declined").content.decode()
    assert "天天放烟花" in declined and "门口加装座椅" not in declined
    assert client_for(users["handler"]).get("/projects/ideas/").status_code == 403
    # The resident sees the desk's answers on their page.
    mine_page = client_for(users["resident"]).get("/projects/r/").content.decode()
    assert "已采纳，转为项目“休闲座椅”" in mine_page and "未采纳：存在安全隐患" in mine_page
    assert "修路灯" not in mine_page
    assert Idea.objects.count() == 3
    assert datetime.date(2026, 5, 4) <= campaign.ends_on
