"""The API (scoping, steps, 4xx on bad input, flat query counts) and the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.parking import services
from civicgrid.parking.models import Booking, CongestionReport, Offer
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def _book(p, day=24, hour=9, hours=2, household="booker"):
    return services.do_book(
        None,
        offer=p["offer"],
        household=p[household],
        starts_at=local(2026, 11, day, hour),
        ends_at=local(2026, 11, day, hour + hours),
        vehicle=p["vehicle"] if household == "booker" else None,
    ).booking


def test_a_resident_books_through_the_api_and_an_overlap_is_a_400(api, users, parking):
    p = parking
    body = {
        "offer": p["offer"].pk,
        "household": p["booker"].pk,
        "starts_at": "2026-11-24T09:00:00+08:00",
        "ends_at": "2026-11-24T11:00:00+08:00",
        "vehicle": p["vehicle"].pk,
    }
    r = api(users["resident2"]).post("/api/parking/bookings/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "confirmed" and r.json()["plate"] == "沪A***45"
    r = api(users["admin"]).post(
        "/api/parking/bookings/",
        {**body, "household": p["third"].pk, "vehicle": None},
        format="json",
    )
    assert r.status_code == 400 and r.json()["starts_at"] == ["该时段已被预约"]
    # A household the resident does not act for is bad input, nothing saved.
    r = api(users["resident2"]).post(
        "/api/parking/bookings/",
        {
            **body,
            "household": p["third"].pk,
            "starts_at": "2026-11-25T09:00:00+08:00",
            "ends_at": "2026-11-25T10:00:00+08:00",
        },
        format="json",
    )
    assert r.status_code == 400 and "household" in r.json()
    assert Booking.objects.count() == 1


def test_steps_through_the_api_and_a_wrong_state_is_a_409(api, users, parking, clock):
    b = _book(parking)
    client = api(users["resident2"])
    clock.set(2026, 11, 24, 9, 2)
    r = client.post(f"/api/parking/bookings/{b.pk}/arrive/")
    assert r.status_code == 200 and r.json()["state"] == "parked"
    r = client.post(f"/api/parking/bookings/{b.pk}/cancel/", {}, format="json")
    assert r.status_code == 409
    # The holder may not say the booker arrived or left; the gate may.
    assert api(users["resident"]).post(f"/api/parking/bookings/{b.pk}/leave/").status_code == 403
    clock.set(2026, 11, 24, 11, 30)
    r = api(users["worker"]).post(f"/api/parking/bookings/{b.pk}/overstay/")
    assert r.status_code == 200 and r.json()["state"] == "overstay"
    history = client.get(f"/api/parking/bookings/{b.pk}/history/").json()
    assert [h["to_state"] for h in history] == ["requested", "confirmed", "parked", "overstay"]


def test_lists_follow_the_scope(api, users, parking):
    b = _book(parking)
    ids = lambda user, path: [row["id"] for row in api(user).get(path).json()["results"]]  # noqa: E731
    assert ids(users["staff"], "/api/parking/bookings/") == [b.pk]
    assert ids(users["staff2"], "/api/parking/bookings/") == []
    assert ids(users["resident2"], "/api/parking/bookings/") == [b.pk]  # their booking
    assert ids(users["resident"], "/api/parking/bookings/") == [b.pk]  # on their space
    assert ids(users["staff"], "/api/parking/spaces/") == [parking["space"].pk]
    assert ids(users["staff2"], "/api/parking/spaces/") == []
    assert ids(users["resident2"], "/api/parking/offers/") == [parking["offer"].pk]
    assert api(users["resident2"]).get("/api/parking/spaces/").status_code == 403
    assert api(users["resident2"]).get("/api/parking/report/").status_code == 403
    assert api(users["handler"]).get("/api/parking/bookings/").status_code == 403
    vehicles = api(users["staff"]).get("/api/parking/vehicles/").json()["results"]
    assert vehicles[0]["plate"] == "沪A***45"
    assert api(users["staff2"]).get(f"/api/parking/bookings/{b.pk}/").status_code == 404
    assert api(users["staff2"]).post(f"/api/parking/bookings/{b.pk}/arrive/").status_code == 404


def test_the_report_endpoint(api, users, parking):
    r = api(users["staff"]).get("/api/parking/report/?first=2026-11-23&last=2026-11-27")
    assert r.status_code == 200
    row = r.json()["rows"][0]
    assert row["name"] == "康乐苑" and row["hours_offered"] == 50.0
    r = api(users["staff"]).get("/api/parking/report/?first=2026-11-27&last=2026-11-01")
    assert r.status_code == 400


def test_offer_and_congestion_bad_input_is_a_400_and_nothing_saved(api, users, parking):
    r = api(users["resident"]).post(
        "/api/parking/offers/",
        {
            "space": parking["space"].pk,
            "first_day": "2026-12-10",
            "last_day": "2026-12-01",
            "days": "working",
            "start_time": "08:00",
            "end_time": "18:00",
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["last_day"] == ["结束日期不能早于开始日期"]
    r = api(users["resident2"]).post(
        "/api/parking/offers/",
        {
            "space": parking["space"].pk,
            "first_day": "2026-12-01",
            "last_day": "2026-12-10",
            "days": "working",
            "start_time": "08:00",
            "end_time": "18:00",
        },
        format="json",
    )
    assert r.status_code == 400 and "space" in r.json()
    assert Offer.objects.count() == 1
    r = api(users["staff"]).post(
        "/api/parking/congestion/",
        {
            "estate": parking["estate"].pk,
            "at": "2026-11-23T08:00:00+08:00",
            "place": "",
            "minutes": 0,
        },
        format="json",
    )
    assert r.status_code == 400
    r = api(users["staff2"]).post(
        "/api/parking/congestion/",
        {
            "estate": parking["estate"].pk,
            "at": "2026-11-23T08:00:00+08:00",
            "place": "大门",
            "minutes": 20,
        },
        format="json",
    )
    assert r.status_code == 400 and "estate" in r.json()
    r = api(users["staff"]).post(
        "/api/parking/congestion/",
        {
            "estate": parking["estate"].pk,
            "at": "2026-11-23T08:00:00+08:00",
            "place": "大门",
            "minutes": 20,
        },
        format="json",
    )
    assert r.status_code == 201
    assert CongestionReport.objects.count() == 1


def test_the_booking_list_query_count_is_flat(api, users, parking):
    client = api(users["staff"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/parking/bookings/").status_code == 200
        return len(queries)

    _book(parking)
    one = count()
    for day in (25, 26, 27):
        _book(parking, day=day, hours=1)
    assert count() == one


def test_escalation_to_a_case_through_the_api(api, users, parking, clutter):
    from civicgrid.testing.world import category

    category("community", "0114")
    r = api(users["staff"]).post(
        "/api/parking/escalations/",
        {"estate": parking["estate"].pk, "kind": "case", "description": "访客车辆长期占用消防通道"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["case"]
    r = api(users["staff2"]).post(
        "/api/parking/escalations/",
        {"estate": parking["estate"].pk, "kind": "meeting", "description": "争议"},
        format="json",
    )
    assert r.status_code == 400


# --- pages ---------------------------------------------------------------------------------------


def test_the_indicators_page(client_for, users, parking, tree):
    from civicgrid.estates.models import Estate

    _book(parking)
    Estate.objects.create(name="万科城", community=tree["communities"][0])
    r = client_for(users["staff"]).get("/parking/?first=2026-11-23&last=2026-11-27")
    assert r.status_code == 200
    text = r.content.decode()
    assert "康乐苑" in text and "车位比" in text
    # An estate where shared parking does not run is named below the table, not a row of zeros.
    table, after = text.split('id="parking-rows"')[1].split("</table>", 1)
    assert "康乐苑" in table and "万科城" not in table
    waiting = after.split('id="parking-waiting"')[1].split("</details>")[0]
    assert "万科城" in waiting and "康乐苑" not in waiting
    r = client_for(users["staff"]).get("/parking/?first=2026-11-27&last=2026-11-01")
    assert "统计期应为两年以内" in r.content.decode()
    assert client_for(users["resident"]).get("/parking/").status_code == 403


def test_the_gate_page_marks_an_overstay(client_for, users, parking, clock, outbox):
    b = _book(parking)
    clock.set(2026, 11, 24, 9, 0)
    services.do_arrive(None, b)
    clock.set(2026, 11, 24, 11, 20)
    client = client_for(users["worker"])
    page = client.get("/parking/gate/").content.decode()
    assert "A-001" in page and "沪A***45" in page and "沪A12345" not in page
    r = client.post("/parking/gate/", {"booking": b.pk, "action": "overstay"}, follow=True)
    assert "已登记超时占用" in r.content.decode()
    b.refresh_from_db()
    assert b.state == "overstay"
    # Bad input: the message, nothing saved.
    r = client.post(
        "/parking/gate/",
        {
            "action": "congestion",
            "estate": parking["estate"].pk,
            "time": "08:00",
            "place": "",
            "minutes": "20",
        },
    )
    assert "请填写地点" in r.content.decode()
    assert not CongestionReport.objects.exists()


def test_the_resident_pages(client_for, users, parking, clock):
    client = client_for(users["resident2"])
    page = client.get("/parking/find/?day=2026-11-24").content.decode()
    assert "A-001" in page and "08:00–18:00" in page
    r = client.post(
        "/parking/find/",
        {
            "offer": parking["offer"].pk,
            "starts_at": "2026-11-24T10:00:00+08:00",
            "ends_at": "2026-11-24T09:00:00+08:00",
        },
    )
    assert "结束时间须晚于开始时间" in r.content.decode()
    assert not Booking.objects.exists()
    r = client.post(
        "/parking/find/",
        {
            "offer": parking["offer"].pk,
            "starts_at": "2026-11-24T10:00:00+08:00",
            "ends_at": "2026-11-24T12:00:00+08:00",
            "vehicle": parking["vehicle"].pk,
        },
        follow=True,
    )
    assert "预约成功" in r.content.decode()
    assert Booking.objects.get().vehicle == parking["vehicle"]
    # The holder offers another window from their page.
    holder = client_for(users["resident"])
    assert "共享我的车位" in holder.get("/parking/me/").content.decode()
    r = holder.post(
        "/parking/me/",
        {
            "action": "offer",
            "space": parking["space"].pk,
            "first_day": "2026-12-01",
            "last_day": "2026-11-30",
            "days": "every",
            "start_time": "19:00",
            "end_time": "07:00",
        },
    )
    assert "结束日期不能早于开始日期" in r.content.decode()
    assert Offer.objects.count() == 1
    assert client_for(users["staff"]).get("/parking/me/").status_code == 403
