"""A small campaign for the projects tests: 2026 镇级征集 (quota 2, the default template), three
projects in community 0 and one in community 1, and a helper that holds a project's hearing."""

import datetime

import pytest

from civicgrid.testing.world import local


@pytest.fixture
def campaign(db, users):
    from civicgrid.projects import services

    return services.do_save_campaign(
        None,
        name="2026年社区项目征集",
        year=2026,
        level="town",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        focus_areas=["grid_governance", "livelihood"],
        quota=2,
    )


@pytest.fixture
def make_project(campaign, tree):
    from civicgrid.projects import services

    def make(title="楼道微更新", community=0, **fields):
        fields.setdefault("kind", "micro_renewal")
        return services.do_submit_project(
            None,
            campaign=campaign,
            title=title,
            community=tree["communities"][community],
            now=local(2026, 3, 1, 9),
            **fields,
        )

    return make


@pytest.fixture
def hold_hearing():
    from civicgrid.meetings import services as meetings

    def hold(project):
        meeting = meetings.do_plan_meeting(
            None,
            kind="hearing",
            community=project.community,
            title=f"{project.title}听证会",
            starts_at=local(2026, 4, 10, 14),
            place="居委会议室",
            subject=project,
            now=local(2026, 4, 1, 9),
        )
        meetings.do_notice_meeting(None, meeting, now=local(2026, 4, 2, 9))
        meetings.do_hold_meeting(None, meeting, now=local(2026, 4, 10, 14))
        return meeting

    return hold


FULL = {"党建引领": 20, "群众参与": 20, "问题解决实效": 30, "创新": 15, "可复制推广": 15}


def scored(project, member, hold_hearing, points=None):
    """Walk `project` to 已评分 with `member`'s sheet."""
    from civicgrid.projects import services

    services.do_screen(None, project, passed=True)
    hold_hearing(project)
    services.do_consult(None, project)
    services.do_score(member, project, points=points or FULL)
    project.refresh_from_db()
    return project
