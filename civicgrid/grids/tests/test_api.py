import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from civicgrid.accounts.choices import Role
from civicgrid.grids.choices import Duty, PostRole
from civicgrid.grids.models import Grid, GridPost, StaffMember
from civicgrid.testing.factories import StaffMemberFactory, UserFactory, assign_post, make_tree
from civicgrid.testing.geojson import sample_collection

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def upload(data, name="tree.geojson"):
    payload = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, payload, content_type="application/geo+json")


def test_grid_list_filters_and_detail_geometry():
    tree = make_tree()
    api = client_for(UserFactory(role=Role.OPERATOR))
    rows = results(api.get("/api/grids/", {"level": "micro_grid"}))
    assert [r["code"] for r in rows] == [g.code for g in tree["micro_grids"]]
    assert "geometry" not in rows[0]
    assert rows[0]["parent_code"] == tree["communities"][0].code
    assert rows[0]["level_display"] == "微网格"
    rows = results(api.get("/api/grids/", {"parent": tree["communities"][1].code}))
    assert {r["code"] for r in rows} == {g.code for g in tree["micro_grids"][2:]}
    rows = results(api.get("/api/grids/", {"code_prefix": "310115125002"}))
    assert len(rows) == 1 + 2 + 4
    rows = results(
        api.get("/api/grids/", {"within": tree["communities"][0].code, "level": "building_group"})
    )
    assert len(rows) == 4
    detail = api.get(f"/api/grids/{tree['micro_grids'][0].code}/")
    assert detail.status_code == 200
    assert detail.json()["geometry"]["type"] == "Polygon"
    assert api.get("/api/grids/310115125999/").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.LEADER, 16),
        (Role.COMMUNITY_STAFF, 1 + 1 + 1 + 2 + 4),  # ancestors + own community subtree
        (Role.GRID_WORKER, 1 + 1 + 1 + 1 + 2),  # ancestors + own micro-grid + building groups
        (Role.RESIDENT, 0),
        (Role.DEPT_HANDLER, 0),
    ],
)
def test_grid_api_is_scoped_by_role(role, expected):
    tree = make_tree()
    user = UserFactory(
        role=role, community=tree["communities"][1] if role == Role.COMMUNITY_STAFF else None
    )
    if role == Role.GRID_WORKER:
        assign_post(user, tree["micro_grids"][3])
    api = client_for(user)
    rows = results(api.get("/api/grids/", {"limit": 100}))
    assert len(rows) == expected
    hidden = tree["micro_grids"][0].code
    status = api.get(f"/api/grids/{hidden}/").status_code
    assert status == (200 if role == Role.LEADER else 404)
    exported = api.get("/api/grids/geojson/").json()
    assert len(exported["features"]) == expected
    if role != Role.LEADER:
        assert api.get("/api/grids/geojson/", {"root": hidden}).status_code == 404


def test_grid_list_has_no_n_plus_one(django_assert_max_num_queries):
    make_tree(communities=4, micro_per_community=4, groups_per_micro=3)
    for role in (Role.OPERATOR, Role.GRID_WORKER):
        user = UserFactory(role=role)
        if role == Role.GRID_WORKER:
            for micro in Grid.objects.filter(level="micro_grid")[:3]:
                assign_post(user, micro)
        api = client_for(user)
        with django_assert_max_num_queries(6):
            rows = results(api.get("/api/grids/", {"limit": 100}))
        assert len(rows) > 10


def test_unauthenticated_is_refused():
    make_tree()
    assert APIClient().get("/api/grids/").status_code == 403


