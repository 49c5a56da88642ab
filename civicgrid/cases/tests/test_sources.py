"""Intake channels 走访 and 物业报修: who may report from them."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.cases.models import Case
from civicgrid.testing.cases import report
from civicgrid.testing.world import IN_MICRO


@pytest.mark.parametrize("key", ["worker", "gridleader", "staff"])
def test_visit_source_for_the_people_who_visit(users, garbage, clock, key):
    point = IN_MICRO[1] if key == "gridleader" else IN_MICRO[0]
    case = report(users[key], garbage, point=point, source="visit")
    assert case.source == "visit"
    assert case.get_source_display() == "走访"


@pytest.mark.parametrize("key", ["staff", "operator", "chief"])
def test_property_repair_source_for_the_desks(users, garbage, clock, key):
    case = report(users[key], garbage, source="property_repair")
    assert case.source == "property_repair"
    assert case.get_source_display() == "物业报修"


@pytest.mark.parametrize(
    ("key", "source", "label"),
    [
        ("resident", "visit", "走访"),
        ("worker", "property_repair", "物业报修"),
        ("handler", "visit", "走访"),
        ("operator", "visit", "走访"),
    ],
)
def test_other_roles_are_refused_the_channel(users, garbage, clock, key, source, label):
    with pytest.raises(ValidationError) as error:
        report(users[key], garbage, source=source)
    assert error.value.message_dict["source"] == [f"您的角色不能以“{label}”渠道上报"]
    assert not Case.objects.exists()


def test_api_report_from_the_property_desk(api, users, garbage, clock):
    body = {
        "category": garbage.pk,
        "description": "3号楼电梯按钮失灵,物管家受理",
        "lon": IN_MICRO[0][0],
        "lat": IN_MICRO[0][1],
        "source": "property_repair",
    }
    response = api(users["staff"]).post("/api/cases/?full=1", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["source"] == "property_repair"
    refused = api(users["resident"]).post("/api/cases/", body, format="json")
    assert refused.status_code == 400
    assert refused.data["source"] == ["您的角色不能以“物业报修”渠道上报"]
    assert Case.objects.count() == 1
