"""Where a person on the grid rolls comes from: 包干, 下沉, 双报到 (work unit, date), volunteer."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from civicgrid.grids import services
from civicgrid.grids.choices import PostRole, StaffOrigin
from civicgrid.grids.models import StaffMember
from civicgrid.testing.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_a_dual_report_member_needs_a_work_unit_a_date_and_party_membership():
    staff = StaffMember(name="钱红", origin=StaffOrigin.DUAL_REPORT)
    with pytest.raises(ValidationError) as err:
        services.save_staff_member(staff)
    assert err.value.message_dict == {
        "work_unit": ["双报到党员须填写工作单位"],
        "registered_on": ["双报到党员须填写报到日期"],
        "is_party_member": ["双报到人员须为党员"],
    }
    assert not StaffMember.objects.exists()
    staff.work_unit = "浦东新区教育局"
    staff.registered_on = datetime.date(2025, 3, 1)
    staff.is_party_member = True
    services.save_staff_member(staff)
    assert StaffMember.objects.get().get_origin_display() == "双报到党员"


def test_the_api_shows_and_filters_the_origin(users, api):
    StaffMemberFactory(name="下沉甲", origin=StaffOrigin.SENT_DOWN, work_unit="镇城建办")
    client = api(users["admin"])
    response = client.get("/api/grids/staff/", {"origin": "sent_down"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["name"], r["origin_display"], r["work_unit"]) for r in rows] == [
        ("下沉甲", "下沉干部", "镇城建办")
    ]

    refused = client.post(
        "/api/grids/staff/", {"name": "钱红", "origin": "dual_report"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["work_unit"] == ["双报到党员须填写工作单位"]
    created = client.post(
        "/api/grids/staff/",
        {
            "name": "钱红",
            "origin": "dual_report",
            "is_party_member": True,
            "work_unit": "浦东新区教育局",
            "registered_on": "2025-03-01",
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["registered_on"] == "2025-03-01"


def test_the_admin_filters_by_origin(users, client_for):
    StaffMemberFactory(name="志愿者乙", origin=StaffOrigin.VOLUNTEER)
    StaffMemberFactory(name="社工丙")
    response = client_for(users["admin"]).get(
        "/admin/grids/staffmember/", {"origin__exact": "volunteer"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "志愿者乙" in text and "社工丙" not in text


def test_the_migration_makes_pioneers_volunteers(tree):
    from civicgrid.testing.factories import UserFactory, assign_post

    pioneer, worker = UserFactory(), UserFactory()
    assign_post(pioneer, tree["micro_grids"][0], role=PostRole.PIONEER)
    assign_post(worker, tree["micro_grids"][0], role=PostRole.FULL_TIME)
    assign_post(worker, tree["micro_grids"][1], role=PostRole.PIONEER)
    migration = importlib.import_module("civicgrid.grids.migrations.0006_staff_origin")
    migration.fill_origin(django_apps, None)
    origins = dict(StaffMember.objects.values_list("name", "origin"))
    assert origins == {pioneer.username: "volunteer", worker.username: "community"}