def test_geojson_export_round_trips_through_import_endpoint():
    admin = UserFactory(role=Role.ADMIN)
    api = client_for(admin)
    response = api.post(
        "/api/grids/import/", {"file": upload(sample_collection())}, format="multipart"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["saved"] and body["created"] == 12 and body["problems"] == []
    exported = api.get("/api/grids/geojson/", {"root": "310115125001"}).json()
    assert exported["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in exported["features"]][0] == "310115125001"
    assert len(exported["features"]) == 5


def test_import_endpoint_reports_every_problem_with_400():
    api = client_for(UserFactory(role=Role.ADMIN))
    data = sample_collection()
    data["features"][3]["geometry"] = None
    data["features"][5]["properties"]["code"] = "310115125001003"
    data["features"][5]["properties"]["number"] = 2
    response = api.post("/api/grids/import/", {"file": upload(data)}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert not body["saved"] and body["fatal"]
    indices = {p["index"] for p in body["problems"] if p["severity"] == "error"}
    assert {3, 5} <= indices
    assert all(set(p) == {"index", "code", "name", "severity", "message"} for p in body["problems"])
    assert Grid.objects.count() == 0

    bad = api.post("/api/grids/import/", {"file": upload(b"{oops")}, format="multipart")
    assert bad.status_code == 400 and "JSON 格式错误" in bad.json()["problems"][0]["message"]
    missing = api.post("/api/grids/import/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()


def test_import_endpoint_dry_run_and_admin_only():
    data = sample_collection()
    operator = client_for(UserFactory(role=Role.OPERATOR))
    assert (
        operator.post("/api/grids/import/", {"file": upload(data)}, format="multipart").status_code
        == 403
    )
    api = client_for(UserFactory(role=Role.ADMIN))
    response = api.post(
        "/api/grids/import/", {"file": upload(data), "dry_run": "true"}, format="multipart"
    )
    assert (
        response.status_code == 200 and response.json()["dry_run"] and not response.json()["saved"]
    )
    assert Grid.objects.count() == 0


def test_staffing_summary_endpoint():
    tree = make_tree()
    micro = tree["micro_grids"][0]
    GridPost.objects.create(
        staff=StaffMemberFactory(), micro_grid=micro, role=PostRole.LEADER, start_date="2024-01-01"
    )
    GridPost.objects.create(
        staff=StaffMemberFactory(),
        micro_grid=micro,
        role=PostRole.FULL_TIME,
        start_date="2024-01-01",
    )
    api = client_for(UserFactory(role=Role.LEADER))
    body = api.get(
        f"/api/grids/{tree['communities'][0].code}/staffing/", {"on": "2024-06-01"}
    ).json()
    assert body["micro_grid_count"] == 2
    assert body["micro_grids"][0]["label"] == "1+1+0"
    assert body["totals"]["leader"] == 1
    assert api.get(f"/api/grids/{micro.code}/staffing/", {"on": "bad"}).status_code == 400
    bg = tree["building_groups"][0]
    assert api.get(f"/api/grids/{bg.code}/staffing/").status_code == 400


def test_renumber_endpoint_is_for_admin_and_operator():
    tree = make_tree()
    community = tree["communities"][0]
    assert (
        client_for(UserFactory(role=Role.LEADER))
        .post(f"/api/grids/{community.code}/renumber/")
        .status_code
        == 403
    )
    api = client_for(UserFactory(role=Role.OPERATOR))
    response = api.post(f"/api/grids/{community.code}/renumber/")
    assert response.status_code == 200
    assert [r["code"] for r in response.json()] == [g.code for g in tree["micro_grids"][:2]]
    assert api.post(f"/api/grids/{tree['micro_grids'][0].code}/renumber/").status_code == 400


def test_posts_are_scoped_and_written_through_services():
    tree = make_tree()
    m0, m3 = tree["micro_grids"][0], tree["micro_grids"][3]
    worker = UserFactory(role=Role.GRID_WORKER)
    assign_post(worker, m3)
    GridPost.objects.create(
        staff=StaffMemberFactory(), micro_grid=m0, role=PostRole.PIONEER, start_date="2024-01-01"
    )
    rows = results(client_for(worker).get("/api/grids/posts/"))
    assert [r["micro_grid"] for r in rows] == [m3.code]
    # Grid workers read, they do not write.
    assert client_for(worker).post("/api/grids/posts/", {}).status_code == 403
    assert client_for(UserFactory(role=Role.RESIDENT)).get("/api/grids/posts/").status_code == 403

    operator = client_for(UserFactory(role=Role.OPERATOR))
    staff = StaffMemberFactory()
    payload = {
        "micro_grid": m0.code,
        "staff": staff.pk,
        "role": "leader",
        "start_date": "2024-01-01",
    }
    created = operator.post("/api/grids/posts/", payload, format="json")
    assert created.status_code == 201, created.content
    second = operator.post(
        "/api/grids/posts/", {**payload, "staff": StaffMemberFactory().pk}, format="json"
    )
    assert second.status_code == 400 and "只能有一名网格长" in json.dumps(
        second.json(), ensure_ascii=False
    )
    on_community = operator.post(
        "/api/grids/posts/", {**payload, "micro_grid": tree["communities"][0].code}, format="json"
    )
    assert on_community.status_code == 400 and "只能设在微网格" in json.dumps(
        on_community.json(), ensure_ascii=False
    )
    post_id = created.json()["id"]
    early = operator.post(
        f"/api/grids/posts/{post_id}/end/", {"end_date": "2023-01-01"}, format="json"
    )
    assert early.status_code == 400
    ended = operator.post(
        f"/api/grids/posts/{post_id}/end/", {"end_date": "2024-12-31"}, format="json"
    )
    assert ended.status_code == 200 and ended.json()["end_date"] == "2024-12-31"
    assert GridPost.objects.get(pk=post_id).end_date == datetime.date(2024, 12, 31)


def test_staff_members_scoped_masked_and_validated():
    tree = make_tree()
    worker = UserFactory(role=Role.GRID_WORKER)
    assign_post(worker, tree["micro_grids"][3])
    colleague = StaffMemberFactory(phone="13912345678")
    GridPost.objects.create(
        staff=colleague,
        micro_grid=tree["micro_grids"][3],
        role=PostRole.PIONEER,
        start_date="2024-01-01",
    )
    StaffMemberFactory(name="别处的人")
    names = {r["name"] for r in results(client_for(worker).get("/api/grids/staff/"))}
    assert names == {worker.username, colleague.name}

    leader_rows = results(client_for(UserFactory(role=Role.LEADER)).get("/api/grids/staff/"))
    shown = {r["name"]: r for r in leader_rows}
    assert shown[colleague.name]["phone"] == "139****5678"  # leaders look, with masked phones
    assert shown[colleague.name]["active_posts"][0]["micro_grid"] == tree["micro_grids"][3].code

    operator = client_for(UserFactory(role=Role.OPERATOR))
    created = operator.post(
        "/api/grids/staff/",
        {"name": "张敏", "phone": "13800000000", "duties": [Duty.MEDIATION, Duty.INFORMATION]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "138****0000"
    assert created.json()["duties"] == [Duty.INFORMATION, Duty.MEDIATION]
    assert created.json()["duties_display"] == ["信息采集员", "矛盾纠纷调解员"]
    bad = operator.post("/api/grids/staff/", {"name": "x", "duties": ["cook"]}, format="json")
    assert bad.status_code == 400 and "duties" in bad.json()
    assert StaffMember.objects.filter(name="张敏").get().phone == "13800000000"


def test_staff_list_has_no_n_plus_one(django_assert_max_num_queries):
    tree = make_tree(communities=3, micro_per_community=3)
    for micro in tree["micro_grids"]:
        for role in (PostRole.LEADER, PostRole.FULL_TIME):
            GridPost.objects.create(
                staff=StaffMemberFactory(), micro_grid=micro, role=role, start_date="2024-01-01"
            )
    api = client_for(UserFactory(role=Role.OPERATOR))
    with django_assert_max_num_queries(6):
        rows = results(api.get("/api/grids/staff/", {"limit": 100}))
    assert len(rows) == 18
    with django_assert_max_num_queries(6):
        assert len(results(api.get("/api/grids/posts/", {"limit": 100}))) == 18


def test_schema_generates_without_warnings_for_grid_views():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/grids/{code}/staffing/" in schema["paths"]
    assert "/api/grids/import/" in schema["paths"]
    messages = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    mine = [m for m in messages if "grids" in m or "Grid" in m or "Staff" in m]
    assert mine == []


def test_staff_phones_are_masked_for_every_role_and_each_full_view_is_logged():
    from civicgrid.grids.models import StaffPhoneAccess

    tree = make_tree()
    worker = UserFactory(role=Role.GRID_WORKER)
    assign_post(worker, tree["micro_grids"][3])
    pioneer = StaffMemberFactory(phone="13912345678", name="志愿者先锋")
    GridPost.objects.create(
        staff=pioneer,
        micro_grid=tree["micro_grids"][3],
        role=PostRole.PIONEER,
        start_date="2024-01-01",
    )
    elsewhere = StaffMemberFactory(phone="13700001111")
    GridPost.objects.create(
        staff=elsewhere,
        micro_grid=tree["micro_grids"][0],
        role=PostRole.PIONEER,
        start_date="2024-01-01",
    )
    for role in (Role.OPERATOR, Role.ADMIN, Role.LEADER):
        response = client_for(UserFactory(role=role)).get("/api/grids/staff/", {"limit": 500})
        assert "13912345678" not in response.content.decode()
    api = client_for(worker)
    assert "13912345678" not in api.get("/api/grids/staff/").content.decode()
    assert not StaffPhoneAccess.objects.exists()

    shown = api.post(f"/api/grids/staff/{pioneer.pk}/reveal-phone/")
    assert shown.status_code == 200 and shown.json() == {"phone": "13912345678"}
    log = StaffPhoneAccess.objects.get()
    assert log.user == worker and log.staff == pioneer and log.channel == "api"
    # Outside the worker's grids: not found; a leader may not see full phones at all.
    assert api.post(f"/api/grids/staff/{elsewhere.pk}/reveal-phone/").status_code == 404
    leader = client_for(UserFactory(role=Role.LEADER))
    assert leader.post(f"/api/grids/staff/{pioneer.pk}/reveal-phone/").status_code == 403
    assert StaffPhoneAccess.objects.count() == 1


def test_a_grid_worker_sees_staffing_totals_of_their_own_grids_only():
    tree = make_tree()
    worker = UserFactory(role=Role.GRID_WORKER)
    assign_post(worker, tree["micro_grids"][0])
    for micro in tree["micro_grids"]:
        for _ in range(3):
            GridPost.objects.create(
                staff=StaffMemberFactory(),
                micro_grid=micro,
                role=PostRole.PIONEER,
                start_date="2024-01-01",
            )
    street = tree["street"]
    body = client_for(worker).get(f"/api/grids/{street.code}/staffing/").json()
    assert body["micro_grid_count"] == 1
    assert [r["code"] for r in body["micro_grids"]] == [tree["micro_grids"][0].code]
    assert body["totals"]["pioneer"] == 3
    assert body["totals"]["people"] == 4  # the worker and the three pioneers of their grid
    whole = (
        client_for(UserFactory(role=Role.OPERATOR))
        .get(f"/api/grids/{street.code}/staffing/")
        .json()
    )
    assert whole["micro_grid_count"] == len(tree["micro_grids"])
    assert whole["totals"]["pioneer"] == 3 * len(tree["micro_grids"])


def test_a_staff_member_whose_phone_was_viewed_cannot_be_deleted():
    from civicgrid.grids.models import StaffPhoneAccess

    operator = UserFactory(role=Role.OPERATOR)
    person = StaffMemberFactory(phone="13912345678")
    api = client_for(operator)
    assert api.post(f"/api/grids/staff/{person.pk}/reveal-phone/").status_code == 200
    response = api.delete(f"/api/grids/staff/{person.pk}/")
    assert response.status_code == 400
    assert "查看记录须保留" in response.json()["detail"]
    assert StaffMember.objects.filter(pk=person.pk).exists()
    assert StaffPhoneAccess.objects.filter(staff=person).count() == 1
