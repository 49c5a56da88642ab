"""The 垃圾分类 API: scoped lists with their filters, writes through the services (bad input 400
with the field's Chinese message and nothing saved, a wrong state 409, another 居村 404/403),
the guide's check-in/out, inspections opening cases, the report; flat query counts."""

import datetime

import pytest

from civicgrid.cases.models import Case
from civicgrid.sorting import services
from civicgrid.sorting.choices import PointKind, PointState
from civicgrid.sorting.models import DropOffPoint, Inspection, Weighing
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db

MON = datetime.date(2026, 11, 23)


def full_marks():
    return [{"item": i.pk, "points": i.max_points} for i in services.active_template().items.all()]


def test_points_are_scoped_and_filtered(world, users, api):
    services.do_save_point(None, estate=world["west"], name="秀康新村箱房", kind=PointKind.ROOM)
    everyone = api(users["operator"]).get("/api/sorting/points/")
    assert everyone.status_code == 200 and everyone.json()["count"] == 2
    mine = api(users["staff"]).get("/api/sorting/points/").json()["results"]
    assert [p["name"] for p in mine] == ["康乐苑1号箱房"]
    assert mine[0]["windows"] == [
        {"start": "07:00:00", "end": "09:00:00"},
        {"start": "18:00:00", "end": "20:00:00"},
    ]
    planned = api(users["operator"]).get("/api/sorting/points/", {"state": "planned"}).json()
    assert [p["name"] for p in planned["results"]] == ["秀康新村箱房"]
    assert api(users["resident"]).get("/api/sorting/points/").status_code == 403
    assert api(users["handler"]).get("/api/sorting/points/").status_code == 403


