"""The summary of a lifted response drafted as a 通报 by the 城运中心's command (值班长, 带班领导):
the button works for them (no 403), the draft waits for the notices' own review, and a grid
worker is refused."""

import pytest

from civicgrid.emergency import services
from civicgrid.notices.choices import NoticeSource, NoticeState
from civicgrid.notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def lifted(flood, users):
    response = services.do_raise(users["operator"], kind="flood", level="3", reason="暴雨").response
    services.do_lift(users["chief"], response, note="雨停")
    response.refresh_from_db()
    return response


@pytest.mark.parametrize("who", ["chief", "dutyleader"])
def test_shift_chief_and_duty_leader_draft_the_summary_notice(client, users, lifted, who):
    client.force_login(users[who])
    page = client.get(f"/emergency/responses/{lifted.pk}/")
    assert page.status_code == 200 and b'id="draft-notice"' in page.content
    answer = client.post(f"/emergency/responses/{lifted.pk}/notice/")
    assert answer.status_code == 302
    notice = Notice.objects.get()
    assert notice.author == users[who] and notice.source == NoticeSource.EMERGENCY_SUMMARY
    assert "应急响应总结" in notice.title and notice.state == NoticeState.DRAFT
    # Not public: the draft goes through the notices' review (the desk submits and publishes).
    client.logout()
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    # Pressed again: the same draft, not a second one.
    client.force_login(users[who])
    assert client.post(f"/emergency/responses/{lifted.pk}/notice/").status_code == 302
    assert Notice.objects.count() == 1


def test_a_grid_worker_may_not_draft_it(client, users, lifted):
    client.force_login(users["worker"])
    assert client.post(f"/emergency/responses/{lifted.pk}/notice/").status_code == 403
    assert not Notice.objects.exists()


def test_the_command_still_cannot_compose_other_notices(client, users, tree):
    client.force_login(users["chief"])
    assert client.get("/notices/staff/new/").status_code == 403
