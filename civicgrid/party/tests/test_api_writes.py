"""The party API's writes (issue 16): members (registered, changed, given a post; phones masked
in the answer), star ratings, co-building agreements, the staff's service points and a change of
an organisation with its head — each through its service, a bad body a 400 with the field's
Chinese message and nothing saved, a reader's write a 403."""

import pytest

from civicgrid.party.models import Assignment, CoBuilding, Member, ServicePoint, StarRating

pytestmark = pytest.mark.django_db


def test_members_are_registered_changed_and_posted(party, api, users, tree):
    client = api(users["staff"])
    group = party["groups"][1]
    body = {"organisation": group.pk, "name": "王芳", "phone": "13800001234"}
    bad = client.post("/api/party/members/", body | {"phone": "123"}, format="json")
    assert bad.status_code == 400 and bad.json()["phone"] == ["手机号应为11位数字"]
    assert not Member.objects.filter(name="王芳").exists()
    answer = client.post("/api/party/members/", body, format="json")
    assert answer.status_code == 201 and answer.json()["phone"] == "138****1234"
    pk = answer.json()["id"]
    change = {
        "name": "王芳",
        "work_status": "retired",
        "dual_report_community": tree["communities"][0].pk,
        "dual_report_on": "2026-03-01",
    }
    changed = client.put(f"/api/party/members/{pk}/", change, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["work_status"] == "retired"
    assert Member.objects.get(pk=pk).phone == "13800001234"  # no phone given: kept
    refused = client.post(f"/api/party/members/{pk}/assign/", {"kind": "grid_post"})
    assert refused.status_code == 400 and "started_on" in refused.json()
    post = client.post(
        f"/api/party/members/{pk}/assign/",
        {"kind": "grid_post", "grid": tree["micro_grids"][1].pk, "started_on": "2026-04-01"},
        format="json",
    )
    assert post.status_code == 201 and Assignment.objects.filter(member_id=pk).count() == 1
    assert api(users["leader"]).post("/api/party/members/", body, format="json").status_code == 403


def test_ratings_and_co_buildings(party, api, users):
    client = api(users["admin"])
    rating = {
        "organisation": party["groups"][0].pk,
        "year": 2025,
        "stars": 5,
        "awarded_by": "区委组织部",
        "awarded_on": "2026-01-15",
    }
    assert client.post("/api/party/ratings/", rating, format="json").status_code == 201
    again = client.post("/api/party/ratings/", rating, format="json")
    assert again.status_code == 400 and "年度已有星级评定" in again.json()["year"][0]
    assert StarRating.objects.count() == 1
    body = {
        "organisation": party["town"].pk,
        "title": "企业党建联建协议",
        "partners": [],
        "signed_on": "2026-07-01",
        "projects": ["青年人才公寓"],
    }
    bad = client.post("/api/party/co-buildings/", body, format="json")
    assert bad.status_code == 400 and bad.json()["partners"] == ["请填写共建单位"]
    assert not CoBuilding.objects.exists()
    body["partners"] = ["某科技公司"]
    made = client.post("/api/party/co-buildings/", body, format="json")
    assert made.status_code == 201
    pk = made.json()["id"]
    body["working_group"] = "专项推进组"
    assert client.put(f"/api/party/co-buildings/{pk}/", body, format="json").status_code == 200
    assert CoBuilding.objects.get(pk=pk).working_group == "专项推进组"


def test_service_points_for_the_staff(party, api, users):
    body = {
        "name": "新苗村红色加油站",
        "tier": "point",
        "kind": "red_station",
        "address": "新苗村 1 号",
        "hours": "9:00-17:00",
        "services": ["党员学习"],
        "lat": 40.0,
        "lng": 121.3,
    }
    client = api(users["admin"])
    bad = client.post("/api/party/service-points/", body, format="json")
    assert bad.status_code == 400 and bad.json()["lat"] == ["纬度不在上海范围内"]
    assert not ServicePoint.objects.exists()
    assert (
        api(users["leader"])
        .post("/api/party/service-points/", body | {"lat": 31.2}, format="json")
        .status_code
        == 403
    )
    made = client.post("/api/party/service-points/", body | {"lat": 31.2}, format="json")
    assert made.status_code == 201
    pk = made.json()["id"]
    closed = client.put(
        f"/api/party/service-points/{pk}/", body | {"lat": 31.2, "is_active": False}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["is_active"] is False
    public = api().get("/api/party/points/").json()["results"]
    assert pk not in [p["id"] for p in public]  # a closed point leaves the public map


def test_an_organisation_is_changed_and_the_head_rule_refuses(party, api, users, settings):
    settings.CIVICGRID_PARTY_HEAD_RULE = "refuse"
    from civicgrid.party import services

    group = party["groups"][0]
    other = services.do_register_member(group, {"name": "李华"})
    body = {
        "name": "改过的全称",
        "short_name": group.short_name,
        "level": "group",
        "sector": "residential",
        "parent": party["branches"][0].pk,
        "grid": group.grid_id,
        "started_on": "2020-01-01",
        "secretary": other.pk,
    }
    client = api(users["staff"])
    refused = client.put(f"/api/party/organisations/{group.pk}/", body, format="json")
    assert refused.status_code == 400
    assert "网格长" in refused.json()["secretary"][0]
    group.refresh_from_db()
    assert group.name != "改过的全称" and group.secretary == party["head"]
    body["secretary"] = party["head"].pk
    assert (
        client.put(f"/api/party/organisations/{group.pk}/", body, format="json").status_code == 200
    )
    group.refresh_from_db()
    assert group.name == "改过的全称"
