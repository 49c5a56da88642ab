"""The time bank's API: scoping (居委 sees its 居村; a resident only their own), phones masked,
records through their steps (409 on a wrong state), bad input 400 with nothing saved, the
resident's own account, the report, and flat query counts on the lists."""

import datetime

import pytest

from civicgrid.timebank import services
from civicgrid.timebank.models import HelpRequest, ServiceRecord
from civicgrid.timebank.tests.conftest import serve

pytestmark = pytest.mark.django_db


def test_lists_are_scoped_and_phones_masked(bank, api, users):
    serve(bank)
    other = services.do_register_volunteer(
        None,
        community=bank["communities"][1],
        joined_on=datetime.date(2025, 1, 1),
        name="赵云",
        phone="13600001234",
    )
    staff = api(users["staff"])
    names = {v["name"] for v in staff.get("/api/timebank/volunteers/").json()["results"]}
    assert "李华" in names and "赵云" not in names
    row = next(
        v for v in staff.get("/api/timebank/volunteers/").json()["results"] if v["name"] == "李华"
    )
    assert row["phone"] == "137****2222"
    assert api(users["staff2"]).get("/api/timebank/records/").json()["count"] == 0
    assert api(users["staff"]).get("/api/timebank/records/").json()["count"] == 1
    assert api(users["admin"]).get(f"/api/timebank/volunteers/{other.pk}/").status_code == 200
    assert staff.get(f"/api/timebank/volunteers/{other.pk}/").status_code == 404
    assert api(users["handler"]).get("/api/timebank/volunteers/").status_code == 403
    assert api(users["resident"]).get("/api/timebank/volunteers/").status_code == 403
    # A resident sees only their own records.
    assert api(users["resident"]).get("/api/timebank/records/").json()["count"] == 1
    assert api(users["resident2"]).get("/api/timebank/records/").json()["count"] == 0


def test_record_verify_and_wrong_state(bank, api, users):
    body = {
        "volunteer": bank["volunteer"].pk,
        "project": bank["meals"].pk,
        "recipient": bank["grandma"].pk,
        "started_at": "2026-11-23T08:00:00+08:00",
        "ended_at": "2026-11-23T09:30:00+08:00",
        "confirmation": "王桂英",
    }
    created = api(users["resident"]).post("/api/timebank/records/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api(users["resident"]).post(f"/api/timebank/records/{pk}/verify/").status_code == 403
    done = api(users["staff"]).post(f"/api/timebank/records/{pk}/verify/")
    assert done.status_code == 200 and done.json()["credited_minutes"] == 90
    again = api(users["staff"]).post(f"/api/timebank/records/{pk}/verify/")
    assert again.status_code == 409
    me = api(users["resident"]).get("/api/timebank/me/")
    assert me.status_code == 200 and me.json()["hours"] == 1.5
    assert api(users["resident2"]).get("/api/timebank/me/").status_code == 404


def test_bad_input_is_refused_with_nothing_saved(bank, api, users):
    client = api(users["resident"])
    body = {
        "volunteer": bank["volunteer"].pk,
        "project": bank["meals"].pk,
        "recipient": bank["housemate"].pk,
        "started_at": "2026-11-23T08:00:00+08:00",
        "ended_at": "2026-11-23T07:00:00+08:00",
        "confirmation": "",
    }
    answer = client.post("/api/timebank/records/", body, format="json")
    assert answer.status_code == 400
    assert "结束时间须晚于开始时间" in str(answer.json())
    body["ended_at"] = "2026-11-23T09:00:00+08:00"
    body["confirmation"] = "家人"
    answer = client.post("/api/timebank/records/", body, format="json")
    assert answer.status_code == 400 and "为本户家人服务不计入时间币" in str(answer.json())
    body["volunteer"] = bank["outsider"].pk
    assert client.post("/api/timebank/records/", body, format="json").status_code == 400
    assert not ServiceRecord.objects.exists()
    ask = client.post(
        "/api/timebank/requests/",
        {
            "elder": bank["young"].pk,
            "project": bank["meals"].pk,
            "wanted_on": "2026-11-25",
            "description": "送餐",
        },
        format="json",
    )
    assert ask.status_code == 403 and not HelpRequest.objects.exists()


def test_requests_ask_match_done(bank, api, users):
    ask = api(users["resident"]).post(
        "/api/timebank/requests/",
        {
            "elder": bank["grandma"].pk,
            "project": bank["meals"].pk,
            "wanted_on": "2026-11-25",
            "description": "送餐",
            "contact_phone": "13912345678",
        },
        format="json",
    )
    assert ask.status_code == 201 and ask.json()["contact_phone"] == "139****5678"
    pk = ask.json()["id"]
    staff = api(users["staff"])
    assert staff.post(f"/api/timebank/requests/{pk}/done/", {}, format="json").status_code == 409
    matched = staff.post(
        f"/api/timebank/requests/{pk}/match/", {"volunteer": bank["outsider"].pk}, format="json"
    )
    assert matched.status_code == 200 and matched.json()["state"] == "matched"
    assert (
        staff.post(f"/api/timebank/requests/{pk}/done/", {}, format="json").json()["state"]
        == "done"
    )
    assert api(users["staff2"]).get(f"/api/timebank/requests/{pk}/").status_code == 404


def test_report_and_accounts(bank, api, users):
    services.do_verify(serve(bank, minutes=120), users["staff"])
    report = api(users["staff"]).get("/api/timebank/report/")
    assert report.status_code == 200
    data = report.json()
    assert data["hours"] == 2 and data["owed_hours"] == 2 and data["top"][0]["hours"] == 2
    assert data["by_project"][0]["project__name"] == "助餐"
    assert api(users["staff2"]).get("/api/timebank/report/").json()["hours"] == 0
    bad = api(users["staff"]).get("/api/timebank/report/?first=2026-13-01")
    assert bad.status_code == 400
    accounts = api(users["staff"]).get("/api/timebank/accounts/").json()["results"]
    assert all(a["kind"] == "person" for a in accounts)
    mine = next(a for a in accounts if a["id"] == bank["account"].pk)
    lines = api(users["staff"]).get(f"/api/timebank/accounts/{mine['id']}/transfers/").json()
    assert lines["results"][0]["minutes"] == 120


def test_list_queries_stay_flat(bank, api, users, django_assert_num_queries):
    client = api(users["admin"])
    serve(bank)
    client.get("/api/timebank/records/")  # warm caches (content types, sessions)
    with django_assert_num_queries(2):
        client.get("/api/timebank/records/")
    for i in range(6):
        serve(bank, hours_ago=4 + i)
    with django_assert_num_queries(2):
        assert client.get("/api/timebank/records/").json()["count"] == 7
