"""The case REST API: intake validation, 12345 idempotency, actions, scoping, query counts."""

import pytest
from django.urls import reverse

from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.world import IN_MICRO, OUTSIDE, category

LIST = "/api/cases/"


def body(cat, point=IN_MICRO[0], **extra):
    return {
        "category": cat.pk,
        "description": "人行道上堆满建筑垃圾",
        "lon": point[0],
        "lat": point[1],
        **extra,
    }


def test_intake_locates_and_masks_the_phone(api, users, garbage, clock):
    # The full view on request (the default answer is the number, state and link).
    response = api(users["resident"]).post(f"{LIST}?full=1", body(garbage), format="json")
    assert response.status_code == 201, response.data
    data = response.data
    # The resident gets the residents' page's view of their own case.
    assert data["view"] == "public" and data["status"] == "reported"
    assert data["reporter_phone"] == "139****5678"
    assert data["number"].startswith("20261123") and len(data["number"]) == 13
    assert [step["action"] for step in data["timeline"]] == ["report"]
    case = Case.objects.get(number=data["number"])
    assert case.source == "resident" and case.micro_grid is not None
    assert not case.needs_manual_location


def test_intake_outside_every_grid_is_accepted_and_flagged(api, users, garbage, clock):
    response = api(users["operator"]).post(
        LIST,
        body(garbage, OUTSIDE, source="supervision"),
        format="json",
        HTTP_PREFER="return=representation",
    )
    assert response.status_code == 201, response.data
    assert response.data["needs_manual_location"] is True
    assert response.data["micro_grid_code"] is None
    assert response.data["source"] == "supervision"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"category": None}, "category", "请选择问题类别"),
        ({"category": 999999}, "category", "不存在"),
        ({"category": "top"}, "category", "请选择具体小类"),
        ({"description": "  "}, "description", "问题描述"),
        ({"description": "x" * (5 * 1024 * 1024)}, "description", "不能超过"),
        ({"lon": 200}, "lon", "经度"),
        ({"lon": None}, "lon", "同时填写"),
        ({"reporter_phone": "call me"}, "reporter_phone", "格式"),
        ({"source": "hotline_12345"}, "source", "不能以"),
    ],
)
def test_bad_intake_is_a_400_and_writes_nothing(api, users, garbage, clock, change, field, message):
    data = body(garbage)
    if change.get("category") == "top":
        change = {"category": garbage.parent_id}
    data.update(change)
    if data.get("category") is None:
        data.pop("category")
    response = api(users["resident"]).post(LIST, data, format="json")
    assert response.status_code == 400
    assert field in response.data, response.data
    assert message in str(response.data[field])
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_body_over_the_upload_limit_is_a_clear_400(api, users, garbage, clock, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    data = body(garbage, description="脏" * (1024 * 1024))  # 3 MB of UTF-8
    response = api(users["resident"]).post(LIST, data, format="json")
    assert response.status_code == 400 and "请求内容过大" in response.data["detail"]
    assert Case.objects.count() == 0


def test_hotline_push_is_idempotent(api, users, garbage, clock):
    push = body(garbage, ticket="SH12345-20261123-0001", hotline_request_type="help")
    client = api(users["operator"])
    first = client.post("/api/cases/hotline/", push, format="json")
    assert first.status_code == 201, first.data
    assert first.data["source"] == "hotline_12345"
    events = CaseEvent.objects.count()
    again = client.post("/api/cases/hotline/", {**push, "description": "改了描述"}, format="json")
    assert again.status_code == 200
    assert again.data["number"] == first.data["number"]
    assert again.data["description"] == first.data["description"]
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == events
    # Only the hotline's account may push; a ticket number is required.
    assert (
        api(users["resident"]).post("/api/cases/hotline/", push, format="json").status_code == 403
    )
    missing = client.post("/api/cases/hotline/", body(garbage), format="json")
    assert missing.status_code == 400 and "ticket" in missing.data


def test_actions_through_the_api(api, users, garbage, departments, clock):
    number = api(users["resident"]).post(LIST, body(garbage), format="json").data["number"]
    url = f"/api/cases/{number}/"
    operator, handler = api(users["operator"]), api(users["handler"])

    refused = api(users["resident"]).post(url + "file/", {}, format="json")
    assert refused.status_code == 403 and "不能对案件执行" in refused.data["detail"]
    conflict = operator.post(url + "verify-pass/", {}, format="json")
    assert conflict.status_code == 409 and "待受理" in conflict.data["detail"]
    # The handler does not even see a case not dispatched to them.
    assert handler.post(url + "accept/", {}, format="json").status_code == 404

    assert operator.post(url + "file/", {"note": "属实"}, format="json").status_code == 200
    no_reason = operator.post(url + "suspend/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "挂起原因" in str(no_reason.data)
    response = operator.post(url + "dispatch/", {}, format="json")
    assert response.status_code == 200 and response.data["department"] == "城管中队"
    assert handler.get(url).data["allowed_actions"] == [
        "accept",
        "return",
        "request_extension",
        "first_contact",
    ]
    assert handler.post(url + "accept/", {}, format="json").status_code == 200
    assert handler.post(url + "handle/", {"result": "已清运"}, format="json").status_code == 200
    assert operator.post(url + "verify-pass/", {}, format="json").status_code == 200
    rated = api(users["resident"]).post(url + "rate/", {"rating": "satisfied"}, format="json")
    assert rated.status_code == 200
    assert rated.data["status"] == "closed" and rated.data["rating"] == "satisfied"
    steps = ["report", "file", "dispatch", "accept", "handle", "verify_pass", "rate"]
    # The resident sees the steps in public words; staff see who did what.
    assert [step["action"] for step in rated.data["timeline"]] == steps
    assert "history" not in rated.data
    history = operator.get(url).data["history"]
    assert [h["action"] for h in history] == steps
    assert history[1]["actor"] == "operator"


def test_merge_and_call_in_through_the_api(api, users, garbage, departments, clock):
    resident = api(users["resident"])
    master = resident.post(LIST, body(garbage), format="json").data["number"]
    duplicate = resident.post(LIST, body(garbage), format="json").data["number"]
    operator = api(users["operator"])
    chief = api(users["chief"])
    # Merging is the 值班长's: the 受理/派遣员 is refused and nothing changes.
    refused = operator.post(f"/api/cases/{duplicate}/merge/", {"master": master}, format="json")
    assert refused.status_code == 403
    assert resident.get(f"/api/cases/{duplicate}/").data["status"] == "reported"
    unknown = chief.post(f"/api/cases/{duplicate}/merge/", {"master": "1"}, format="json")
    assert unknown.status_code == 400 and "不存在" in str(unknown.data)
    merged = chief.post(f"/api/cases/{duplicate}/merge/", {"master": master}, format="json")
    assert merged.status_code == 200 and merged.data["merged_into"] == master
    operator.post(f"/api/cases/{master}/file/", {}, format="json")
    operator.post(f"/api/cases/{master}/dispatch/", {}, format="json")
    staff = api(users["staff"])
    started = staff.post(
        f"/api/cases/{master}/call-in/",
        {"reason": "需多部门会商", "departments": [departments["cg"].pk, departments["fg"].pk]},
        format="json",
    )
    assert started.status_code == 200, started.data
    call_in = started.data["call_ins"][0]
    assert sorted(call_in["departments"]) == ["城管中队", "房管办"]
    done = operator.post(
        f"/api/cases/{master}/call-in-outcome/",
        {"call_in": call_in["id"], "outcome": "城管牵头清运"},
        format="json",
    )
    assert done.status_code == 200 and done.data["call_ins"][0]["status"] == "concluded"


def test_public_tracking_and_rating_by_token(api, users, garbage, clock):
    case = services.do_report(
        user=users["operator"],
        category=garbage,
        description="匿名反映",
        source="resident",
        is_anonymous=True,
        reporter_phone="13700000000",
    ).case
    anonymous = api()
    track = anonymous.get(f"/api/cases/track/{case.public_token}/")
    assert track.status_code == 200 and track.data["status"] == "reported"
    assert "reporter_phone" not in track.data
    assert anonymous.get("/api/cases/track/not-a-token/").status_code == 404
    early = anonymous.post(
        f"/api/cases/track/{case.public_token}/rate/", {"rating": "satisfied"}, format="json"
    )
    assert early.status_code == 409
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"])
    services.do_accept(case, users["handler"])
    services.do_handle(case, users["handler"], result="已清理")
    services.do_verify_pass(case, users["operator"])
    rated = anonymous.post(
        f"/api/cases/track/{case.public_token}/rate/", {"rating": "basically"}, format="json"
    )
    assert rated.status_code == 200 and rated.data["rating"] == "basically"


def test_anonymous_resident_report_needs_a_phone(api, users, garbage, clock):
    users["resident"].phone = ""
    users["resident"].save()
    response = api(users["resident"]).post(LIST, body(garbage, is_anonymous=True), format="json")
    assert response.status_code == 400 and "联系电话" in str(response.data["reporter_phone"])


@pytest.fixture
def spread(users, garbage, departments, clock):
    """Cases in micro-grids 0, 1, 2 and one outside every grid."""
    c0 = services.do_report(
        user=users["resident"],
        category=garbage,
        description="a",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    services.do_file(c0, users["operator"])
    services.do_dispatch(c0, users["operator"])
    c1 = services.do_report(
        user=users["gridleader"],
        category=garbage,
        description="b",
        lon=IN_MICRO[1][0],
        lat=IN_MICRO[1][1],
    ).case
    c2 = services.do_report(
        user=users["resident2"],
        category=garbage,
        description="c",
        lon=IN_MICRO[2][0],
        lat=IN_MICRO[2][1],
    ).case
    c3 = services.do_report(
        user=users["operator"], category=garbage, description="d", lon=OUTSIDE[0], lat=OUTSIDE[1]
    ).case
    return {"c0": c0.number, "c1": c1.number, "c2": c2.number, "c3": c3.number}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("operator", {"c0", "c1", "c2", "c3"}),
        ("admin", {"c0", "c1", "c2", "c3"}),
        ("leader", {"c0", "c1", "c2", "c3"}),
        ("staff", {"c0", "c1"}),
        ("staff2", {"c2"}),
        ("worker", {"c0"}),
        ("worker2", {"c2"}),
        ("gridleader", {"c1"}),
        ("handler", {"c0"}),
        ("handler_fg", set()),
        ("resident", {"c0"}),
        ("resident2", {"c2"}),
    ],
)
def test_list_is_scoped_by_role(api, users, spread, who, expected):
    response = api(users[who]).get(LIST)
    assert response.status_code == 200
    numbers = {row["number"] for row in response.data["results"]}
    assert numbers == {spread[k] for k in expected}
    # Detail follows the same scope.
    for key, number in spread.items():
        status = api(users[who]).get(f"/api/cases/{number}/").status_code
        assert status == (200 if key in expected else 404)


def test_list_filters(api, users, spread):
    client = api(users["operator"])
    assert {r["number"] for r in client.get(LIST + "?status=dispatched").data["results"]} == {
        spread["c0"]
    }
    manual = client.get(LIST + "?needs_manual_location=true").data["results"]
    assert [r["number"] for r in manual] == [spread["c3"]]


def test_list_and_detail_have_no_n_plus_1(
    api, users, garbage, departments, clock, django_assert_max_num_queries
):
    for i in range(25):
        case = services.do_report(
            user=users["resident"],
            category=garbage,
            description=f"第{i}件",
            lon=IN_MICRO[i % 4][0],
            lat=IN_MICRO[i % 4][1],
        ).case
        services.do_file(case, users["operator"])
        services.do_dispatch(case, users["operator"])
    for who, limit in [
        ("operator", 2),
        ("staff", 3),
        ("worker", 2),
        ("handler", 2),
        ("resident", 2),
    ]:
        client = api(users[who])
        with django_assert_max_num_queries(limit):
            response = client.get(LIST)
        assert response.status_code == 200 and response.data["count"] > 0
    services.do_accept(case, users["handler"])
    services.do_request_extension(case, users["handler"], days=1, reason="x")
    with django_assert_max_num_queries(6):
        response = api(users["operator"]).get(f"/api/cases/{case.number}/")
    assert len(response.data["history"]) == 5 and len(response.data["extensions"]) == 1


def test_categories_list(api, users):
    response = api(users["resident"]).get("/api/cases/categories/")
    assert response.status_code == 200
    by_key = {(r["family"], r["code"]): r for r in response.data}
    assert by_key[("event", "0102")]["name"] == "暴露垃圾"
    assert by_key[("event", "0102")]["handling_limit_value"] == 1
    assert by_key[("community", "0111")]["name"] == "违法搭建"
    assert by_key[("community", "0111")]["handling_limit_value"] == 15
    assert by_key[("event", "0401")]["is_urgent"] is True
    assert ("component", "01") in by_key and ("event", "06") in by_key
    assert category("event", "0510").parent.name == "街面秩序"


def test_openapi_schema_lists_the_actions(api, users):
    response = api(users["operator"]).get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"] if hasattr(response, "json") else response.data["paths"]
    assert "/api/cases/{number}/dispatch/" in paths
    assert "/api/cases/hotline/" in paths


def test_reveal_phone_is_role_checked_and_logged(api, users, garbage, clock):
    number = api(users["resident"]).post(LIST, body(garbage), format="json").data["number"]
    url = f"/api/cases/{number}/reveal-phone/"
    response = api(users["operator"]).post(url)
    assert response.status_code == 200 and response.data["reporter_phone"] == "13912345678"
    assert api(users["staff"]).post(url).status_code == 200  # 居委, own community
    assert api(users["staff2"]).post(url).status_code == 404  # not in scope at all
    denied = api(users["leader"]).post(url)
    assert denied.status_code == 403 and "完整电话" in denied.data["detail"]
    log = CaseEvent.objects.filter(case__number=number, action="reveal_phone")
    assert [e.actor.username for e in log.order_by("id")] == ["operator", "staff"]
    assert Case.objects.get(number=number).status == "reported"
