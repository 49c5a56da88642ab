"""The project's state machine, the quota and its tie-break, progress %, one support per
resident, the hearing before building, and bad input refused with nothing saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases.services import IllegalTransition
from civicgrid.projects import services
from civicgrid.projects.choices import MilestoneKind
from civicgrid.projects.choices import ProjectState as S
from civicgrid.projects.models import Milestone, Project, ProjectEvent, Support
from civicgrid.projects.tests.conftest import FULL, scored
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def test_the_whole_way_writes_a_history_row_per_change(users, make_project, hold_hearing):
    project = make_project(deliverables=[("立面", 1200, "平方米"), ("晾衣架", 80, "个")])
    assert [m.weight for m in project.milestones.all()] == [10, 10, 60, 10, 10]
    project = scored(project, users["operator"], hold_hearing)
    assert project.state == S.SCORED and project.score == 100
    services.do_recommend(users["operator"], project.campaign)
    services.do_start(users["staff"], project)
    for kind in (MilestoneKind.DESIGN, MilestoneKind.TENDER, MilestoneKind.BUILD):
        services.do_complete_milestone(
            users["staff"], project.milestones.get(kind=kind), done_on=datetime.date(2026, 6, 1)
        )
    services.do_accept(users["staff"], project)
    services.do_hand_over(users["staff"], project, maintainer="小区物业")
    services.do_close(users["staff"], project)
    project.refresh_from_db()
    assert project.state == S.CLOSED and project.maintainer == "小区物业"
    assert list(project.events.exclude(to_state="").values_list("to_state", flat=True)) == [
        S.SUBMITTED, S.SCREENED, S.CONSULTED, S.SCORED, S.RECOMMENDED,
        S.IN_PROGRESS, S.ACCEPTED, S.HANDED_OVER, S.CLOSED,
    ]  # fmt: skip
    assert (
        services.progress(list(project.milestones.all()), datetime.date(2026, 12, 1))["percent"]
        == 100
    )
    event = project.events.first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        ProjectEvent.objects.filter(project=project).delete()


def test_wrong_state_is_refused_and_nothing_changes(users, make_project):
    project = make_project()
    with pytest.raises(IllegalTransition):
        services.do_start(users["staff"], project)
    with pytest.raises(IllegalTransition):
        services.do_hand_over(users["staff"], project, maintainer="物业")
    project.refresh_from_db()
    assert project.state == S.SUBMITTED and project.events.count() == 1


def test_at_most_the_quota_is_recommended_ties_broken_by_participation(
    users, make_project, hold_hearing
):
    # Quota 2; three projects scored 80, 80 and 90: the 90 goes, then of the two 80s the one
    # more residents support; the third drops out.
    low = {**FULL, "创新": 5, "可复制推广": 5}  # 80
    top = {**FULL, "可复制推广": 5}  # 90
    a = make_project("车棚改造")
    b = make_project("花坛提升")
    c = make_project("门岗改造")
    services.do_support(users["resident"], b)
    services.do_support(users["resident2"], b)
    services.do_support(users["resident"], a)
    for project, points in ((a, low), (b, low), (c, top)):
        scored(project, users["operator"], hold_hearing, points)
    assert [p.title for p in services.ranking(a.campaign)] == ["门岗改造", "花坛提升", "车棚改造"]
    chosen = services.do_recommend(users["operator"], a.campaign)
    assert [p.title for p in chosen] == ["门岗改造", "花坛提升"]
    states = dict(Project.objects.values_list("title", "state"))
    assert states == {"门岗改造": S.RECOMMENDED, "花坛提升": S.RECOMMENDED, "车棚改造": S.DECLINED}
    # A later round cannot go over the quota either.
    d = scored(make_project("照明"), users["operator"], hold_hearing)
    assert services.do_recommend(users["operator"], a.campaign) == []
    d.refresh_from_db()
    assert d.state == S.DECLINED
    assert Project.objects.filter(state=S.RECOMMENDED).count() == 2


def test_progress_with_known_figures_and_late_milestones(users, make_project):
    project = make_project()
    milestones = {m.kind: m for m in project.milestones.all()}
    services.do_plan_milestone(
        users["staff"], milestones["build"], due_on=datetime.date(2026, 9, 1)
    )
    Milestone.objects.filter(pk__in=[milestones["design"].pk, milestones["tender"].pk]).update(
        done_on=datetime.date(2026, 5, 1)
    )
    figures = services.progress(list(project.milestones.all()), datetime.date(2026, 10, 1))
    assert figures["percent"] == 20
    assert [m.kind for m in figures["late"]] == ["build"]
    Milestone.objects.filter(pk=milestones["build"].pk).update(done_on=datetime.date(2026, 9, 20))
    figures = services.progress(list(project.milestones.all()), datetime.date(2026, 10, 1))
    assert figures == {"percent": 80, "late": []}


def test_one_support_per_resident_per_project(users, make_project):
    project = make_project()
    services.do_support(users["resident"], project)
    with pytest.raises(ValidationError) as error:
        services.do_support(users["resident"], project)
    assert "您已支持过该项目。" in error.value.message_dict["project"]
    project.refresh_from_db()
    assert project.support_count == 1 and Support.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.do_support(users["staff"], project)


def test_a_hearing_is_needed_before_the_panel_and_before_building(
    users, make_project, hold_hearing, campaign
):
    project = make_project()
    services.do_screen(users["staff"], project, passed=True)
    with pytest.raises(IllegalTransition, match="听证会"):
        services.do_consult(users["staff"], project)
    # Without the rule (a campaign that does not ask for it), the project may go on.
    campaign.hearing_required = False
    campaign.save()
    project.refresh_from_db()
    services.do_consult(users["staff"], project)
    services.do_score(users["operator"], project, points=FULL)
    services.do_recommend(users["operator"], campaign)
    campaign.hearing_required = True
    campaign.save()
    project.refresh_from_db()
    with pytest.raises(IllegalTransition, match="不能开工"):
        services.do_start(users["staff"], project)
    hold_hearing(project)
    services.do_start(users["staff"], project)
    project.refresh_from_db()
    assert project.state == S.IN_PROGRESS


def test_bad_input_is_refused_clearly_with_nothing_saved(users, make_project, tree, campaign):
    with pytest.raises(ValidationError) as error:
        services.do_submit_project(
            users["staff"],
            campaign=campaign,
            title="",
            community=tree["micro_grids"][0],
            kind="castle",
            budget="lots",
            deliverables=[("立面", -3, "平方米")],
            now=local(2026, 3, 1),
        )
    errors = error.value.message_dict
    assert set(errors) >= {"title", "community", "kind", "budget", "deliverables"}
    assert errors["community"] == ["请选择居村。"]
    assert Project.objects.count() == 0
    project = make_project()
    services.do_screen(None, project, passed=True)
    project.campaign.hearing_required = False
    project.campaign.save()
    services.do_consult(None, project)
    with pytest.raises(ValidationError) as error:
        services.do_score(users["operator"], project, points={**FULL, "创新": 16, "颜值": 3})
    assert "创新" in error.value.message_dict and "points" in error.value.message_dict
    project.refresh_from_db()
    assert project.state == S.CONSULTED and project.score is None
    with pytest.raises(ValidationError):
        services.do_screen(users["staff"], make_project(), passed=False, note="")


def test_scope_and_roles(users, make_project):
    other = make_project(community=1)
    with pytest.raises(PermissionDenied):
        services.do_screen(users["staff"], other, passed=True)
    with pytest.raises(PermissionDenied):
        services.do_screen(users["leader"], other, passed=True)
    assert list(services.scope_projects(Project.objects, users["staff"])) == []
    assert list(services.scope_projects(Project.objects, users["staff2"])) == [other]
    assert list(services.scope_projects(Project.objects, users["resident"])) == []
