"""Scheduled publication (定时待发布: not public until the periodic job publishes it at its time,
the objection period counted from then; never in the past) and the audience 指定住户 (chosen on
the compose form and in the API inside the notice's scope; read only by those households signed
in — page, board, kiosk, API)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from civicgrid.notices import generate, services
from civicgrid.notices.models import Notice
from civicgrid.workcalendar.services import add_working_days

pytestmark = pytest.mark.django_db


def _public_ids(client):
    body = client.get("/api/notices/notices/").json()
    return {n["id"] for n in (body["results"] if isinstance(body, dict) else body)}


def test_a_scheduled_notice_stays_hidden_until_the_job_publishes_it(
    users, draft, clock, client, api
):
    services.do_submit(users["operator"], draft)
    at = clock.at + datetime.timedelta(hours=2)
    with pytest.raises(ValidationError):
        services.do_publish(
            users["admin"], draft, publish_at=clock.at - datetime.timedelta(hours=1)
        )
    draft.refresh_from_db()
    assert draft.state == "review" and draft.publish_at is None
    notice = services.do_publish(users["admin"], draft, publish_at=at)
    assert notice.state == "scheduled" and notice.version == 0 and notice.published_at is None
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    assert notice.pk not in _public_ids(api())
    clock.advance(hours=1)
    generate.periodic()
    notice.refresh_from_db()
    assert notice.state == "scheduled"
    clock.advance(hours=1, minutes=5)  # the job runs a little after the time
    assert generate.periodic()["released"] == 1
    notice.refresh_from_db()
    assert notice.state == "published" and notice.version == 1
    assert notice.published_at == clock.at and notice.approver == users["admin"]
    assert notice.objection_until == add_working_days(clock.at, notice.objection_days).at
    assert client.get(f"/notices/{notice.pk}/").status_code == 200
    assert notice.pk in _public_ids(api())


def test_scheduling_on_the_manage_page_and_in_the_api(users, draft, clock, client_for, api):
    services.do_submit(users["operator"], draft)
    page = client_for(users["admin"])
    answer = page.post(
        f"/notices/staff/{draft.pk}/", {"action": "publish", "publish_at": "2026-11-23T09:00"}
    )
    assert answer.status_code == 400 and "定时发布时间须晚于现在" in answer.content.decode()
    url = f"/api/notices/notices/{draft.pk}/publish/"
    assert (
        api(users["admin"]).post(url, {"publish_at": "2026-11-22T09:00:00+08:00"}).status_code
        == 400
    )
    draft.refresh_from_db()
    assert draft.state == "review"
    answer = page.post(
        f"/notices/staff/{draft.pk}/", {"action": "publish", "publish_at": "2026-11-24T08:00"}
    )
    assert answer.status_code == 302
    shown = page.get(f"/notices/staff/{draft.pk}/").content.decode()
    assert "定时待发布" in shown and "2026-11-24 08:00" in shown
    # The approver may take it back before its time.
    services.do_return(users["admin"], draft, note="日期要改")
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.publish_at is None


@pytest.fixture
def named(users, tree, homes):
    """A notice of community 0 for household A alone, published."""
    home_a, _home_b = homes
    notice = services.do_draft_notice(
        users["staff"],
        kind="announcement",
        scope_level="community",
        grid=tree["communities"][0],
        audience="households",
        households=[home_a],
        title="关于您家水表更换的通知",
        body="请于本周内在家等候。",
        department_name="居委会",
    )
    services.do_submit(users["staff"], notice)
    return services.do_publish(users["admin"], notice)


def test_only_the_named_household_reads_it_on_every_surface(users, tree, named, client_for, api):
    mine = client_for(users["resident"])
    assert mine.get(f"/notices/{named.pk}/").status_code == 200
    assert "关于您家水表更换的通知" in mine.get("/notices/").content.decode()
    assert named.pk in _public_ids(api(users["resident"]))
    # A neighbour of the same scope, and the public, do not.
    other = client_for(users["resident2"])
    assert other.get(f"/notices/{named.pk}/").status_code == 404
    assert "关于您家水表更换的通知" not in other.get("/notices/").content.decode()
    assert named.pk not in _public_ids(api(users["resident2"]))
    anonymous = Client()  # `client` is the one client_for signed in
    assert anonymous.get(f"/notices/{named.pk}/").status_code == 302  # to the login page
    assert named.pk not in _public_ids(api())
    assert api().get(f"/api/notices/notices/{named.pk}/").status_code == 404
    kiosk = anonymous.get(f"/notices/kiosk/{tree['communities'][0].pk}/?format=json").json()
    assert named.pk not in {n["id"] for n in kiosk["notices"]}


def test_compose_form_picks_households_in_scope(users, tree, homes, households, client_for):
    home_a, home_b = homes
    page = client_for(users["staff"])
    form = {
        "kind": "announcement",
        "scope_level": "community",
        "grid": tree["communities"][0].pk,
        "audience": "households",
        "title": "入户通知",
        "body": "正文",
        "department_name": "居委会",
    }
    outside = households[2][0]  # micro-grid 2: another 居村
    answer = page.post("/notices/staff/new/", {**form, "households": f"#{outside.pk}"})
    assert answer.status_code == 400 and "指定住户须在公告范围内" in answer.content.decode()
    answer = page.post("/notices/staff/new/", {**form, "households": "不存在的路1号"})
    assert answer.status_code == 400 and "没有这些住户" in answer.content.decode()
    answer = page.post("/notices/staff/new/", {**form, "households": ""})
    assert answer.status_code == 400 and "请指定住户" in answer.content.decode()
    assert not Notice.objects.exists()
    answer = page.post(
        "/notices/staff/new/",
        {**form, "households": f"#{home_a.pk}\n{home_b.address.normalized}"},
    )
    assert answer.status_code == 302
    assert set(Notice.objects.get().households.all()) == {home_a, home_b}


def test_api_picks_households_in_scope(users, tree, homes, households, api):
    home_a, _home_b = homes
    body = {
        "kind": "announcement",
        "scope_level": "community",
        "grid": tree["communities"][0].pk,
        "audience": "households",
        "title": "入户通知",
        "body": "正文",
        "department_name": "居委会",
    }
    client = api(users["operator"])
    url = "/api/notices/notices/"
    bad = client.post(url, {**body, "households": [households[2][0].pk]}, format="json")
    assert bad.status_code == 400 and "households" in bad.json()
    assert client.post(url, {**body, "households": [999999]}, format="json").status_code == 400
    assert not Notice.objects.exists()
    made = client.post(url, {**body, "households": [home_a.pk]}, format="json")
    assert made.status_code == 201, made.content
    assert list(Notice.objects.get().households.all()) == [home_a]