def test_point_create_windows_and_state(world, users, api):
    client = api(users["staff"])
    answer = client.post(
        "/api/sorting/points/",
        {"estate": world["east"].pk, "name": "康乐苑误时投放点", "kind": "late", "bins_dry": 1},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    bad = client.post(
        f"/api/sorting/points/{pk}/windows/",
        {"windows": [{"start": "21:00", "end": "20:00"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert "结束时间须晚于开始时间" in bad.json()["windows"][0]
    good = client.post(
        f"/api/sorting/points/{pk}/windows/",
        {"windows": [{"start": "20:00", "end": "22:00"}]},
        format="json",
    )
    assert good.json()["windows"] == [{"start": "20:00:00", "end": "22:00:00"}]
    assert client.post(f"/api/sorting/points/{pk}/state/", {"state": "in_use"}).status_code == 200
    again = client.post(f"/api/sorting/points/{pk}/state/", {"state": "in_use"})
    assert again.status_code == 409 and "不能改为" in again.json()["detail"]
    # Another 居村's estate: not found for this 居委.
    other = client.post(
        "/api/sorting/points/",
        {"estate": world["west"].pk, "name": "x", "kind": "room"},
        format="json",
    )
    assert other.status_code == 400 and other.json() == {"estate": ["没有找到该小区"]}


def test_a_negative_weighing_is_refused_with_a_message_and_nothing_saved(world, users, api, clock):
    client = api(users["staff"])
    body = {
        "estate": world["east"].pk,
        "day": "2026-11-23",
        "category": "dry",
        "kg": "-35.5",
        "hauler": "浦东环卫",
    }
    answer = client.post("/api/sorting/weighings/", body, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"kg": ["重量须大于 0 公斤"]}
    assert Weighing.objects.count() == 0
    answer = client.post("/api/sorting/weighings/", {**body, "kg": "835.5"}, format="json")
    assert answer.status_code == 201
    assert answer.json()["subject"] == "康乐苑" and answer.json()["kg"] == "835.50"
    listed = client.get("/api/sorting/weighings/", {"category": "dry"}).json()
    assert listed["count"] == 1
    assert api(users["staff2"]).get("/api/sorting/weighings/").json()["count"] == 0
    # A leader reads but never writes.
    assert (
        api(users["leader"]).post("/api/sorting/weighings/", body, format="json").status_code == 403
    )


def test_the_guide_checks_in_and_out_through_the_api(world, users, api, clock):
    shifts = services.do_plan_shifts(
        world["point"], None, first=MON, last=MON, guide=world["guide"]
    )
    morning = min(shifts, key=lambda s: s.start)
    client = api(users["resident"])
    mine = client.get("/api/sorting/shifts/").json()
    assert mine["count"] == 2
    clock.set(2026, 11, 23, 7, 10)
    answer = client.post(f"/api/sorting/shifts/{morning.pk}/check-in/")
    assert answer.status_code == 200 and answer.json()["state"] == "on_duty"
    assert client.post(f"/api/sorting/shifts/{morning.pk}/check-in/").status_code == 409
    bad = client.post(
        f"/api/sorting/shifts/{morning.pk}/check-out/", {"households_guided": -1}, format="json"
    )
    assert bad.status_code == 400
    done = client.post(
        f"/api/sorting/shifts/{morning.pk}/check-out/",
        {"households_guided": 38, "wrong_drops": 4, "note": "早高峰"},
        format="json",
    )
    assert done.json()["status"] == "done" and done.json()["households_guided"] == 38
    # Another resident is no guide: no shifts, and none to check in to.
    assert api(users["resident2"]).get("/api/sorting/shifts/").json()["count"] == 0
    clock.set(2026, 11, 23, 21, 0)
    missed = api(users["staff"]).get("/api/sorting/shifts/", {"status": "missed"}).json()
    assert [s["start"] for s in missed["results"]] == ["18:00:00"]


def test_an_inspection_through_the_api_opens_a_case_when_it_fails(world, users, api, clock):
    scores = full_marks()
    scores[0]["points"] = 10  # bin purity 10/30 → 80
    answer = api(users["staff"]).post(
        "/api/sorting/inspections/",
        {"estate": world["east"].pk, "scores": scores, "note": "混投严重"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert (data["score"], data["passed"]) == (80, False)
    assert data["case_number"] == Case.objects.get().number
    assert data["reinspect_by"].startswith("2026-11-30")
    short = api(users["staff"]).post(
        "/api/sorting/inspections/",
        {"estate": world["east"].pk, "scores": scores[:2]},
        format="json",
    )
    assert short.status_code == 400 and "请为每一项打分" in short.json()["scores"][0]
    assert Inspection.objects.count() == 1
    assert (
        api(users["worker"])
        .post(
            "/api/sorting/inspections/",
            {"estate": world["east"].pk, "scores": full_marks()},
            format="json",
        )
        .status_code
        == 403
    )
    template = api(users["staff"]).get("/api/sorting/template/").json()
    assert sum(i["max_points"] for i in template["items"]) == 100


def test_the_report_per_community(world, users, api, clock):
    services.do_set_baseline(
        None, estate=world["east"], kg_per_day=500, start_date=datetime.date(2026, 11, 1)
    )
    services.do_record_weighing(
        None, estate=world["east"], day=MON, category="dry", kg=210, hauler="浦东环卫"
    )
    answer = api(users["operator"]).get(
        "/api/sorting/report/", {"first": "2026-11-01", "last": "2026-11-30"}
    )
    assert answer.status_code == 200
    rows = {r["name"]: r for r in answer.json()["rows"]}
    assert rows["第1居委"]["reduction_rate"] == pytest.approx(0.58)
    bad = api(users["operator"]).get(
        "/api/sorting/report/", {"first": "2026-11-30", "last": "2026-11-01"}
    )
    assert bad.status_code == 400


def test_lists_keep_a_flat_query_count(world, users, api, clock, django_assert_max_num_queries):
    client = api(users["operator"])
    for n in range(8):
        point = services.do_save_point(
            None, estate=world["west"], name=f"秀康{n}号点", kind=PointKind.TIMED
        )
        services.do_set_windows(point, None, [("07:00", "09:00")])
        services.do_change_point_state(point, None, PointState.IN_USE)
        services.do_inspect(
            users["operator"],
            estate=world["west"],
            scores={i["item"]: i["points"] for i in full_marks()},
            now=local(2026, 11, 1 + n, 10),
        )
    assert DropOffPoint.objects.count() == 9
    for path in ("/api/sorting/points/", "/api/sorting/inspections/", "/api/sorting/shifts/"):
        with django_assert_max_num_queries(8):
            assert client.get(path).status_code == 200
