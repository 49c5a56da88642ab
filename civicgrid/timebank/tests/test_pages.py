"""The time bank's pages: the staff page (figures, honour roll, verify and send back), the
volunteer's phone page (record a service, balance), the family's help page, who may open them,
bad input shown with nothing saved, and the tile on the dashboard."""

import datetime

import pytest

from civicgrid.timebank import services
from civicgrid.timebank.models import HelpRequest, ServiceRecord
from civicgrid.timebank.tests.conftest import serve

pytestmark = pytest.mark.django_db


def test_staff_page_verifies_and_shows_the_honour_roll(bank, client_for, users):
    record = serve(bank, minutes=120)
    client = client_for(users["staff"])
    page = client.get("/timebank/").content.decode()
    assert f'id="record-{record.pk}"' in page
    answer = client.post("/timebank/", {"record": record.pk, "action": "verify"}, follow=True)
    assert "已审核通过，时间币已存入" in answer.content.decode()
    record.refresh_from_db()
    assert record.state == "verified"
    page = client.get("/timebank/").content.decode()
    assert bank["volunteer"].name in page.split('id="honour-roll"')[1]
    # Another 居委 cannot verify it (it is not in their list).
    other = serve(bank, hours_ago=5)
    answer = client_for(users["staff2"]).post(
        "/timebank/", {"record": other.pk, "action": "verify"}
    )
    assert "没有这条待审核的服务记录" in answer.content.decode()
    # Sending back needs a reason (the one test client is signed in again as the 居委).
    client = client_for(users["staff"])
    answer = client.post("/timebank/", {"record": other.pk, "action": "reject", "note": ""})
    assert "请填写退回原因" in answer.content.decode()
    other.refresh_from_db()
    assert other.state == "submitted"


def test_who_may_open_the_pages(bank, client_for, users):
    assert client_for(users["resident"]).get("/timebank/").status_code == 403
    assert client_for(users["staff"]).get("/timebank/me/").status_code == 403
    assert client_for(users["handler"]).get("/timebank/").status_code == 403
    assert client_for(users["leader"]).get("/timebank/").status_code == 200


def test_a_volunteer_records_a_service_and_sees_the_balance(bank, client_for, users):
    client = client_for(users["resident"])
    bad = client.post(
        "/timebank/me/",
        {
            "project": bank["meals"].pk,
            "activity": "",
            "started_at": "2026-11-23T08:00",
            "ended_at": "2026-11-23T07:00",
        },
    )
    body = bad.content.decode()
    assert "结束时间须晚于开始时间" in body and not ServiceRecord.objects.exists()
    answer = client.post(
        "/timebank/me/",
        {
            "project": bank["meals"].pk,
            "activity": "长者食堂帮厨",
            "started_at": "2026-11-23T07:00",
            "ended_at": "2026-11-23T08:30",
        },
        follow=True,
    )
    assert "服务记录已提交，等待项目协调人审核" in answer.content.decode()
    record = ServiceRecord.objects.get()
    services.do_verify(record, users["staff"])
    page = client.get("/timebank/me/").content.decode()
    assert "<strong>1.5</strong>" in page


def test_family_asks_help_for_an_elder(bank, client_for, users):
    client = client_for(users["resident"])
    page = client.get("/timebank/help/").content.decode()
    assert "王桂英" in page
    bad = client.post(
        "/timebank/help/",
        {
            "elder": bank["grandma"].pk,
            "project": bank["meals"].pk,
            "wanted_on": "2026-11-01",
            "description": "送餐",
        },
    )
    assert "希望日期不能早于今天" in bad.content.decode() and not HelpRequest.objects.exists()
    # An elder who is no relative is not offered, and posting one is refused.
    bad = client.post(
        "/timebank/help/",
        {
            "elder": bank["young"].pk,
            "project": bank["meals"].pk,
            "wanted_on": "2026-11-25",
            "description": "送餐",
        },
    )
    assert "请选择老人" in bad.content.decode() and not HelpRequest.objects.exists()
    answer = client.post(
        "/timebank/help/",
        {
            "elder": bank["grandma"].pk,
            "project": bank["meals"].pk,
            "wanted_on": "2026-11-25",
            "description": "每天中午送餐",
        },
        follow=True,
    )
    assert "求助已提交" in answer.content.decode()
    assert HelpRequest.objects.get().asked_by == users["resident"]
    page = client_for(users["resident2"]).get("/timebank/help/").content.decode()
    assert 'id="no-elders"' in page


def test_the_tile_on_the_dashboard(bank, client_for, users, django_assert_num_queries):
    from civicgrid.testing.world import local
    from civicgrid.timebank.reports import dashboard_tile

    services.do_verify(serve(bank, minutes=120), users["staff"])
    with django_assert_num_queries(3):
        tile = dashboard_tile(None, local(2026, 11, 1).date(), local(2026, 11, 30).date(), None)
    assert tile == {
        "volunteers": 2,
        "hours": 2.0,
        "owed_hours": 2.0,
        "open_requests": 0,
        "has_data": True,
    }
    page = client_for(users["operator"]).get("/dashboard/").content.decode()
    assert 'id="timebank-tile"' in page
    assert "待兑付时间币 2 小时，进行中求助 0 件" in page
    data = client_for(users["operator"]).get("/dashboard/data.json").json()
    assert data["tiles"]["timebank"]["hours"] == 2.0


def test_volunteers_of_the_same_name_are_told_apart_in_the_relative_form(
    bank, client_for, users, tree
):
    """A street has a thousand volunteers and many share a name: the relative form's choice
    shows each with their 居村 and masked phone, never the full number."""
    namesake = services.do_register_volunteer(
        None,
        community=tree["communities"][1],
        joined_on=datetime.date(2025, 4, 1),
        name="李华",
        phone="13900003333",
    )
    page = client_for(users["operator"]).get("/timebank/volunteers/")
    field = page.context["relative"].fields["volunteer"]
    labels = {field.label_from_instance(v) for v in field.queryset if v.name == "李华"}
    communities = tree["communities"]
    assert labels == {
        f"李华（{communities[0].name} · 137****2222）",
        f"李华（{communities[1].name} · 139****3333）",
    }
    html = page.content.decode()
    assert f"李华（{communities[1].name} · 139****3333）" in html
    assert "13900003333" not in html and namesake.phone == "13900003333"
