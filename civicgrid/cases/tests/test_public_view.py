"""GET /api/cases/<number>/ and the list for a case's reporter: the residents' page's public view
(no staff, departments, grids, notes or deadlines); staff who see the case through their work
keep the full view; the OpenAPI document names both shapes."""

import json

import pytest
from django.urls import reverse

from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.testing.world import IN_MICRO

LIST = "/api/cases/"
PUBLIC_LIST_FIELDS = {
    "view",
    "number",
    "status",
    "status_display",
    "is_suspended",
    "category_name",
    "description",
    "address",
    "reporter_phone",
    "is_anonymous",
    "reported_at",
    "rating",
}
PUBLIC_FIELDS = PUBLIC_LIST_FIELDS | {
    "filed_at",
    "handled_at",
    "closed_at",
    "handling_result",
    "rating_comment",
    "rated_at",
    "timeline",
    "allowed_actions",
}
INTERNAL = {
    "history",
    "extensions",
    "call_ins",
    "department",
    "micro_grid_code",
    "micro_grid_name",
    "source",
    "reporter_name",
    "reporter_email",
    "filing_deadline",
    "handling_deadline",
    "verification_deadline",
    "warning_level",
    "suspension_reason",
    "merged_into",
    "external_ticket",
}


@pytest.fixture
def closed_case(api, users, garbage, departments, clock):
    """A resident's report taken through the whole loop by staff with notes and names."""
    users["operator"].first_name, users["operator"].last_name = "磊", "张"
    users["operator"].save()
    users["handler"].first_name, users["handler"].last_name = "强", "李"
    users["handler"].save()
    response = api(users["resident"]).post(
        LIST,
        {
            "category": garbage.pk,
            "description": "楼下暴露垃圾",
            "lon": IN_MICRO[0][0],
            "lat": IN_MICRO[0][1],
            "reporter_name": "陈敏",
            "reporter_email": "chen@example.com",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    from civicgrid.cases.models import Case

    case = Case.objects.get(number=response.data["number"])
    operator, handler = users["operator"], users["handler"]
    services.do_file(case, operator, note="内部备注:张磊核实 13611112222")
    services.do_dispatch(case, operator, note="请李强处理")
    services.do_accept(case, handler, note="李强接单")
    services.do_handle(
        case, handler, result="李强已清运,陈敏家(5号楼302室)门口已清理,有事打13733334444"
    )
    services.do_verify_pass(case, operator, note="核查通过,张磊")
    return case


def test_a_resident_gets_the_public_view_of_their_case(api, users, closed_case):
    response = api(users["resident"]).get(f"{LIST}{closed_case.number}/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == PUBLIC_FIELDS
    assert not INTERNAL & set(data)
    assert data["view"] == "public" and data["status"] == "closed"
    assert data["reporter_phone"] == "139****5678"
    assert data["handling_result"] == "**已清运,**家(5号楼***室)门口已清理,有事打137****4444"
    assert [step["action"] for step in data["timeline"]] == [
        "report",
        "file",
        "dispatch",
        "accept",
        "handle",
        "verify_pass",
    ]
    assert data["timeline"][2]["label"] == "已派遣至处置单位"
    assert set(data["timeline"][0]) == {"at", "action", "label"}
    assert data["allowed_actions"] == ["rate"]
    text = json.dumps(data, ensure_ascii=False)
    for secret in (
        "operator",
        "handler",
        "张磊",
        "李强",
        "城管中队",
        "内部备注",
        "13611112222",
        "13733334444",
        "302",
        "chen@example.com",
        "陈敏",
    ):
        assert secret not in text, secret


def test_rating_through_the_api_answers_with_the_public_view(api, users, closed_case):
    response = api(users["resident"]).post(
        f"{LIST}{closed_case.number}/rate/", {"rating": "satisfied"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["view"] == "public" and response.data["rating"] == "satisfied"
    assert response.data["timeline"][-1] == {
        "at": response.data["timeline"][-1]["at"],
        "action": "rate",
        "label": "已评价",
        "rating": "满意",
    }
    assert not INTERNAL & set(response.data)


@pytest.mark.parametrize("role", ["operator", "admin", "leader", "handler", "staff", "worker"])
def test_staff_who_see_the_case_through_their_work_keep_the_full_view(
    api, users, closed_case, role
):
    response = api(users[role]).get(f"{LIST}{closed_case.number}/")
    assert response.status_code == 200
    data = response.data
    assert "view" not in data and "timeline" not in data
    assert data["department"] == "城管中队"
    assert data["history"][1]["actor"] == "operator"
    assert data["history"][1]["note"] == "内部备注:张磊核实 13611112222"
    assert data["handling_result"].startswith("李强已清运")


def test_staff_who_only_reported_a_case_get_the_public_view(
    api, users, garbage, departments, clock
):
    # A department handler reports from their own work; until the case is dispatched to their
    # department they see it only as its reporter.
    handler = users["handler_fg"]
    response = api(handler).post(
        f"{LIST}?full=1",
        {
            "category": garbage.pk,
            "description": "路口暴露垃圾",
            "lon": IN_MICRO[2][0],
            "lat": IN_MICRO[2][1],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    number = response.data["number"]
    assert response.data["view"] == "public"
    services.do_file(Case.objects.get(number=number), users["operator"], note="内部:转城管")
    detail = api(handler).get(f"{LIST}{number}/").data
    assert detail["view"] == "public" and not INTERNAL & set(detail)
    assert "内部" not in json.dumps(detail, ensure_ascii=False)
    # Once it is their department's case, they work on it: the full view.
    case = Case.objects.get(number=number)
    services.do_dispatch(case, users["operator"], department=departments["fg"])
    detail = api(handler).get(f"{LIST}{number}/").data
    assert "history" in detail and detail["department"] == "房管办"


def test_a_residents_list_has_the_public_rows(api, users, closed_case, garbage, clock):
    rows = api(users["resident"]).get(LIST).data["results"]
    assert [r["number"] for r in rows] == [closed_case.number]
    assert set(rows[0]) == PUBLIC_LIST_FIELDS and rows[0]["view"] == "public"
    assert rows[0]["reporter_phone"] == "139****5678"
    # Another resident sees nothing of it.
    assert api(users["resident2"]).get(LIST).data["results"] == []
    assert api(users["resident2"]).get(f"{LIST}{closed_case.number}/").status_code == 404
    # Staff lists are unchanged.
    staff_rows = api(users["operator"]).get(LIST).data["results"]
    assert staff_rows[0]["department"] == "城管中队" and "view" not in staff_rows[0]


def test_public_tracking_by_token_masks_the_handling_result(api, closed_case):
    data = api().get(f"/api/cases/track/{closed_case.public_token}/").data
    assert data["handling_result"] == "**已清运,**家(5号楼***室)门口已清理,有事打137****4444"


def test_openapi_documents_both_shapes(api, users):
    response = api(users["operator"]).get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    components = schema["components"]["schemas"]

    def refs(name):
        return {item["$ref"].rsplit("/", 1)[1] for item in components[name]["oneOf"]}

    assert refs("CaseDetailOrPublic") == {"CaseDetail", "PublicCase"}
    assert refs("CaseListOrPublic") == {"CaseList", "PublicCaseList"}
    view = components["PublicCase"]["properties"]["view"]
    if "allOf" in view:  # drf-spectacular names the enum as a component of its own
        view = components[view["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert view["enum"] == ["public"]
    assert "view" in components["PublicCase"]["required"]
    detail = schema["paths"]["/api/cases/{number}/"]["get"]["responses"]["200"]
    assert detail["content"]["application/json"]["schema"]["$ref"].endswith("CaseDetailOrPublic")
    rate = schema["paths"]["/api/cases/{number}/rate/"]["post"]["responses"]["200"]
    assert rate["content"]["application/json"]["schema"]["$ref"].endswith("CaseDetailOrPublic")
    listing = schema["paths"]["/api/cases/"]["get"]["responses"]["200"]
    page = listing["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    rows = components[page]["properties"]["results"]
    assert rows["type"] == "array" and rows["items"]["$ref"].endswith("/CaseListOrPublic")


def _as_json_schema(node):
    """An OpenAPI 3.0 schema fragment as JSON Schema (nullable → null allowed, refs local)."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/definitions/")
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_every_answer_matches_exactly_one_documented_shape(api, users, closed_case):
    from jsonschema import Draft7Validator

    schema = json.loads(api(users["operator"]).get(reverse("schema"), {"format": "json"}).content)
    definitions = _as_json_schema(schema["components"]["schemas"])

    def check(name, data):
        # oneOf: a public answer must not also pass as the full one, nor the other way round.
        Draft7Validator({"$ref": f"#/definitions/{name}", "definitions": definitions}).validate(
            data
        )

    url = f"{LIST}{closed_case.number}/"
    for role in ("resident", "operator", "handler", "worker"):
        check("CaseDetailOrPublic", json.loads(api(users[role]).get(url).content))
        check("PaginatedCaseListOrPublicList", json.loads(api(users[role]).get(LIST).content))
    rated = api(users["resident"]).post(url + "rate/", {"rating": "satisfied"}, format="json")
    assert rated.status_code == 200
    check("CaseDetailOrPublic", json.loads(rated.content))
