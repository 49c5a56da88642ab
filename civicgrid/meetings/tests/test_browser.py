"""A representative signs in to a meeting on a 360 px phone by opening its QR code's address, in
chromium; the 居委 worker's run page shows the sign-in."""

import datetime

import pytest
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.meetings import services
from civicgrid.meetings.choices import Part
from civicgrid.meetings.models import Participant
from civicgrid.testing.browser import login
from civicgrid.testing.factories import UserFactory, make_tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_representative_signs_in_by_the_qr_code(phone_page, live_server):
    tree = make_tree()
    resident = UserFactory(username="chenmin", role=Role.RESIDENT, first_name="陈敏")
    meeting = services.do_plan_meeting(
        None,
        kind="hearing",
        community=tree["communities"][0],
        title="问题角改建花卉园听证会",
        starts_at=timezone.now() + datetime.timedelta(days=6),
        place="居委会议室",
    )
    services.do_add_participant(
        None, meeting, part=Part.REPRESENTATIVE, name="陈敏", account=resident
    )
    services.do_notice_meeting(None, meeting)
    page = phone_page
    url = f"/meetings/s/{meeting.sign_in_token}/"
    login(page, live_server, resident.username, next_url=url)
    assert "问题角改建花卉园听证会" in page.content()
    page.click("#sign-in-button")
    assert "签到成功" in page.locator(".message").first.inner_text()
    assert page.locator("#signed-in").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    participant = Participant.objects.get(user=resident)
    assert participant.signed_in_at is not None and participant.sign_in_method == "qr"


def test_the_planner_picks_the_subject_from_a_search(page, live_server):
    """The plan form: choose 职能部门, type part of its name, pick it from the filled select; the
    meeting is saved with the department as its subject."""
    from civicgrid.accounts.models import Department

    tree = make_tree()
    staff = UserFactory(
        username="juwei", role=Role.COMMUNITY_STAFF, community=tree["communities"][0]
    )
    department = Department.objects.create(name="城管中队", code="cgzd")
    Department.objects.create(name="房管办", code="fgb")
    login(page, live_server, staff.username, next_url="/meetings/new/")
    page.select_option("#id_kind", "evaluation")
    page.select_option("#id_community", str(tree["communities"][0].pk))
    page.fill("#id_title", "城管中队年度评议")
    page.select_option("#id_subject_kind", "department")
    page.fill("#id_subject_query", "城管")
    # The search narrows the select to the departments whose name has 城管 (房管办 goes).
    page.wait_for_function(
        "() => { const o = [...document.querySelectorAll('#id_subject_id option')];"
        " return o.length > 1 && o.every(x => x.value === '' || x.textContent.includes('城管')); }"
    )
    assert department.name in page.locator("#id_subject_id").inner_text()
    assert "房管办" not in page.locator("#id_subject_id").inner_text()
    page.select_option("#id_subject_id", str(department.pk))
    starts = timezone.localtime() + datetime.timedelta(days=10)
    page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "居委会议室")
    page.click("form.panel button[type=submit]")
    page.wait_for_selector("h1")
    from civicgrid.meetings.models import Meeting

    meeting = Meeting.objects.get()
    assert meeting.subject == department and meeting.subject_title == "城管中队"
