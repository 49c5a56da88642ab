"""Notices generated, ready for review, from the other programmes: a noticed 三会 meeting, the
volunteers' honour roll; one per source, nothing published without an approver."""

import datetime

import pytest

from civicgrid.notices import generate, services
from civicgrid.notices.models import Notice
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def test_a_noticed_meeting_becomes_a_notice_for_review_once(users, tree, clock):
    from civicgrid.meetings import services as meetings

    meeting = meetings.do_plan_meeting(
        users["staff"],
        kind="hearing",
        community=tree["communities"][0],
        title="问题角改造为花卉园",
        starts_at=local(2026, 12, 10, 14, 0),
        place="居委会二楼会议室",
    )
    meetings.do_notice_meeting(users["staff"], meeting)
    made = generate.periodic()
    assert made["notices"] == 1
    notice = Notice.objects.get(source="meeting_notice")
    assert notice.state == "review" and notice.grid == tree["communities"][0]
    assert "2026-12-10 14:00" in notice.body and "居委会二楼会议室" in notice.body
    assert notice.expires_at == meeting.starts_at
    assert generate.periodic()["notices"] == 0  # once per meeting
    assert notice not in services.shown_notices(None)  # not public until approved
    services.do_publish(users["admin"], notice)
    clock.set(2026, 12, 11, 9, 0)
    assert generate.periodic()["archived"] == 1  # expired with the meeting


def test_the_volunteer_roll_needs_someone_to_honour(users, tree, clock):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        generate.volunteer_honour_roll(
            None, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), department_name="爱心银行"
        )
    assert Notice.objects.count() == 0


def test_staff_generate_a_nominations_roll_from_the_page(users, tree, client_for):
    community = tree["communities"][0]
    nomination = services.do_nominate(
        users["resident"],
        community=community,
        nominee="陆阿姨",
        deed="照顾独居老人。",
        consent=True,
    )
    page = client_for(users["staff"])
    bad = page.post(
        "/notices/staff/generate/",
        {"roll": "nominations", "year": 2026, "department_name": "第1居委"},
    )
    assert bad.status_code == 400  # no community chosen
    assert (
        page.post(
            "/notices/staff/generate/",
            {
                "roll": "nominations",
                "year": 2026,
                "community": community.pk,
                "department_name": "第1居委",
            },
        ).status_code
        == 400
    )  # nobody approved yet: nothing to publish
    assert Notice.objects.count() == 0
    services.do_review_nomination(users["staff"], nomination, approve=True)
    done = page.post(
        "/notices/staff/generate/",
        {
            "roll": "nominations",
            "year": 2026,
            "community": community.pk,
            "department_name": "第1居委",
        },
    )
    assert done.status_code == 302
    roll = Notice.objects.get()
    assert (roll.kind, roll.state) == ("honour_roll", "review")
    assert client_for(users["leader"]).get("/notices/staff/generate/").status_code == 403
