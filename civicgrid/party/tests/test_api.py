"""The party API: lists scoped and phones masked, an organisation created through the service
(the one-organisation rule a 400 with nothing saved), meetings recorded (bad input 400), the
coverage and completion figures, the public service points, and flat query counts."""

import pytest

from civicgrid.party import services
from civicgrid.party.models import LifeMeeting, Organisation

pytestmark = pytest.mark.django_db


def test_lists_are_scoped_and_phones_masked(party, api, users):
    staff = api(users["staff"])
    rows = staff.get("/api/party/members/").json()["results"]
    assert [(r["name"], r["phone"]) for r in rows] == [("张建国", "139****2222")]
    assert api(users["staff2"]).get("/api/party/members/").json()["results"] == []
    names = {r["short_name"] for r in staff.get("/api/party/organisations/").json()["results"]}
    assert party["groups"][0].short_name in names
    assert party["groups"][2].short_name not in names
    assert api(users["resident"]).get("/api/party/organisations/").status_code == 403
    assert api().get("/api/party/organisations/").status_code in (401, 403)


def test_creating_an_organisation(party, api, users, tree):
    body = {
        "name": "第1居委第1网格第二党小组",
        "short_name": "第二党小组",
        "level": "group",
        "sector": "residential",
        "parent": party["branches"][0].pk,
        "grid": tree["micro_grids"][0].pk,
        "started_on": "2025-01-01",
    }
    before = Organisation.objects.count()
    answer = api(users["admin"]).post("/api/party/organisations/", body, format="json")
    assert answer.status_code == 400
    assert "每个微网格只设一个党组织" in answer.json()["grid"][0]
    answer = api(users["admin"]).post(
        "/api/party/organisations/", {**body, "level": "nonsense"}, format="json"
    )
    assert answer.status_code == 400 and "level" in answer.json()
    assert Organisation.objects.count() == before
    answer = api(users["staff"]).post(
        "/api/party/organisations/",
        {**body, "grid": tree["micro_grids"][3].pk, "parent": party["branches"][0].pk},
        format="json",
    )
    assert answer.status_code == 403
    answer = api(users["staff2"]).post(
        "/api/party/organisations/",
        {**body, "grid": tree["micro_grids"][3].pk, "parent": party["branches"][1].pk},
        format="json",
    )
    assert answer.status_code == 201
    assert services.coverage()["uncovered"] == []


def test_recording_a_meeting(party, api, users):
    body = {
        "organisation": party["groups"][0].pk,
        "kind": "group_meeting",
        "held_on": "2026-11-02",
        "topic": "学习",
        "expected": 8,
        "attended": 9,
    }
    answer = api(users["worker"]).post("/api/party/life/", {**body, "attended": 8}, format="json")
    assert answer.status_code == 403
    client = api(users["staff"])
    answer = client.post("/api/party/life/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["attended"] == ["实到人数不能多于应到人数"]
    answer = client.post(
        "/api/party/life/", {**body, "organisation": party["groups"][2].pk}, format="json"
    )
    assert answer.status_code == 400 and "organisation" in answer.json()
    assert not LifeMeeting.objects.exists()
    answer = client.post("/api/party/life/", {**body, "attended": 8}, format="json")
    assert answer.status_code == 201
    assert answer.json()["attended"] == 8
    rows = client.get("/api/party/completion/?year=2026").json()
    mine = next(r for r in rows if r["organisation"] == party["groups"][0].pk)
    assert mine["kinds"] == {"group_meeting": [1, 11]}
    assert client.get("/api/party/completion/?year=1999").status_code == 400


def test_coverage_and_public_points(party, api, users, tree):
    answer = api(users["admin"]).get("/api/party/coverage/").json()
    assert (answer["micro_grids"], answer["covered"]) == (4, 3)
    assert answer["uncovered"] == [tree["micro_grids"][3].pk]
    services.do_save_service_point(
        {
            "name": "站",
            "tier": "station",
            "address": "某路1号",
            "hours": "9:00–17:00",
            "lat": 31.1,
            "lng": 121.5,
        }
    )
    rows = api().get("/api/party/points/").json()["results"]
    assert [r["name"] for r in rows] == ["站"]


def test_member_list_queries_stay_flat(party, api, users, django_assert_max_num_queries):
    client = api(users["admin"])
    client.get("/api/party/members/")
    services.do_register_members_many(party["groups"][0], [{"name": f"党员{i}"} for i in range(30)])
    with django_assert_max_num_queries(8):
        assert client.get("/api/party/members/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/party/organisations/").status_code == 200
