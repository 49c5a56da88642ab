"""The 居委's desk of the time bank: registering volunteers (a registry resident found by name in
the 居委's 居村, or someone from outside with a phone; skills, team, 双报到) and declaring
relatives on /timebank/volunteers/, and reversals (冲正) through the API. Bad input shows the
message and saves nothing; other 居村 are out of reach; other roles 403."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.timebank import services
from civicgrid.timebank.models import Relative, Transfer, Volunteer
from civicgrid.timebank.tests.conftest import serve

pytestmark = pytest.mark.django_db

URL = "/timebank/volunteers/"


def _register(**fields):
    body = {
        "action": "register",
        "who": "outside",
        "name": "张伟",
        "key": "13700003333",
        "community": "",
        "skills": "理发、小修",
        "joined_on": "2026-11-20",
    }
    body.update(fields)
    return body


def test_register_volunteers(bank, client_for, users):
    desk = client_for(users["staff"])
    community = bank["communities"][0].pk
    before = Volunteer.objects.count()
    bad = desk.post(URL, _register(community=community, key="1370000"))
    assert bad.status_code == 200 and "手机号须为 11 位数字" in bad.content.decode()
    bad = desk.post(URL, _register(community=community, double_report="on"))
    assert "双报到的志愿者请填写报到单位" in bad.content.decode()
    assert Volunteer.objects.count() == before
    ok = desk.post(URL, _register(community=community, double_report="on", unit="区教育局"))
    assert ok.status_code == 302
    made = Volunteer.objects.get(name="张伟")
    assert made.skills == ["理发", "小修"] and made.double_report and made.unit == "区教育局"
    assert made.resident is None and made.phone == "13700003333"
    page = desk.get(URL).content.decode()
    assert "137****3333" in page and "13700003333" not in page and "外来人员" in page
    # A registry resident of the 居村, found by name; the housemate's name in another 居村 is not.
    housemate = bank["housemate"]
    ok = desk.post(URL, _register(who="resident", name=housemate.name, key="", community=community))
    assert ok.status_code == 302
    assert Volunteer.objects.get(resident=housemate).name == housemate.name
    again = desk.post(
        URL, _register(who="resident", name=housemate.name, key="", community=community)
    )
    assert "该居民已是志愿者" in again.content.decode()
    nobody = desk.post(URL, _register(who="resident", name="不存在", key="", community=community))
    assert "您的居村里没有这位居民" in nobody.content.decode()
    # Another 居村's staff cannot register into this one (the select refuses the choice).
    other = client_for(users["staff2"]).post(URL, _register(name="王五", community=community))
    assert other.status_code == 200 and not Volunteer.objects.filter(name="王五").exists()
    assert client_for(users["leader"]).post(URL, _register(community=community)).status_code == 403
    assert client_for(users["resident"]).get(URL).status_code == 403
    assert client_for(users["leader"]).get(URL).status_code == 200


def test_register_rolls_back_when_the_login_is_taken(bank, users):
    from django.core.exceptions import ValidationError

    before = Volunteer.objects.count()
    with pytest.raises(ValidationError):
        services.do_register_volunteer(
            users["staff"],
            community=bank["communities"][0],
            joined_on=bank["volunteer"].joined_on,
            name="赵六",
            phone="13700004444",
            login=users["resident"],  # already linked to 陈敏's account
        )
    assert Volunteer.objects.count() == before


def test_declare_relatives(bank, client_for, users):
    desk = client_for(users["staff"])
    young = bank["young"]
    body = {
        "action": "relative",
        "volunteer": bank["outsider"].pk,
        "name": young.name,
        "key": "",
        "relation": "",
    }
    bad = desk.post(URL, body)
    assert bad.status_code == 200 and not Relative.objects.filter(resident=young).exists()
    ok = desk.post(URL, {**body, "relation": "母亲"})
    assert ok.status_code == 302
    relative = Relative.objects.get(resident=young)
    assert relative.relation == "母亲" and relative.by == users["staff"]
    assert relative.account == services.person_account(volunteer=bank["outsider"])
    again = desk.post(URL, {**body, "relation": "母亲"})
    assert "该亲属已登记" in again.content.decode()
    page = desk.get(URL).content.decode()
    assert f"李华 → {young.name}（母亲）" in page
    # The gift rule follows: 李华 may now give to her.
    other = client_for(users["staff2"]).post(URL, {**body, "relation": "母亲"})
    assert other.status_code == 200 and Relative.objects.filter(resident=young).count() == 1


def test_reverse_through_the_api(bank, api, users):
    services.do_verify(serve(bank, minutes=120), users["staff"])
    earned = Transfer.objects.get(kind="earn")
    url = f"/api/timebank/transfers/{earned.pk}/reverse/"
    assert api(users["staff"]).get("/api/timebank/transfers/").json()["count"] == 1
    assert api(users["staff2"]).get("/api/timebank/transfers/").json()["count"] == 0
    assert api(users["staff"]).post(url, {"note": ""}, format="json").status_code == 400
    assert api(users["leader"]).post(url, {"note": "录入错误"}, format="json").status_code == 403
    assert api(users["staff2"]).post(url, {"note": "录入错误"}, format="json").status_code == 404
    assert api(users["resident"]).post(url, {"note": "录入错误"}, format="json").status_code == 403
    assert Transfer.objects.count() == 1
    done = api(users["staff"]).post(url, {"note": "录入错误"}, format="json")
    assert done.status_code == 201
    assert done.json()["kind"] == "reversal" and done.json()["minutes"] == earned.minutes
    bank["account"].refresh_from_db()
    assert bank["account"].balance == 0
    again = api(users["staff"]).post(url, {"note": "再次"}, format="json")
    assert again.status_code == 409 and Transfer.objects.count() == 2
    assert api(users["staff"]).get(f"/api/timebank/transfers/{earned.pk}/").status_code == 200


def test_volunteers_page_and_ledger_queries_are_flat(
    bank, client_for, api, users, django_assert_num_queries
):
    import datetime

    desk = client_for(users["staff"])
    desk.get(URL)
    with CaptureQueriesContext(connection) as first:
        desk.get(URL)
    for i in range(5):
        services.do_register_volunteer(
            None,
            community=bank["communities"][0],
            joined_on=datetime.date(2025, 1, 1),
            name=f"志愿者{i}",
            phone=f"1370000{i:04d}",
        )
    with django_assert_num_queries(len(first.captured_queries)):
        desk.get(URL)
    services.do_verify(serve(bank, minutes=60), users["staff"])
    ledger = api(users["staff"])
    ledger.get("/api/timebank/transfers/")
    with CaptureQueriesContext(connection) as one:
        ledger.get("/api/timebank/transfers/")
    services.do_verify(serve(bank, hours_ago=5, minutes=60), users["staff"])
    with django_assert_num_queries(len(one.captured_queries)):
        ledger.get("/api/timebank/transfers/")
